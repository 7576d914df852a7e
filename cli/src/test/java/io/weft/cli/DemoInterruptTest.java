package io.weft.cli;

import io.weft.lab.Lab;
import io.weft.lab.LabDown;
import io.weft.lab.process.LabProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code weft demo} cut short by SIGINT, as Ctrl-C does, while its lab comes up and while it measures:
 * it takes its lab down and leaves no namespace and no process behind. The demo runs as a process of
 * its own, since the signal ends the JVM it reaches.
 */
class DemoInterruptTest {
    private static final String PREFIX = "wtest-" + ProcessHandle.current().pid() + "-dint";
    private static final long AWAIT_SECONDS = 120;
    /** A JVM ended by SIGINT exits 128 + 2. */
    private static final int SIGINT_STATUS = 130;

    @TempDir
    Path tmp;
    private Process demo;

    private Path labDir() {
        return tmp.resolve("lab");
    }

    @AfterEach
    void nothingIsLeft() throws Exception {
        if (demo != null && demo.isAlive()) {
            demo.destroyForcibly().waitFor();
        }
        new LabDown(labDir(), PREFIX, line -> {}).down();
        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
        assertThat(labProcesses()).isEmpty();
    }

    @Test
    void sigintWhileTheLabComesUpTakesItDown() throws Exception {
        demo = startDemo("--seconds", "1");
        awaitDemo("an agent started", () -> agentsRecorded() >= 1);

        List<ProcessHandle> started = demo.descendants().toList(); // its agents
        interrupt(demo);

        assertTakenDown();
        assertThat(started).as("processes the demo started").noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void sigintWhileMeasuringStopsTheStreamAndTakesTheLabDown() throws Exception {
        demo = startDemo("--seconds", "60");
        awaitDemo("the first throughput stream started", () -> stdout().contains("throughput "));
        List<ProcessHandle> started = demo.descendants().toList(); // its agents and, with iperf3, the stream's ends
        interrupt(demo);

        assertTakenDown();
        assertThat(started).as("processes the demo started").noneMatch(ProcessHandle::isAlive);
        assertThat(stdout()).as("no report of a demo cut short").doesNotContain("Connectivity: TCP connect");
    }

    private Process startDemo(String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("demo", "--nodes", "2", "--pods", "1", "--dir", labDir().toString(), "--prefix", PREFIX));
        args.addAll(List.of(options));
        return new ProcessBuilder(LabCommand.weft().command(List.of(), args))
                .redirectOutput(tmp.resolve("out.log").toFile())
                .redirectError(tmp.resolve("err.log").toFile())
                .start();
    }

    private void awaitDemo(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(demo.isAlive()).as("the demo runs until %s: %s", what, output()).isTrue();
            assertThat(System.nanoTime()).as("%s within %d s: %s", what, AWAIT_SECONDS, output()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** {@code kill -INT}: ProcessHandle sends only SIGTERM and SIGKILL. */
    private static void interrupt(Process process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    /** The demo exits of the signal, having said so and taken down its lab: namespaces, agents, directory. */
    private void assertTakenDown() throws Exception {
        assertThat(demo.waitFor(AWAIT_SECONDS, TimeUnit.SECONDS)).as("the demo exits: %s", output()).isTrue();
        assertThat(demo.exitValue()).as(output()).isEqualTo(SIGINT_STATUS);
        assertThat(Files.readString(tmp.resolve("err.log"))).contains("interrupted: taking the lab down");
        assertThat(stdout()).as(output()).contains("lab down: ");
        assertThat(LabDown.namespacesOf(PREFIX)).as(output()).isEmpty();
        assertThat(labProcesses()).as(output()).isEmpty();
        assertThat(labDir()).doesNotExist();
    }

    private int agentsRecorded() {
        try {
            return Lab.load(labDir()).agentPids().size();
        } catch (IOException notYet) {
            return 0;
        }
    }

    private String stdout() {
        try {
            return Files.readString(tmp.resolve("out.log"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String output() throws IOException {
        return "\n--- stdout\n" + stdout() + "--- stderr\n" + Files.readString(tmp.resolve("err.log"));
    }

    /** Processes whose command line names the lab's directory (its agents), or that run inside a namespace of it. */
    private List<ProcessHandle> labProcesses() {
        String marker = labDir().toString();
        List<ProcessHandle> found = new ArrayList<>(LabProcesses.inNamespaces(LabDown.namespacesOf(PREFIX)));
        try (var all = ProcessHandle.allProcesses()) {
            all.filter(process -> LabProcesses.recorded(process.pid(), marker).isPresent()).forEach(found::add);
        }
        return found;
    }
}
