package io.weft.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Whole directory trees copied (links copied as links, never followed), and emptied directories removed. */
final class FileTrees {
    private FileTrees() {}

    /** Copies {@code source} to {@code target} (which must not exist) with permissions and times. */
    static void copy(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Files.copy(dir, target.resolve(source.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes {@code dir} when it is an empty directory, else says what keeps it there. */
    static void removeIfEmpty(Path dir, Consumer<String> report) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> others = entries.map(entry -> entry.getFileName().toString()).sorted().toList();
            if (others.isEmpty()) {
                Files.delete(dir);
                report.accept("removed " + dir);
            } else {
                report.accept("left " + dir + ": it holds " + String.join(", ", others) + ", which Weft did not put there");
            }
        }
    }
}
