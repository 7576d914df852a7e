package io.weft.netlink.sys;

import java.nio.file.Path;

/**
 * An exclusive {@code flock(2)} on a lock file, held until closed: how Weft's processes (the agent,
 * plugin processes, several agents of a lab) take turns on shared state on disk. Not
 * {@code FileChannel.lock}: that is an fcntl lock, which does not exclude flock holders (host-local,
 * for one, uses flock). Each acquisition opens its own file description, so threads of one process
 * exclude each other as separate processes do. {@link #exclusive} blocks the calling OS thread: call it
 * from platform threads (a virtual thread would pin its carrier).
 */
public final class Flock implements AutoCloseable {
    private final int fd;
    private final String path;

    private Flock(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** Creates {@code file} with {@code mode} if missing and waits until this caller holds it exclusively. */
    public static Flock exclusive(Path file, int mode) {
        String path = file.toString();
        int fd = Syscalls.open(path, Kernel.O_RDONLY | Kernel.O_CREAT | Kernel.O_CLOEXEC, mode);
        try {
            while (true) {
                try {
                    Syscalls.flock(fd, Kernel.LOCK_EX, path);
                    return new Flock(fd, path);
                } catch (SyscallException e) {
                    if (e.errno() != Kernel.EINTR) {
                        throw e;
                    }
                }
            }
        } catch (RuntimeException e) {
            Syscalls.close(fd);
            throw e;
        }
    }

    /** Unlocks before closing, so that a copy of the descriptor a child process inherited cannot keep the lock. */
    @Override
    public void close() {
        try {
            Syscalls.flock(fd, Kernel.LOCK_UN, path);
        } finally {
            Syscalls.close(fd);
        }
    }
}
