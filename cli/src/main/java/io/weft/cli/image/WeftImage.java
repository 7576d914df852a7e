package io.weft.cli.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Weft's container image, from what the project builds and this machine has, with no base image to
 * pull. Three layers, the least often changed first, so that a new build shares the lower ones:
 * <ol>
 *   <li>base: a minimal root ({@code /etc/passwd}, {@code /etc/group}, {@code /etc/nsswitch.conf},
 *       {@code /tmp}), a static busybox for {@code /bin/sh} and a few tools, {@code nft} (masquerade),
 *       and the shared libraries the JVM and {@code nft} load (the C library, the loader), from this machine;</li>
 *   <li>runtime: the jlinked Java runtime, in {@code /usr/lib/weft/runtime};</li>
 *   <li>weft: the jars in {@code /usr/lib/weft/lib} and {@code /usr/local/bin/weft}, the entrypoint.</li>
 * </ol>
 * {@code /usr/lib/weft} is a distribution as {@code weft install} expects one: run in the image it
 * copies that runtime and those jars to the node, with no JDK and no jlink.
 */
public final class WeftImage {
    public static final String HOME = "usr/lib/weft";
    public static final String ENTRYPOINT = "/usr/local/bin/weft";
    /** The parts of java.desktop that draw or play sound: a headless agent never loads them, nor their X11/ALSA libraries. */
    static final Set<String> DESKTOP_ONLY = Set.of("libawt_xawt.so", "libjawt.so", "libsplashscreen.so", "libjsound.so");

    /**
     * What goes in.
     *
     * @param runtime the jlinked runtime ({@code DIST/runtime})
     * @param jars the distribution's jars, each with its path in {@code lib}
     * @param busybox a statically linked busybox
     * @param nft the nft program
     * @param reference the name to load it under, e.g. {@code docker.io/library/weft:0.1.0}
     * @param version Weft's version, for the image's labels
     */
    public record Contents(Path runtime, List<Jar> jars, Path busybox, Path nft, String reference, String version) {
        public Contents {
            jars = List.copyOf(jars);
        }
    }

    /**
     * A jar of the distribution.
     *
     * @param nameInLib its path in {@code lib}, e.g. {@code picocli-4.7.7.jar} or {@code etcd/jetcd-core-0.8.7.jar}
     * @param file where it is
     */
    public record Jar(Path nameInLib, Path file) {}

    private WeftImage() {}

    /** Writes the image to {@code output} as an OCI archive. */
    public static OciArchive.Written write(Path output, Contents contents) throws IOException {
        List<Path> runtimeFiles = regularFiles(contents.runtime());
        List<Path> programs = new ArrayList<>();
        for (Path file : runtimeFiles) {
            if (!DESKTOP_ONLY.contains(file.getFileName().toString()) && SharedLibraries.isElf(file)) {
                programs.add(file);
            }
        }
        programs.add(contents.nft());
        Set<String> runtimeLibraries = runtimeFiles.stream().map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith(".so")).collect(Collectors.toSet());
        SortedMap<String, Path> libraries = SharedLibraries.neededBy(programs, contents.runtime(), runtimeLibraries);
        List<String> applets = applets(contents.busybox());

        OciArchive.Layer base = new OciArchive.Layer("weft image: root, busybox, nft and the C library", tar -> {
            tar.file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8));
            tar.file("etc/group", 0644, "root:x:0:\n".getBytes(StandardCharsets.UTF_8));
            tar.file("etc/nsswitch.conf", 0644, "passwd: files\ngroup: files\nhosts: files dns\n".getBytes(StandardCharsets.UTF_8));
            tar.directory("root", 0700);
            tar.directory("tmp", 01777);
            tar.directory("run", 0755);
            tar.symlink("var/run", "../run"); // containerd names pod namespaces /var/run/netns/…
            tar.file("bin/busybox", 0755, contents.busybox());
            for (String applet : applets) {
                tar.symlink(applet, "../".repeat(applet.split("/").length - 1) + "bin/busybox");
            }
            tar.file("usr/sbin/nft", 0755, contents.nft());
            for (var library : libraries.entrySet()) {
                tar.file(library.getKey(), 0755, library.getValue());
            }
        });
        OciArchive.Layer runtime = new OciArchive.Layer("weft image: the jlinked Java runtime", tar -> {
            for (Path file : entries(contents.runtime())) {
                String path = HOME + "/runtime/" + contents.runtime().relativize(file);
                if (Files.isSymbolicLink(file)) {
                    tar.symlink(path, Files.readSymbolicLink(file).toString());
                } else if (Files.isDirectory(file)) {
                    tar.directory(path, mode(file));
                } else {
                    tar.file(path, mode(file), file);
                }
            }
        });
        OciArchive.Layer weft = new OciArchive.Layer("weft image: the jars and the weft command", tar -> {
            tar.directory(HOME + "/lib", 0755);
            Set<Path> directories = new HashSet<>();
            for (Jar jar : contents.jars()) {
                Path directory = jar.nameInLib().getParent();
                if (directory != null && directories.add(directory)) {
                    tar.directory(HOME + "/lib/" + directory, 0755);
                }
                tar.file(HOME + "/lib/" + jar.nameInLib(), 0644, jar.file());
            }
            tar.file(ENTRYPOINT, 0755, launcher());
        });
        OciArchive.Image image = new OciArchive.Image(contents.reference(), architecture(), List.of(ENTRYPOINT), List.of("version"),
                List.of("PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin"),
                Map.of("org.opencontainers.image.title", "weft",
                        "org.opencontainers.image.version", contents.version(),
                        "org.opencontainers.image.description", "Weft: a Kubernetes pod network (CNI plugin + node agent, VXLAN overlay)"));
        return OciArchive.write(output, image, List.of(base, runtime, weft));
    }

    /** {@code /usr/local/bin/weft}: the Weft command on the image's runtime and jars. */
    public static byte[] launcher() throws IOException {
        try (InputStream in = WeftImage.class.getResourceAsStream("weft.sh")) {
            if (in == null) {
                throw new IOException("the image's weft.sh is missing from the Weft jar");
            }
            return in.readAllBytes();
        }
    }

    /** The OCI name of this machine's architecture. */
    static String architecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> throw new IllegalStateException("no OCI architecture known for " + System.getProperty("os.arch"));
        };
    }

    /** Busybox's applets as paths in the image ({@code bin/sh}, {@code usr/bin/env}, …), itself excluded. */
    private static List<String> applets(Path busybox) throws IOException {
        if (!SharedLibraries.neededBy(List.of(busybox), busybox, Set.of()).isEmpty()) {
            throw new IOException(busybox + " is not statically linked: the image needs a static busybox (Debian: busybox-static)");
        }
        Process process = new ProcessBuilder(busybox.toString(), "--list-full").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new IOException(busybox + " --list-full exited " + process.exitValue() + ": " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + busybox + " for its applets", e);
        }
        return out.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.equals("bin/busybox")).sorted().toList();
    }

    private static List<Path> entries(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> !file.equals(root)).sorted().toList();
        }
    }

    private static List<Path> regularFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    private static int mode(Path file) throws IOException {
        int mode = 0;
        for (PosixFilePermission permission : Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)) {
            mode |= 0400 >> permission.ordinal();
        }
        return mode;
    }
}
