package io.weft.netlink.ns;

import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.sys.Syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import static io.weft.netlink.sys.Kernel.CLONE_NEWNET;
import static io.weft.netlink.sys.Kernel.EINVAL;
import static io.weft.netlink.sys.Kernel.ENOENT;
import static io.weft.netlink.sys.Kernel.MNT_DETACH;
import static io.weft.netlink.sys.Kernel.MS_BIND;
import static io.weft.netlink.sys.Kernel.MS_REC;
import static io.weft.netlink.sys.Kernel.MS_SHARED;
import static io.weft.netlink.sys.Kernel.NAME_MAX;
import static io.weft.netlink.sys.Kernel.O_CLOEXEC;
import static io.weft.netlink.sys.Kernel.O_CREAT;
import static io.weft.netlink.sys.Kernel.O_EXCL;
import static io.weft.netlink.sys.Kernel.O_RDONLY;

/**
 * An open network namespace (a file descriptor on its nsfs file). Named namespaces live where
 * iproute2 keeps them, {@code /run/netns/NAME}, so {@code ip -n NAME} sees the same ones.
 *
 * <p>Work inside a namespace runs on a fresh platform thread that enters it with {@code setns} and is
 * discarded afterwards: {@code setns} is per thread, and a virtual thread could hop carriers.
 */
public final class NetNamespace implements AutoCloseable {
    /** Where named namespaces are bind-mounted, as with {@code ip netns add}. */
    public static final Path NAMED_DIR = Path.of("/run/netns");

    private final String name;
    private final Path path;
    private final int fd;
    private boolean closed;

    private NetNamespace(String name, Path path, int fd) {
        this.name = name;
        this.path = path;
        this.fd = fd;
    }

    /**
     * Creates a named namespace, like {@code ip netns add NAME}: a new namespace bind-mounted on
     * {@code /run/netns/NAME}, which keeps it alive until {@link #delete}.
     *
     * @throws SyscallException EEXIST when the name is taken; the existing namespace is left as it was
     */
    public static NetNamespace create(String name) {
        Path path = namedPath(name);
        makeNamedDirShared();
        Syscalls.close(Syscalls.open(path.toString(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
        try {
            onFreshThread("netns-create-" + name, () -> {
                Syscalls.unshare(CLONE_NEWNET);
                Syscalls.mount("/proc/thread-self/ns/net", path.toString(), "none", MS_BIND);
                return null;
            });
        } catch (RuntimeException e) {
            deleteQuietly(path);
            throw e;
        }
        return open(name);
    }

    /** Opens the named namespace {@code /run/netns/NAME}. */
    public static NetNamespace open(String name) {
        return openPath(namedPath(name), name);
    }

    /** Opens a namespace by path, e.g. a CNI_NETNS value such as {@code /proc/1234/ns/net}. */
    public static NetNamespace openPath(Path path) {
        return openPath(path, path.toString());
    }

    /** Opens the network namespace of a process. */
    public static NetNamespace ofPid(long pid) {
        return openPath(Path.of("/proc/" + pid + "/ns/net"), "pid " + pid);
    }

    /** Opens the namespace of the calling thread. */
    public static NetNamespace current() {
        return openPath(Path.of("/proc/thread-self/ns/net"), "current");
    }

    private static NetNamespace openPath(Path path, String name) {
        return new NetNamespace(name, path, Syscalls.open(path.toString(), O_RDONLY | O_CLOEXEC, 0));
    }

    /** Whether {@code /run/netns/NAME} exists. */
    public static boolean exists(String name) {
        return Files.exists(namedPath(name));
    }

    /**
     * Deletes a named namespace, like {@code ip netns delete NAME}: unmounts and removes its file.
     * The namespace itself disappears once nothing else (a process, an open descriptor) holds it.
     *
     * @return false when no such namespace existed
     */
    public static boolean delete(String name) {
        Path path = namedPath(name);
        if (!Files.exists(path)) {
            return false;
        }
        try {
            Syscalls.umount2(path.toString(), MNT_DETACH);
        } catch (SyscallException e) {
            if (e.errno() != EINVAL && e.errno() != ENOENT) { // EINVAL: not a mount point (a half-made one)
                throw e;
            }
        }
        deleteQuietly(path);
        return true;
    }

    /** The names under {@code /run/netns}. */
    public static java.util.List<String> listNamed() {
        if (!Files.isDirectory(NAMED_DIR)) {
            return java.util.List.of();
        }
        try (var files = Files.list(NAMED_DIR)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    /** The open descriptor, e.g. for {@code IFLA_NET_NS_FD}. Valid until {@link #close}. */
    public int fd() {
        checkOpen();
        return fd;
    }

    /** Runs {@code task} on a fresh platform thread inside this namespace and returns its result. */
    public <T> T call(Callable<T> task) {
        checkOpen();
        return onFreshThread("netns-" + name, () -> {
            Syscalls.setns(fd, CLONE_NEWNET, path.toString());
            return task.call();
        });
    }

    /** Runs {@code task} on a fresh platform thread inside this namespace. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Reads and writes {@code /proc/sys} settings as seen from inside this namespace. */
    public Sysctl sysctl() {
        return new Sysctl(this);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Syscalls.close(fd);
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /** The rules of iproute2's {@code is_valid_netns_name}, plus no NUL, checked before anything is touched. */
    private static Path namedPath(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.indexOf('\0') >= 0
                || name.equals(".") || name.equals("..") || name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
            throw new IllegalArgumentException("invalid network namespace name \"" + name + "\": 1 to " + NAME_MAX
                    + " bytes, no '/' or NUL, not . or ..");
        }
        return NAMED_DIR.resolve(name);
    }

    /** As iproute2 does: /run/netns must be a shared mount so namespaces mounted there propagate. */
    private static void makeNamedDirShared() {
        try {
            Files.createDirectories(NAMED_DIR);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + NAMED_DIR, e);
        }
        try {
            Syscalls.mount("none", NAMED_DIR.toString(), "none", MS_SHARED | MS_REC);
        } catch (SyscallException e) {
            if (e.errno() != EINVAL) {
                throw e;
            }
            // not a mount point yet: bind it onto itself, then make it shared
            Syscalls.mount(NAMED_DIR.toString(), NAMED_DIR.toString(), "none", MS_BIND | MS_REC);
            Syscalls.mount("none", NAMED_DIR.toString(), "none", MS_SHARED | MS_REC);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + path, e);
        }
    }

    private static <T> T onFreshThread(String threadName, Callable<T> task) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name(threadName).daemon().unstarted(() -> {
            try {
                result.set(task.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        switch (t) {
            case null -> { return result.get(); }
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new NamespaceTaskException(threadName, t);
        }
    }

    /** A checked exception thrown by a task run inside a namespace. */
    public static final class NamespaceTaskException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NamespaceTaskException(String thread, Throwable cause) {
            super(thread + ": " + cause, cause);
        }
    }
}
