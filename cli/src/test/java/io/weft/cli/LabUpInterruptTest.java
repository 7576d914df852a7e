package io.weft.cli;

import io.weft.lab.Lab;
import io.weft.lab.LabDown;
import io.weft.lab.process.LabProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static io.weft.cli.WeftRun.weft;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code weft lab up} cut short by a signal while it builds the lab takes down what it made so far,
 * says so in one line and exits as the signal says; a lab up that finished stays up whatever later
 * command is interrupted. {@code lab up} runs as a process of its own, since the signal ends the JVM
 * it reaches.
 */
class LabUpInterruptTest {
    private static final String PREFIX = "wtest-" + ProcessHandle.current().pid() + "-lint";

    @TempDir
    Path tmp;

    private Path labDir() {
        return tmp.resolve("lab");
    }

    /** Also after a failed test: whatever it left goes. */
    @AfterEach
    void nothingIsLeft() throws Exception {
        LabSeen.takeDownAndCheck(labDir(), PREFIX);
    }

    /** A JVM ended by a signal exits with 128 + its number, after its shutdown hooks: SIGINT 130, SIGTERM 143. */
    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalWhileTheAgentsStartTakesDownWhatLabUpMade(String signal, int status) throws Exception {
        try (WeftProcess up = WeftProcess.start(tmp, List.of("lab", "up", "--nodes", "2", "--pods", "1", "--subnets", "same",
                "--dir", labDir().toString(), "--prefix", PREFIX))) {
            up.awaitWhileRunning("lab.json records an agent", () -> LabSeen.agentsRecorded(labDir()) >= 1);
            List<ProcessHandle> started = up.descendants(); // its agents, a probe or plugin it runs
            assertThat(LabDown.namespacesOf(PREFIX)).as("made so far").contains(PREFIX + "-fabric", PREFIX + "-node1", PREFIX + "-node2");

            up.signal(signal);

            assertThat(up.exitStatus()).as(up.output()).isEqualTo(status);
            assertThat(up.err().lines().toList()).as(up.output()).singleElement().asString()
                    .matches("weft lab up: interrupted, took down what it had made: [1-9][0-9]* process(es)? ended, 3 namespaces deleted, "
                            + Pattern.quote(labDir().toString()) + " removed");
            assertThat(up.out()).as(up.output()).contains("interrupted: taking down what lab up made so far").doesNotContain(" is up: ");
            assertThat(LabDown.namespacesOf(PREFIX)).as(up.output()).isEmpty();
            assertThat(LabSeen.processes(labDir(), PREFIX)).as(up.output()).isEmpty();
            assertThat(started).as("processes lab up started").noneMatch(ProcessHandle::isAlive);
            assertThat(labDir()).doesNotExist();
        }
    }

    @Test
    void aSignalToACommandAfterLabUpFinishedLeavesTheLabUp() throws Exception {
        String dir = labDir().toString();
        WeftRun up = weft("lab", "up", "--nodes", "2", "--pods", "1", "--subnets", "same", "--dir", dir, "--prefix", PREFIX);
        assertThat(up.code()).as(up.output()).isZero();
        Lab lab = Lab.load(labDir());
        List<String> namespaces = LabDown.namespacesOf(PREFIX);

        try (WeftProcess exec = WeftProcess.start(tmp, List.of("lab", "exec", "--dir", dir, "node1", "--", "sleep", "600"))) {
            exec.awaitWhileRunning("sleep runs in node1", () -> LabProcesses.inNamespaces(List.of(PREFIX + "-node1")).stream()
                    .anyMatch(process -> process.info().command().filter(command -> command.endsWith("/sleep")).isPresent()));

            exec.signal("INT");

            assertThat(exec.exitStatus()).as(exec.output()).isEqualTo(130);
        }
        assertThat(Lab.load(labDir())).isEqualTo(lab);
        assertThat(LabDown.namespacesOf(PREFIX)).containsExactlyInAnyOrderElementsOf(namespaces).hasSize(5);
        WeftRun status = weft("lab", "status", "--dir", dir);
        assertThat(status.code()).as("every agent runs and is ready: %s", status.output()).isZero();
    }
}
