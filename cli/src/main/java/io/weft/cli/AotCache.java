package io.weft.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The AOT cache (JEP 483/514) of the Java plugin: the classes a CNI request loads, already parsed and
 * linked, which halves the fallback path's start (~220 ms to ~100 ms here). It lives next to the jars
 * and is named by their SHA-256: Temurin 25.0.3 silently uses a stale cache when the jars change
 * (JDK-8377932), so a cache is only ever used with the jars it was trained on.
 */
final class AotCache {
    private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(2);
    private static final Pattern CACHE_NAME = Pattern.compile("weft-cni-[0-9a-f]{64}\\.aot");

    private AotCache() {}

    /** {@code LIB/weft-cni-SHA256.aot}, the hash taken over the names and bytes of the jars in class-path order. */
    static Path fileFor(Distribution distribution) throws IOException {
        return distribution.libDir().resolve("weft-cni-" + distribution.digest() + ".aot");
    }

    /**
     * Trains {@code cache} by running one VERSION request through the plugin with the launcher's own
     * JVM, options and class path, then renames it into place.
     *
     * @return why training failed, or empty when {@code cache} now exists
     */
    static Optional<String> train(Distribution distribution, Path cache) {
        Path output = cache.resolveSibling("." + cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Path log = Files.createTempFile("weft-aot-training-", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(new JavaLauncher(distribution, Optional.empty()).trainingCommand(output))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(log.toFile());
                builder.environment().keySet().removeIf(name -> name.startsWith("CNI_") || name.equals("JAVA_TOOL_OPTIONS"));
                builder.environment().put("CNI_COMMAND", "VERSION");
                Process process = builder.start();
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the JVM exited without reading its stdin (a broken pipe): its exit code says why, below
                }
                if (!process.waitFor(TRAINING_TIMEOUT)) {
                    process.destroyForcibly();
                    return Optional.of("no result within " + TRAINING_TIMEOUT.toSeconds() + " s");
                }
                if (!Files.isRegularFile(output) || Files.size(output) == 0) {
                    return Optional.of("exit code " + process.exitValue() + ", no cache written: " + lastLine(log));
                }
                Files.move(output, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return Optional.empty();
            } finally {
                Files.deleteIfExists(log);
                Files.deleteIfExists(output);
                Files.deleteIfExists(output.resolveSibling(output.getFileName() + ".config"));
            }
        } catch (IOException e) {
            return Optional.of(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /**
     * Deletes the caches in the lib dir other than {@code current}: they were trained on jars that are
     * no longer there, and a launcher still naming one turns it off (its jars are newer).
     *
     * @return the files deleted
     */
    static List<Path> removeOthers(Path current) throws IOException {
        try (Stream<Path> files = Files.list(current.getParent())) {
            List<Path> stale = files.filter(file -> !file.equals(current))
                    .filter(file -> CACHE_NAME.matcher(file.getFileName().toString()).matches())
                    .toList();
            for (Path file : stale) {
                Files.deleteIfExists(file);
            }
            return stale;
        }
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log).stream().filter(line -> !line.isBlank()).toList();
        return lines.isEmpty() ? "(nothing on stderr)" : lines.getLast().strip();
    }
}
