package io.weft.agent.lease.local;

import io.weft.netlink.sys.Kernel;
import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.sys.Syscalls;

import java.nio.file.Path;

/**
 * An exclusive {@code flock(2)} on the store's {@code lock} file, held while leases change. Not
 * {@code FileChannel.lock}: that is an fcntl lock, which does not exclude flock holders. Each acquisition
 * opens its own file description, so two stores in one process exclude each other as two agents do.
 */
final class StoreLock implements AutoCloseable {
    private final int fd;
    private final String path;

    private StoreLock(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** Blocks the calling OS thread until no other holder has the lock. */
    static StoreLock acquire(Path file) {
        String path = file.toString();
        int fd = Syscalls.open(path, Kernel.O_RDONLY | Kernel.O_CREAT | Kernel.O_CLOEXEC, 0644);
        try {
            while (true) {
                try {
                    Syscalls.flock(fd, Kernel.LOCK_EX, path);
                    return new StoreLock(fd, path);
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
