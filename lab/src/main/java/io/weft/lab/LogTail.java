package io.weft.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The last lines of a log, quoted in an error so the user sees why without opening the file. */
final class LogTail {
    private static final int LINES = 25;

    private LogTail() {}

    static String of(Path log) {
        try {
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            return "  (" + log + ", last lines)\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - LINES), lines.size()));
        } catch (IOException e) {
            return "  (" + log + " cannot be read: " + e.getMessage() + ")";
        }
    }
}
