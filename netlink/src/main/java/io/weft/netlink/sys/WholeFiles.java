package io.weft.netlink.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files that are whole or absent, in a directory whose one writer holds its lock ({@link Flock}): content
 * is written under a temp name, then renamed over its name (replace) or hard-linked to it (exclusive
 * create, which a rename cannot do). Under the lock a temp file is the remains of a crashed writer, so
 * {@link #deleteStrayTempFiles} clears them. Unlike {@link AtomicFile}, the directory is not fsynced per
 * file: the caller calls {@link #syncDirectory} once for all its changes. Failures name the file.
 * The agent's local lease store and the CNI IPAM's reservations are kept this way.
 */
public final class WholeFiles {
    /** Temp files start with a dot, which no reservation, lease or config name does. */
    public static final String TEMP_PREFIX = ".weft-";

    private final FileAttribute<Set<PosixFilePermission>> mode;

    /** Files written with {@code permissions}, e.g. {@code rw-r--r--}. */
    public WholeFiles(String permissions) {
        this.mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
    }

    /**
     * Writes {@code target} whole, whether or not it exists. Not {@code durable}, the content is not
     * fsynced before the rename, so a crash may leave the name empty or garbled: only for files whose
     * loss costs nothing.
     */
    public void replace(Path target, byte[] content, boolean durable) {
        Path temp = writeTemp(target.getParent(), content, durable);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            delete(temp);
            throw failure("rename " + temp + " to", target, e);
        }
    }

    /** Creates {@code target} whole (content fsynced); false, and nothing written, if it exists. */
    public boolean create(Path target, byte[] content) {
        Path temp = writeTemp(target.getParent(), content, true);
        try {
            Files.createLink(target, temp);
            return true;
        } catch (FileAlreadyExistsException taken) {
            return false;
        } catch (IOException e) {
            throw failure("link " + temp + " to", target, e);
        } finally {
            delete(temp);
        }
    }

    /** The file's content, or empty if it does not exist. */
    public static Optional<byte[]> read(Path file) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("read", file, e);
        }
    }

    /** Deletes a file; true if it was there. */
    public static boolean delete(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw failure("delete", file, e);
        }
    }

    /** Makes renames, links and deletions in {@code directory} durable. */
    public static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw failure("fsync", directory, e);
        }
    }

    /** Deletes the temp files a crashed writer left in {@code directory}; only while holding its lock. */
    public static void deleteStrayTempFiles(Path directory) {
        try (DirectoryStream<Path> strays = Files.newDirectoryStream(directory, TEMP_PREFIX + "*")) {
            for (Path stray : strays) {
                delete(stray);
            }
        } catch (IOException e) {
            throw failure("list", directory, e);
        }
    }

    /** The error for an {@code action} on {@code file} that failed: {@code cannot fsync /var/lib/...: ...}. */
    public static UncheckedIOException failure(String action, Path file, IOException e) {
        return new UncheckedIOException("cannot " + action + " " + file + ": " + e, e);
    }

    private Path writeTemp(Path directory, byte[] content, boolean durable) {
        Path temp = directory.resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (durable) {
                channel.force(true);
            }
            return temp;
        } catch (IOException e) {
            delete(temp);
            throw failure("write", temp, e);
        }
    }
}
