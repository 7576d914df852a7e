package io.weft.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the lab runs {@code weft} (the lab cannot depend on the cli module that has it): a {@code java}
 * executable, a class path and the main class. The lab adds the JVM options of a small node.
 *
 * @param java      the {@code java} executable
 * @param classPath the class path, as {@code -cp} takes it
 * @param mainClass the class whose {@code main} is the {@code weft} command
 */
public record WeftLauncher(Path java, String classPath, String mainClass) {
    public WeftLauncher {
        if (classPath == null || classPath.isBlank()) {
            throw new IllegalArgumentException("classPath: empty");
        }
    }

    /** This JVM's {@code java} and class path, running {@code mainClass}. */
    public static WeftLauncher ofThisJvm(String mainClass) {
        return new WeftLauncher(Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path"), mainClass);
    }

    /** {@code java --enable-native-access=ALL-UNNAMED JVM_OPTIONS… -cp CP MAIN ARGS…}. */
    public List<String> command(List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, mainClass));
        command.addAll(args);
        return command;
    }
}
