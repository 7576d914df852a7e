package io.weft.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packaged distribution ({@code cli/target/dist}) run as {@code ./weft} runs it: the build's JDK
 * and the distribution's jars, in a process of its own. Only the tests of the integration-test phase
 * (after package) are given it; run earlier, they are skipped.
 */
final class Dist {
    private static final long TIMEOUT_SECONDS = 300;

    record Run(int exitCode, String output) {}

    private Dist() {}

    /** {@code cli/target/dist}; skips the calling test outside the integration-test phase. */
    static Path home() {
        String home = System.getProperty("weft.dist");
        assumeTrue(home != null, "runs in the integration-test phase, on the packaged distribution (./mvnw verify)");
        Path dist = Path.of(home);
        assumeTrue(Files.isRegularFile(dist.resolve("lib/weft-cli.jar")), "no distribution in " + dist);
        return dist;
    }

    /** The command line of {@code weft ARGS…}, run by the build's JDK on the distribution's jars. */
    static List<String> weft(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", home().resolve("lib") + File.separator + "*", Main.class.getName()));
        command.addAll(args);
        return command;
    }

    /** Runs {@code command} to its end, stdout and stderr together in {@code log}; returns its exit code and output. */
    static Run run(List<String> command, Path log) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s:\n" + Files.readString(log));
            }
            return new Run(process.exitValue(), Files.readString(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs {@code command}, which must exit 0; returns its output. */
    static String succeed(List<String> command, Path log) {
        Run run = run(command, log);
        if (run.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + run.exitCode() + ":\n" + run.output());
        }
        return run.output();
    }
}
