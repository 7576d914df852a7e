package io.weft.lab.process;

import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finding and ending a lab's processes. A process belongs to a lab when its network namespace is one
 * of the lab's (the same nsfs inode as {@code /run/netns/NAME}), which finds agents and etcd even when
 * {@code lab.json} is lost, and whatever {@code lab exec} left running; a process id read from
 * {@code lab.json} only counts while that process still looks like the lab's, so a reused id is spared.
 */
public final class LabProcesses {
    private LabProcesses() {}

    /** The inode of a named namespace's nsfs file, or empty when it is gone. */
    public static Optional<Long> namespaceInode(String netns) {
        try {
            return Optional.of((Long) Files.getAttribute(NetNamespace.NAMED_DIR.resolve(netns), "unix:ino"));
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException gone) {
            return Optional.empty();
        }
    }

    /** The inode of the network namespace of process {@code pid}, or empty when it is gone. */
    static Optional<Long> namespaceOf(long pid) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString(); // net:[4026532281]
            return Optional.of(Long.parseLong(link.substring(link.indexOf('[') + 1, link.length() - 1)));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }

    /** Every process (this one excepted) inside one of {@code netnsNames}. */
    public static List<ProcessHandle> inNamespaces(Collection<String> netnsNames) {
        Set<Long> inodes = new HashSet<>();
        for (String name : netnsNames) {
            namespaceInode(name).ifPresent(inodes::add);
        }
        if (inodes.isEmpty()) {
            return List.of();
        }
        long self = ProcessHandle.current().pid();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(process -> process.pid() != self)
                    .filter(process -> namespaceOf(process.pid()).filter(inodes::contains).isPresent())
                    .toList();
        }
    }

    /** Process {@code pid} while it is alive and its command line mentions {@code marker} (e.g. the lab's directory). */
    public static Optional<ProcessHandle> recorded(long pid, String marker) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty() || pid == ProcessHandle.current().pid()) {
            return Optional.empty();
        }
        try {
            String commandLine = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
            return commandLine.contains(marker) ? process : Optional.empty();
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    /**
     * The lab directory an agent of a lab runs from: its {@code --run-dir} is {@code LAB/NODE/run}.
     * Empty for any other process.
     */
    public static Optional<Path> agentLabDir(long pid) {
        try {
            List<String> args = List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).split("\0"));
            int runDir = args.indexOf("--run-dir");
            if (runDir < 0 || runDir + 1 >= args.size() || !args.contains("agent")) {
                return Optional.empty();
            }
            Path nodeDir = Path.of(args.get(runDir + 1)).getParent();
            return nodeDir == null ? Optional.empty() : Optional.ofNullable(nodeDir.getParent());
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }

    /**
     * SIGTERM to each, SIGKILL to those still alive after {@code grace}; returns once all are gone.
     *
     * @return how many were ended
     */
    public static int stop(Collection<ProcessHandle> processes, Duration grace) throws InterruptedException {
        Set<ProcessHandle> alive = new LinkedHashSet<>(processes);
        alive.removeIf(process -> !process.isAlive());
        int count = alive.size();
        alive.forEach(ProcessHandle::destroy);
        awaitGone(alive, grace);
        List<ProcessHandle> stubborn = new ArrayList<>(alive.stream().filter(ProcessHandle::isAlive).toList());
        stubborn.forEach(ProcessHandle::destroyForcibly);
        awaitGone(stubborn, Duration.ofSeconds(10));
        return count;
    }

    private static void awaitGone(Collection<ProcessHandle> processes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle process : processes) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                process.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException stillThere) {
                return;
            }
        }
    }
}
