package io.weft.cni.ipam;

import io.weft.netlink.sys.Flock;
import io.weft.netlink.sys.WholeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.weft.netlink.sys.WholeFiles.failure;
import static io.weft.netlink.sys.WholeFiles.read;

/**
 * A network directory while this process holds its lock: the only writer, so every temp file found on entry
 * is the remains of a writer that crashed, and is deleted. Files are made whole before they get their final
 * name (write a temp file, fsync, then hard-link or rename it), and closing fsyncs the directory if anything
 * changed, so a crash at any instant leaves each name either absent or complete.
 */
final class LockedDirectory implements AutoCloseable {
    static final String LOCK = "lock";
    static final String POINTER = "last_reserved_ip.0";

    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final WholeFiles FILES = new WholeFiles("rw-------");

    private final Path directory;
    private final Flock lock;
    private boolean changed;

    private LockedDirectory(Path directory, Flock lock) {
        this.directory = directory;
        this.lock = lock;
    }

    /** Creates the directory (0755) if missing, blocks until the lock is ours, and deletes stray temp files. */
    static LockedDirectory lock(Path directory) {
        try {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
        } catch (IOException e) {
            throw failure("create", directory, e);
        }
        LockedDirectory locked = new LockedDirectory(directory, Flock.exclusive(directory.resolve(LOCK), 0600));
        try {
            WholeFiles.deleteStrayTempFiles(directory);
            return locked;
        } catch (RuntimeException e) {
            locked.lock.close();
            throw e;
        }
    }

    /** Every file named by an IPv4 address, lowest address first. */
    List<ReservationFile> reservations() {
        List<ReservationFile> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                Optional<Long> address = Ipv4Subnet.parse(entry.getFileName().toString());
                if (address.isPresent()) {
                    read(entry).ifPresent(content -> files.add(ReservationFile.parse(address.get(), content)));
                }
            }
        } catch (IOException e) {
            throw failure("list", directory, e);
        }
        files.sort(Comparator.comparingLong(ReservationFile::address));
        return files;
    }

    /**
     * Reserves {@code address} for {@code owner}, exclusively and with its whole content at once: the content
     * is written and fsynced under a temp name, then hard-linked to the address (which fails if it exists).
     * Returns false if the address was taken.
     */
    boolean create(long address, Attachment owner) {
        boolean created = FILES.create(directory.resolve(Ipv4Subnet.format(address)), ReservationFile.content(owner));
        changed |= created;
        return created;
    }

    /** Deletes a reservation; true if it was there. */
    boolean delete(ReservationFile file) {
        boolean deleted = WholeFiles.delete(directory.resolve(Ipv4Subnet.format(file.address())));
        changed |= deleted;
        return deleted;
    }

    /** The last address handed out, if the pointer file holds one. */
    Optional<Long> pointer() {
        return read(directory.resolve(POINTER))
                .flatMap(content -> Ipv4Subnet.parse(new String(content, StandardCharsets.US_ASCII).strip()));
    }

    /**
     * Replaces the pointer by rename, so it always holds one whole address. Not fsynced: the pointer is
     * only where the round robin goes on, and a pointer lost or garbled by a crash is read as none
     * (the walk starts from the first host), which costs nothing but order. One fsync less per ADD.
     */
    void writePointer(long address) {
        FILES.replace(directory.resolve(POINTER), Ipv4Subnet.format(address).getBytes(StandardCharsets.US_ASCII), false);
        changed = true;
    }

    /** Makes the changes durable (fsync of the directory), then releases the lock. */
    @Override
    public void close() {
        try (lock) {
            if (changed) {
                WholeFiles.syncDirectory(directory);
            }
        }
    }
}
