package io.weft.cni.ipam;

import io.weft.netlink.sys.Kernel;
import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.sys.Syscalls;

import java.nio.file.Path;

/**
 * An exclusive {@code flock(2)} on a network directory's {@code lock} file, as host-local takes it. Not
 * {@code FileChannel.lock}: that is an fcntl lock, which does not exclude flock holders. Each acquisition
 * opens its own file description, so threads of one process exclude each other as separate processes do.
 * {@link #acquire} blocks the calling OS thread while another holder works.
 */
final class DirectoryLock implements AutoCloseable {
    private final int fd;
    private final String path;

    private DirectoryLock(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    static DirectoryLock acquire(Path file) {
        String path = file.toString();
        int fd = Syscalls.open(path, Kernel.O_RDONLY | Kernel.O_CREAT | Kernel.O_CLOEXEC, 0600);
        try {
            while (true) {
                try {
                    Syscalls.flock(fd, Kernel.LOCK_EX, path);
                    return new DirectoryLock(fd, path);
                } catch (SyscallException e) {
                    if (!e.errnoName().equals("EINTR")) {
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
