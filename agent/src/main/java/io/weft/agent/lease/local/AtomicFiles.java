package io.weft.agent.lease.local;

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
 * Files that are whole or absent: content is written and fsynced under a temp name, then renamed
 * (replace) or hard-linked (exclusive create) to its name, as the CNI IPAM writes reservations. Callers
 * hold the store lock ({@link io.weft.netlink.sys.Flock}), so a temp file found under the lock is the remains of a crashed writer.
 */
final class AtomicFiles {
    /** Temp files start with a dot, which no subnet name and no config name does. */
    static final String TEMP_PREFIX = ".weft-";

    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

    private AtomicFiles() {}

    /** Writes {@code target} whole, whether or not it exists. */
    static void replace(Path target, byte[] content) {
        Path temp = writeTemp(target.getParent(), content);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            delete(temp);
            throw failure("rename " + temp + " to", target, e);
        }
    }

    /** Creates {@code target} whole; false, and nothing written, if it exists. */
    static boolean create(Path target, byte[] content) {
        Path temp = writeTemp(target.getParent(), content);
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
    static Optional<byte[]> read(Path file) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("read", file, e);
        }
    }

    /** Deletes a file; true if it was there. */
    static boolean delete(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw failure("delete", file, e);
        }
    }

    /** Makes renames, links and deletions in {@code directory} durable. */
    static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw failure("fsync", directory, e);
        }
    }

    static void deleteStrayTempFiles(Path directory) {
        try (DirectoryStream<Path> strays = Files.newDirectoryStream(directory, TEMP_PREFIX + "*")) {
            for (Path stray : strays) {
                delete(stray);
            }
        } catch (IOException e) {
            throw failure("list", directory, e);
        }
    }

    static UncheckedIOException failure(String action, Path file, IOException e) {
        return new UncheckedIOException("cannot " + action + " " + file + ": " + e, e);
    }

    private static Path writeTemp(Path directory, byte[] content) {
        Path temp = directory.resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_MODE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
            return temp;
        } catch (IOException e) {
            delete(temp);
            throw failure("write", temp, e);
        }
    }
}
