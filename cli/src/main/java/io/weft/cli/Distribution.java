package io.weft.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Weft distribution this command runs from: a {@code java} executable and the jars of its
 * {@code lib} directory, named by absolute path so an installed launcher runs exactly them.
 * {@code libDir} is also where the AOT cache is kept, next to the jars it was trained on; its parent
 * is the distribution's home, where the jlinked runtime is kept ({@link JavaRuntime}).
 *
 * @param classPath the jars of {@code lib} itself: the class path
 * @param storeJars the jars in the directories of {@code lib} ({@code etcd}, {@code kubernetes}): the lease
 *     stores with libraries of their own, off the class path, loaded by an agent that uses one
 *     ({@link io.weft.agent.StoreModules})
 */
record Distribution(Path java, List<Path> classPath, List<Path> storeJars, Path libDir) {
    Distribution {
        classPath = List.copyOf(classPath);
        storeJars = List.copyOf(storeJars);
    }

    /** A distribution without stores of their own: a build's class path, which holds them. */
    Distribution(Path java, List<Path> classPath, Path libDir) {
        this(java, classPath, List.of(), libDir);
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
        return inLibDir(java, code.getParent());
    }

    /** The jars of {@code lib} and of its directories, each in name order, run by {@code java}. */
    static Distribution inLibDir(Path java, Path lib) throws IOException {
        List<Path> stores;
        try (Stream<Path> files = Files.list(lib)) {
            stores = files.filter(Files::isDirectory).sorted().toList();
        }
        List<Path> storeJars = new ArrayList<>();
        for (Path store : stores) {
            storeJars.addAll(jarsIn(store));
        }
        return new Distribution(java, jarsIn(lib), storeJars, lib);
    }

    private static List<Path> jarsIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".jar") && Files.isRegularFile(file)).sorted().toList();
        }
    }

    /** Every jar: the class path, then the stores'. */
    List<Path> jars() {
        return Stream.concat(classPath.stream(), storeJars.stream()).toList();
    }

    /** {@code jar}'s path in {@code lib}, e.g. {@code picocli-4.7.7.jar} or {@code etcd/jetcd-core-0.8.7.jar}. */
    Path nameInLib(Path jar) {
        return jar.startsWith(libDir) ? libDir.relativize(jar) : jar.getFileName();
    }

    /** The directory holding {@code lib} (and {@code runtime}, once linked). */
    Path home() {
        return libDir.toAbsolutePath().getParent();
    }

    /** SHA-256 over the names (in {@code lib}) and bytes of all jars, the class path's in its order first, in hex: what the jars are. */
    String digest() throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (Path jar : jars()) {
            sha256.update((nameInLib(jar) + "\n").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(jar)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha256.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }
}
