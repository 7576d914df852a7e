package io.weft.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Labs make network namespaces and enter them: that takes root (CAP_SYS_ADMIN and CAP_NET_ADMIN). */
final class Root {
    private Root() {}

    static void require(String command) throws LabException {
        if (!isRoot()) {
            throw new LabException(command + " needs root: it makes network namespaces and enters them (run it with sudo)");
        }
    }

    /** The effective user id from {@code /proc/self/status} ({@code Uid: real effective saved fs}). */
    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .map(line -> line.split("\\s+")[2])
                    .anyMatch("0"::equals);
        } catch (IOException e) {
            return false;
        }
    }
}
