package io.weft.cli;

import io.weft.cni.server.Forwarder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Installs the CNI plugin where a runtime finds it: into the bin dir {@code weft} (the C forwarder),
 * {@code weft-java} (the launcher of the Java plugin it falls back to) and {@code loopback} (the same
 * program, which answers as the loopback plugin under that name); into the conf dir
 * {@code 10-weft.conflist}. Every file is replaced by rename, so running it again is harmless.
 */
final class CniInstaller {
    static final String CONFLIST = "10-weft.conflist";
    private static final Pattern NETWORK_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*"); // the CNI spec's
    private static final int MAX_SOCKET_PATH = 107; // sun_path without its terminating NUL

    private final Distribution distribution;
    private final Optional<Path> runtimeDir;
    private final Optional<byte[]> forwarder;
    private final boolean trainAotCache;
    private final Consumer<String> report;

    /**
     * An installer whose {@code weft-java} runs {@code distribution} where it is.
     *
     * @param forwarder     the forwarder binary; empty when the build had no C compiler
     * @param trainAotCache whether {@code weft-java} gets an AOT cache (trained now unless one exists)
     * @param report        receives one line per thing done
     */
    CniInstaller(Distribution distribution, Optional<byte[]> forwarder, boolean trainAotCache, Consumer<String> report) {
        this(distribution, Optional.empty(), forwarder, trainAotCache, report);
    }

    private CniInstaller(Distribution distribution, Optional<Path> runtimeDir, Optional<byte[]> forwarder, boolean trainAotCache,
                         Consumer<String> report) {
        this.distribution = distribution;
        this.runtimeDir = runtimeDir;
        this.forwarder = forwarder;
        this.trainAotCache = trainAotCache;
        this.report = report;
    }

    /**
     * What {@code weft install} and {@code weft agent --install-cni} use: the running distribution's
     * Java runtime and jars copied into {@code runtimeDir} first ({@link NodeRuntime}), so that
     * {@code weft-java} runs the copy and the node needs no JDK; older copies go once it names the new one.
     */
    static CniInstaller onThisNode(Path runtimeDir, boolean trainAotCache, Consumer<String> report) throws IOException {
        Distribution installed = NodeRuntime.install(Distribution.current(), runtimeDir.toAbsolutePath(), report);
        return new CniInstaller(installed, Optional.of(runtimeDir.toAbsolutePath()), Forwarder.forThisArchitecture(),
                trainAotCache, report);
    }

    /**
     * The installer of {@code --in-place}: {@code weft-java} runs this JVM and this distribution where they
     * are, and no runtime is copied (a lab, a development machine: a node wants {@link #onThisNode}).
     */
    static CniInstaller inPlace(boolean trainAotCache, Consumer<String> report) throws IOException {
        return new CniInstaller(Distribution.current(), Forwarder.forThisArchitecture(), trainAotCache, report);
    }

    /** Factory for the installer a command run uses: {@link #onThisNode}, or a test's. */
    @FunctionalInterface
    interface Factory {
        CniInstaller create(Path runtimeDir, boolean trainAotCache, Consumer<String> report) throws IOException;
    }

    /**
     * Where the plugin finds the agent's files, written into the conflist when they are not the
     * defaults ({@code /run/weft/cni.sock}, {@code /run/weft/subnet.env}, {@code /var/lib/weft/ipam}):
     * an agent run with {@code --run-dir} or {@code --state-dir} installs its own.
     */
    record PluginPaths(Optional<String> socket, Optional<String> subnetFile, Optional<String> dataDir) {
        static PluginPaths socketOnly(Optional<String> socket) {
            return new PluginPaths(socket, Optional.empty(), Optional.empty());
        }
    }

    /**
     * @throws IllegalArgumentException for a network name or path the plugin cannot use
     * @throws IOException              naming the directory or file that could not be written
     */
    void install(Path binDir, Path confDir, String networkName, PluginPaths paths) throws IOException {
        String conflist = conflist(networkName, paths);
        AtomicFiles.ensureDirectory(binDir);
        AtomicFiles.ensureDirectory(confDir);

        byte[] launcher = new JavaLauncher(distribution, aotCache()).script().getBytes(StandardCharsets.UTF_8);
        Path weftJava = binDir.resolve("weft-java");
        AtomicFiles.write(weftJava, launcher, "rwxr-xr-x");
        report.accept("installed " + weftJava + " (the Java plugin on " + distribution.java() + " and "
                + distribution.libDir() + ")");

        Path weft = binDir.resolve("weft");
        if (forwarder.isPresent()) {
            AtomicFiles.write(weft, forwarder.get(), "rwxr-xr-x");
            report.accept("installed " + weft + " (the forwarder to the agent's socket, falling back to weft-java)");
        } else {
            AtomicFiles.write(weft, launcher, "rwxr-xr-x");
            report.accept("installed " + weft + " as the Java launcher: this build has no forwarder (no C compiler"
                    + " when it was built), so every CNI call starts a JVM (slower, same result)");
        }

        installLoopback(binDir.resolve("loopback"));

        Path conf = confDir.resolve(CONFLIST);
        AtomicFiles.write(conf, conflist.getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        report.accept("installed " + conf + " (network " + networkName + ")");

        if (runtimeDir.isPresent()) {
            for (Path old : NodeRuntime.removeOthers(runtimeDir.get(), distribution)) {
                report.accept("removed " + old + ": older runtime and jars, which weft-java no longer names");
            }
        }
    }

    private Optional<Path> aotCache() throws IOException {
        if (!trainAotCache) {
            report.accept("no AOT cache asked for: weft-java starts without one (slower)");
            return Optional.empty();
        }
        if (distribution.classPath().stream().anyMatch(Files::isDirectory)) {
            report.accept("no AOT cache: the class path has directories (a development build), only jars can be cached");
            return Optional.empty();
        }
        Path cache = AotCache.fileFor(distribution);
        try {
            for (Path stale : AotCache.removeOthers(cache)) {
                report.accept("removed " + stale + ": trained on other jars");
            }
        } catch (IOException e) {
            report.accept("could not remove older AOT caches beside " + cache + ": " + e);
        }
        if (Files.isRegularFile(cache)) {
            report.accept("AOT cache " + cache + " is already trained for these jars");
            return Optional.of(cache);
        }
        report.accept("training the AOT cache " + cache + " with a VERSION request ...");
        Optional<String> failure = AotCache.train(distribution, cache);
        if (failure.isPresent()) {
            report.accept("AOT cache training failed (" + failure.get() + "): weft-java starts without a cache (slower)");
            return Optional.empty();
        }
        return Optional.of(cache);
    }

    /** A symlink to {@code weft}; a loopback that is not such a link belongs to someone else and stays. */
    private void installLoopback(Path loopback) throws IOException {
        Path target = Path.of("weft");
        boolean present = Files.exists(loopback, LinkOption.NOFOLLOW_LINKS);
        if (present && !(Files.isSymbolicLink(loopback) && Files.readSymbolicLink(loopback).equals(target))) {
            report.accept("left " + loopback + " alone: it is not Weft's");
            return;
        }
        AtomicFiles.symlink(loopback, target);
        report.accept("installed " + loopback + " -> weft (answers as the loopback plugin)");
    }

    static String conflist(String networkName, PluginPaths paths) {
        if (!NETWORK_NAME.matcher(networkName).matches()) {
            throw new IllegalArgumentException("network name '" + networkName + "' must match " + NETWORK_NAME.pattern());
        }
        paths.socket().ifPresent(CniInstaller::checkSocket);
        paths.subnetFile().ifPresent(path -> checkPath("subnetFile", path));
        paths.dataDir().ifPresent(path -> checkPath("dataDir", path));
        String plugin = "{\"type\": \"weft\""
                + paths.socket().map(path -> ", \"socket\": \"" + path + "\"").orElse("")
                + paths.subnetFile().map(path -> ", \"subnetFile\": \"" + path + "\"").orElse("")
                + paths.dataDir().map(path -> ", \"dataDir\": \"" + path + "\"").orElse("") + "}";
        return """
                {
                  "cniVersion": "1.0.0",
                  "name": "%s",
                  "plugins": [
                    %s
                  ]
                }
                """.formatted(networkName, plugin);
    }

    /** Absolute, nothing to escape in JSON. */
    private static void checkPath(String key, String path) {
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c == '"' || c == '\\' || c < 0x20)) {
            throw new IllegalArgumentException(key + " '" + path + "' must be an absolute path without quotes, backslashes or control characters");
        }
    }

    /**
     * Removes what {@link #install} put in the bin and conf dirs: {@code weft}, {@code weft-java},
     * {@code loopback} when it is Weft's link, and the conflist. Files of others stay; absent ones are
     * no error.
     */
    static void uninstall(Path binDir, Path confDir, Consumer<String> report) throws IOException {
        Path loopback = binDir.resolve("loopback");
        if (Files.isSymbolicLink(loopback) && Files.readSymbolicLink(loopback).equals(Path.of("weft"))) {
            Files.delete(loopback);
            report.accept("removed " + loopback);
        }
        for (Path file : new Path[] {binDir.resolve("weft"), binDir.resolve("weft-java"), confDir.resolve(CONFLIST)}) {
            if (Files.deleteIfExists(file)) {
                report.accept("removed " + file);
            }
        }
    }

    /** The forwarder reads the socket path without a JSON parser: absolute, short, nothing to escape. */
    private static void checkSocket(String path) {
        boolean plain = path.chars().noneMatch(c -> c == '"' || c == '\\' || c < 0x20);
        if (!path.startsWith("/") || !plain || path.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("socket '" + path + "' must be an absolute path of at most "
                    + MAX_SOCKET_PATH + " bytes without quotes, backslashes or control characters");
        }
    }
}
