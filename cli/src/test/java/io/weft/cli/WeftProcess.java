package io.weft.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code weft} command run as a process of its own, as a user runs it: for what only a process can
 * be sent, a signal that ends its JVM. Its stdout and stderr go to files in a directory of the test's.
 */
final class WeftProcess implements AutoCloseable {
    /** Generous for a busy machine: the conditions awaited are a lab's steps, seconds each. */
    private static final long WITHIN_SECONDS = 120;

    private final Process process;
    private final Path out;
    private final Path err;

    private WeftProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static WeftProcess start(Path logDir, List<String> args) throws IOException {
        Path out = Files.createTempFile(logDir, "weft-", ".out");
        Path err = Files.createTempFile(logDir, "weft-", ".err");
        Process process = new ProcessBuilder(LabCommand.weft().command(List.of(), args))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new WeftProcess(process, out, err);
    }

    /** Polls {@code condition} (every 20 ms: a signal should come soon after it holds) while the command runs. */
    void awaitWhileRunning(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WITHIN_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(process.isAlive()).as("the command runs until %s: %s", what, output()).isTrue();
            assertThat(System.nanoTime()).as("%s within %d s: %s", what, WITHIN_SECONDS, output()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** {@code kill -SIGNAL}, e.g. INT as Ctrl-C sends it: ProcessHandle sends only SIGTERM and SIGKILL. */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    /** Waits for the command to exit, and returns its status. */
    int exitStatus() throws InterruptedException {
        assertThat(process.waitFor(WITHIN_SECONDS, TimeUnit.SECONDS)).as("the command exits: %s", output()).isTrue();
        return process.exitValue();
    }

    /** The processes it started that are still running: a lab's agents, say. */
    List<ProcessHandle> descendants() {
        return process.descendants().toList();
    }

    String out() {
        return read(out);
    }

    String err() {
        return read(err);
    }

    /** For an assertion's description: everything it printed. */
    String output() {
        return "\n--- stdout\n" + out() + "--- stderr\n" + err();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the command if a failed test left it running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
