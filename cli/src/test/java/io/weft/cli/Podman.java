package io.weft.cli;

import io.weft.netlink.ns.NetNamespace;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * podman 4.3 as a CNI client, run by the hermetic recipe of {@code shared/reference/podman-cni.md}:
 * its CNI backend with only the given plugin and config dirs, storage, run and tmp dirs of its own
 * (vfs: nothing mounted for storage), runc with the cgroupfs manager (this machine's hybrid cgroups),
 * no rlimits (the process lacks CAP_SYS_RESOURCE), a busybox root filesystem instead of an image, and
 * the node's network namespace entered with {@code nsenter} ({@code ip netns exec} would remount
 * {@code /sys} and hide the cgroup mounts podman needs). One thing cannot be moved into the test's
 * directory: libcni's cache, {@link #LIBCNI_CACHE}. Podman 4.3 makes its libcni config without a cache
 * dir, sets none per call, and containers.conf has no option for one, so libcni falls back to
 * {@code /var/lib/cni}; {@link #deleteFiles} removes it again when it was not there before and is empty.
 */
final class Podman {
    private static final long TIMEOUT_SECONDS = 30;
    /** libcni's default cache dir, fixed for podman 4.3's CNI backend. */
    static final Path LIBCNI_CACHE = Path.of("/var/lib/cni");
    /** Where libcni keeps each attachment's result, for the DEL that podman sends on container removal. */
    static final Path LIBCNI_RESULTS = LIBCNI_CACHE.resolve("results");

    record Result(int exitCode, String stdout, String stderr) {}

    private final Path dir;
    private final Path containersConf;
    private final List<String> command;
    private final Path rootfs;
    private final boolean libcniCacheWasAbsent;

    private Podman(Path dir, Path containersConf, List<String> command, Path rootfs, boolean libcniCacheWasAbsent) {
        this.dir = dir;
        this.containersConf = containersConf;
        this.command = command;
        this.rootfs = rootfs;
        this.libcniCacheWasAbsent = libcniCacheWasAbsent;
    }

    /** The {@code podman} executable on {@code PATH}, if any. */
    static Optional<Path> executable() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, "podman"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Lays out podman's directories under {@code dir} and a busybox root filesystem, for containers
     * attached by the CNI plugins in {@code pluginDir} per the configs in {@code networkConfigDir},
     * from inside {@code node}.
     */
    static Podman inNode(Path dir, NetNamespace node, Path pluginDir, Path networkConfigDir) throws IOException {
        boolean libcniCacheWasAbsent = !Files.exists(LIBCNI_CACHE, LinkOption.NOFOLLOW_LINKS);
        Files.createDirectories(dir);
        Path containersConf = dir.resolve("containers.conf");
        Files.writeString(containersConf, """
                [containers]
                default_ulimits = []

                [network]
                network_backend = "cni"
                cni_plugin_dirs = ["%s"]
                network_config_dir = "%s"

                [engine]
                tmp_dir = "%s"
                events_logger = "none"
                """.formatted(pluginDir, networkConfigDir, dir.resolve("tmp")));
        List<String> command = List.of("nsenter", "--net=" + node.path(), Podman.executable().orElseThrow().toString(),
                "--root", dir.resolve("storage").toString(), "--runroot", dir.resolve("run").toString(),
                "--storage-driver", "vfs", "--runtime", "runc", "--cgroup-manager", "cgroupfs");
        return new Podman(dir, containersConf, command, busyboxRootfs(dir.resolve("rootfs")), libcniCacheWasAbsent);
    }

    /** {@code /bin/busybox} and a symlink to it per applet: a root filesystem without pulling an image. */
    private static Path busyboxRootfs(Path rootfs) throws IOException {
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Path busybox = Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        String applets = new String(new ProcessBuilder(busybox.toString(), "--list").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8);
        for (String applet : applets.strip().split("\n")) {
            if (!applet.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        return rootfs;
    }

    /** The options of a {@code podman run} on {@code network}: no rlimits, the busybox root filesystem. */
    List<String> runOptions(String network) {
        return List.of("--network", network, "--ulimit", "host", "--rootfs", rootfs.toString());
    }

    /** Runs {@code podman args…} and waits for it (a {@code run -d} returns once the container started). */
    Result run(List<String> args) {
        List<String> full = new ArrayList<>(command);
        full.addAll(args);
        try {
            Path out = Files.createTempFile(dir, "podman-", ".out");
            Path err = Files.createTempFile(dir, "podman-", ".err");
            ProcessBuilder builder = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("CONTAINERS_CONF", containersConf.toString());
            // Files, not pipes: conmon outlives `podman run -d` and could hold a pipe open.
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("podman " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS
                        + " s; stderr: " + Files.readString(err));
            }
            Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Result run(String... args) {
        return run(List.of(args));
    }

    /** Runs {@code podman args…}, which must succeed; its stdout, stripped. */
    String succeed(List<String> args) {
        Result result = run(args);
        if (result.exitCode() != 0) {
            throw new AssertionError("podman " + String.join(" ", args) + " exited " + result.exitCode() + ": "
                    + result.stderr().strip() + " " + result.stdout().strip());
        }
        return result.stdout().strip();
    }

    String succeed(String... args) {
        return succeed(List.of(args));
    }

    /** {@code podman inspect --format FORMAT container}. */
    String inspect(String container, String format) {
        return succeed("inspect", "--format", format, container);
    }

    /** Removes every container of this podman, killing those that run (podman's teardown calls CNI DEL). */
    void removeAll() {
        succeed("rm", "--force", "--all", "--time", "0");
    }

    /**
     * Deletes podman's directories, the root filesystem included, without following links: podman
     * leaves {@code /etc/mtab -> /proc/self/mounts} in it. Only once nothing is mounted there. Then
     * libcni's cache, if this podman made it: only while empty, since another podman may use it.
     */
    void deleteFiles() {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
            if (libcniCacheWasAbsent) {
                deleteIfEmpty(LIBCNI_RESULTS);
                deleteIfEmpty(LIBCNI_CACHE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteIfEmpty(Path directory) throws IOException {
        try {
            Files.delete(directory);
        } catch (NoSuchFileException | DirectoryNotEmptyException inUseOrGone) {
            // another podman's results are in it, or it is gone already: not ours to remove
        }
    }

    /** The processes whose command line names this podman's directory: podman itself, conmon, the containers' runc. */
    List<ProcessHandle> processes() {
        String marker = dir.toString();
        return ProcessHandle.allProcesses()
                .filter(process -> commandLine(process).contains(marker))
                .toList();
    }

    private static String commandLine(ProcessHandle process) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return "";
        }
    }
}
