package io.weft.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files replaced by write-to-a-temporary-then-rename: a runtime executing the old plugin meanwhile
 * keeps it (libcni retries "text file busy"), and a reader never sees half a file.
 */
final class AtomicFiles {
    private AtomicFiles() {}

    /** Creates {@code dir} if needed; the error names the directory when it cannot be used. */
    static void ensureDirectory(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(e.getFile() + " is not a directory");
        } catch (IOException e) {
            throw new IOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(dir)) {
            throw new IOException(dir + " is not writable");
        }
    }

    /** Writes {@code content} with the given permissions (e.g. {@code rwxr-xr-x}) in place of {@code target}. */
    static void write(Path target, byte[] content, String permissions) throws IOException {
        replace(target, temporary -> {
            Files.write(temporary, content);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(permissions));
        });
    }

    /** Makes {@code link} a symbolic link to {@code target} (relative to the link's directory). */
    static void symlink(Path link, Path target) throws IOException {
        replace(link, temporary -> {
            Files.delete(temporary);
            Files.createSymbolicLink(temporary, target);
        });
    }

    private interface Filler {
        void fill(Path temporary) throws IOException;
    }

    private static void replace(Path target, Filler filler) throws IOException {
        Path temporary;
        try {
            temporary = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new IOException("cannot write in " + target.getParent() + ": " + e, e);
        }
        try {
            filler.fill(temporary);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(temporary);
            throw new IOException("cannot write " + target + ": " + e, e);
        }
    }
}
