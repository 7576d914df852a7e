package io.weft.cli;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Weft distribution this command runs from: a {@code java} executable and the jars of its
 * {@code lib} directory, named by absolute path so an installed launcher runs exactly them.
 * {@code libDir} is also where the AOT cache is kept, next to the jars it was trained on.
 */
record Distribution(Path java, List<Path> classPath, Path libDir) {
    Distribution {
        classPath = List.copyOf(classPath);
    }

    /**
     * The running distribution: this JVM and the jars beside the one holding this class; run from a class
     * directory instead (a development build), this JVM's class path, with no AOT cache possible.
     */
    static Distribution current() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path code;
        try {
            code = Path.of(Distribution.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the Weft jars: " + e.getMessage(), e);
        }
        if (Files.isDirectory(code)) {
            // a build's classes (the tests' agents, weft lab from an IDE): the JVM's own class path holds them
            List<Path> classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of).toList();
            return new Distribution(java, classPath, code.getParent());
        }
        if (!Files.isRegularFile(code)) {
            throw new IOException("cannot locate the Weft jars: " + code + " is neither a jar nor a class directory");
        }
        Path lib = code.getParent();
        try (Stream<Path> files = Files.list(lib)) {
            return new Distribution(java, files.filter(file -> file.getFileName().toString().endsWith(".jar")).sorted().toList(), lib);
        }
    }
}
