package io.weft.lab;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** lab up's failures: what it refuses before touching anything, and an agent that cannot start. */
class LabUpTest {
    private static final String PREFIX = "wtest-" + ProcessHandle.current().pid() + "-up";

    @TempDir
    Path tmp;

    private final List<String> progress = new ArrayList<>();

    @AfterEach
    void nothingIsLeft() throws Exception {
        new LabDown(tmp.resolve("lab"), PREFIX, line -> {}).down();
        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
    }

    private LabUp labUp(WeftLauncher weft) {
        return new LabUp(tmp.resolve("lab"), PREFIX, weft, progress::add);
    }

    @Test
    void anAgentThatExitsFailsTheLabWithItsLogAndEverythingIsRemoved() {
        // a weft that is not there: the JVM starts in the node and exits at once, as a broken agent would
        WeftLauncher broken = WeftLauncher.ofThisJvm("io.weft.NoSuchMain");

        assertThatThrownBy(() -> labUp(broken).up(new LabOptions(1, 1, LabOptions.Store.LOCAL, false, LabOptions.Subnets.SAME)))
                .isInstanceOf(LabException.class)
                .hasMessageContaining("the agent of node1 exited with 1 before it was ready")
                .hasMessageContaining("node1/agent.log, last lines")
                .hasMessageContaining("Could not find or load main class io.weft.NoSuchMain");

        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
        assertThat(tmp.resolve("lab")).doesNotExist();
        assertThat(progress).anyMatch(line -> line.startsWith("lab up failed: the agent of node1 exited"));
    }

    @Test
    void refusesADirectoryThatIsNotEmptyBeforeMakingAnything() throws Exception {
        Files.createDirectories(tmp.resolve("lab"));
        Files.writeString(tmp.resolve("lab/notes.txt"), "mine");

        assertThatThrownBy(() -> labUp(WeftLauncher.ofThisJvm("io.weft.NoSuchMain"))
                .up(new LabOptions(1, 0, LabOptions.Store.LOCAL, false, LabOptions.Subnets.SAME)))
                .hasMessage("--dir " + tmp.resolve("lab") + " is not empty: a lab needs a directory of its own (it is removed by weft lab down)");

        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
        assertThat(tmp.resolve("lab/notes.txt")).hasContent("mine");
    }
}
