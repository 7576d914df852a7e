package io.weft.cli;

import io.weft.lab.LabDown;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code weft demo} cut short by SIGINT, as Ctrl-C does, while its lab comes up and while it measures:
 * it takes its lab down and leaves no namespace and no process behind. The demo runs as a process of
 * its own, since the signal ends the JVM it reaches.
 */
class DemoInterruptTest {
    private static final String PREFIX = "wtest-" + ProcessHandle.current().pid() + "-dint";
    /** A JVM ended by SIGINT exits 128 + 2. */
    private static final int SIGINT_STATUS = 130;

    @TempDir
    Path tmp;

    private Path labDir() {
        return tmp.resolve("lab");
    }

    @AfterEach
    void nothingIsLeft() throws Exception {
        LabSeen.takeDownAndCheck(labDir(), PREFIX);
    }

    @Test
    void sigintWhileTheLabComesUpTakesItDown() throws Exception {
        try (WeftProcess demo = startDemo("--seconds", "1")) {
            demo.awaitWhileRunning("an agent started", () -> LabSeen.agentsRecorded(labDir()) >= 1);
            List<ProcessHandle> started = demo.descendants(); // its agents
            demo.signal("INT");

            assertTakenDown(demo);
            assertThat(started).as("processes the demo started").noneMatch(ProcessHandle::isAlive);
        }
    }

    @Test
    void sigintWhileMeasuringStopsTheStreamAndTakesTheLabDown() throws Exception {
        try (WeftProcess demo = startDemo("--seconds", "60")) {
            demo.awaitWhileRunning("the first throughput stream started", () -> demo.out().contains("throughput "));
            List<ProcessHandle> started = demo.descendants(); // its agents and, with iperf3, the stream's ends
            demo.signal("INT");

            assertTakenDown(demo);
            assertThat(started).as("processes the demo started").noneMatch(ProcessHandle::isAlive);
            assertThat(demo.out()).as("no report of a demo cut short").doesNotContain("Connectivity: TCP connect");
        }
    }

    private WeftProcess startDemo(String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("demo", "--nodes", "2", "--pods", "1", "--dir", labDir().toString(), "--prefix", PREFIX));
        args.addAll(List.of(options));
        return WeftProcess.start(tmp, args);
    }

    /** The demo exits of the signal, having said so and taken down its lab: namespaces, agents, directory. */
    private void assertTakenDown(WeftProcess demo) throws Exception {
        assertThat(demo.exitStatus()).as(demo.output()).isEqualTo(SIGINT_STATUS);
        assertThat(demo.err()).contains("interrupted: taking the lab down");
        assertThat(demo.out()).as(demo.output()).contains("lab down: ");
        assertThat(LabDown.namespacesOf(PREFIX)).as(demo.output()).isEmpty();
        assertThat(LabSeen.processes(labDir(), PREFIX)).as(demo.output()).isEmpty();
        assertThat(labDir()).doesNotExist();
    }
}
