package io.weft.netlink.sys;

import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The generated constants must be exactly what netlink/tools/gen-constants.sh makes from this
 * machine's headers: nobody edits them by hand, and a constant is never typed from memory.
 */
class KernelConstantsTest {
    private static final List<String> GENERATED = List.of("Kernel.java", "Errno.java", "SyscallNumbers.java");

    /** The netlink module: Maven sets {@code basedir} and runs tests from there. */
    private static final Path MODULE = Path.of(System.getProperty("basedir", "")).toAbsolutePath();

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }

    @Test
    void committedConstantsEqualWhatTheGeneratorMakesFromTheHeaders(@TempDir Path out) throws IOException {
        assumeTrue(onPath("gcc"), "gcc is not installed, so the constants cannot be regenerated to compare");
        assumeTrue(Files.exists(Path.of("/usr/include/linux/rtnetlink.h")),
                "the kernel UAPI headers (linux-libc-dev) are not installed, so the constants cannot be regenerated");
        Path tools = MODULE.resolve("tools");
        Path committed = MODULE.resolve("src/main/java/io/weft/netlink/sys");
        assertThat(tools.resolve("gen-constants.sh")).as("generator, found from basedir " + MODULE).exists();

        Sandbox.run(List.of("bash", tools.resolve("gen-constants.sh").toString(), out.toString()));

        for (String file : GENERATED) {
            assertThat(out.resolve("io/weft/netlink/sys").resolve(file))
                    .as(file + " differs from what gen-constants.sh generates: edit netlink/tools/*.c and regenerate")
                    .hasSameTextualContentAs(committed.resolve(file));
        }
    }
}
