package io.weft.lab;

import io.weft.lab.process.InNamespace;
import io.weft.lab.process.LabProcesses;
import io.weft.lab.topology.Topology;
import io.weft.lab.topology.Wiring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** lab down without lab.json: what is found by prefix and by namespace goes, and a directory not a lab's stays. */
class LabDownTest {
    private static final String PREFIX = "wtest-" + ProcessHandle.current().pid() + "-down";

    @TempDir
    Path dir;

    private final List<String> progress = new ArrayList<>();

    @AfterEach
    void removeEverything() throws Exception {
        new LabDown(dir.resolve("lab"), PREFIX, progress::add).down();
    }

    @Test
    void endsProcessesInLabNamespacesAndDeletesThemWithoutLabJson() throws Exception {
        new Wiring(new Topology(PREFIX, new LabOptions(2, 0, LabOptions.Store.LOCAL, false, LabOptions.Subnets.SAME)), progress::add).build();
        Path lab = Files.createDirectories(dir.resolve("lab"));
        Files.writeString(lab.resolve(LabDown.MARKER), PREFIX);
        Files.writeString(lab.resolve(Lab.FILE), "{\"prefix\": \"" + PREFIX); // cut off, as by a crash
        Process sleeper = InNamespace.startDaemon(PREFIX + "-node2", List.of("sleep", "600"), dir.resolve("sleep.log"));
        awaitInside(sleeper, PREFIX + "-node2");

        assertThat(new LabDown(lab, PREFIX, progress::add).down().processes()).isPositive();

        assertThat(sleeper.isAlive()).isFalse();
        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
        assertThat(lab).doesNotExist();
        assertThat(progress).anyMatch(line -> line.contains("lab.json cannot be used") && line.contains("is not JSON"))
                .anyMatch(line -> line.contains("ending pid " + sleeper.pid() + " (sleep)"));
    }

    @Test
    void aWrongDirDoesNotTakeDownAnotherLabOfTheSamePrefix() throws Exception {
        new Wiring(new Topology(PREFIX, new LabOptions(1, 0, LabOptions.Store.LOCAL, false, LabOptions.Subnets.SAME)), progress::add).build();
        Path lab = Files.createDirectories(dir.resolve("lab"));
        Files.writeString(lab.resolve(LabDown.MARKER), PREFIX);
        Files.writeString(lab.resolve(Lab.FILE), "{}");
        // what the lab's agent would look like to ps: its --run-dir in that lab
        Process agent = InNamespace.startDaemon(PREFIX + "-node1", List.of("sh", "-c", "sleep 600; true", "agent", "--run-dir",
                lab.resolve("node1/run").toString()), dir.resolve("agent.log"));
        try {
            awaitInside(agent, PREFIX + "-node1");
            Path elsewhere = dir.resolve("elsewhere");

            assertThatThrownBy(() -> new LabDown(elsewhere, PREFIX, progress::add).down())
                    .hasMessageContaining("belong to the lab in " + lab).hasMessageContaining("weft lab down --dir " + lab);
            assertThat(agent.isAlive()).isTrue();
            assertThat(LabDown.namespacesOf(PREFIX)).hasSize(2);
        } finally {
            agent.destroyForcibly().waitFor();
        }
    }

    @Test
    void leavesADirectoryWithoutTheMarkerAlone() throws Exception {
        Path notALab = Files.createDirectories(dir.resolve("lab"));
        Files.writeString(notALab.resolve("precious.txt"), "keep me");

        assertThat(new LabDown(notALab, PREFIX, progress::add).down()).isEqualTo(new LabDown.Removal(0, List.of(), Optional.empty()));

        assertThat(notALab.resolve("precious.txt")).hasContent("keep me");
        assertThat(progress).anyMatch(line -> line.contains("left " + notALab + " alone"))
                .anyMatch(line -> line.startsWith("lab down: nothing to remove"));
    }

    /** Until nsenter has entered the namespace (and exec'd the command): only then is the process found there. */
    private static void awaitInside(Process process, String netns) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (LabProcesses.inNamespaces(List.of(netns)).stream().noneMatch(found -> found.pid() == process.pid())) {
            assertThat(System.nanoTime()).as("%s entered %s", process.pid(), netns).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
