package io.weft.cli;

import io.weft.lab.Lab;
import io.weft.lab.LabDown;
import io.weft.lab.process.LabProcesses;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A lab as a test sees it from outside, while it comes up and once it should be gone. */
final class LabSeen {
    private LabSeen() {}

    /** How many agents {@code lab.json} records by now: none while there is no readable one yet. */
    static int agentsRecorded(Path labDir) {
        try {
            return Lab.load(labDir).agentPids().size();
        } catch (IOException notYet) {
            return 0;
        }
    }

    /** After each test, also a failed one: takes down what the test left of the lab, and nothing of it may remain. */
    static void takeDownAndCheck(Path labDir, String prefix) throws Exception {
        new LabDown(labDir, prefix, line -> {}).down();
        assertThat(LabDown.namespacesOf(prefix)).isEmpty();
        assertThat(processes(labDir, prefix)).isEmpty();
    }

    /** Processes whose command line names the lab's directory (its agents, etcd), or that run inside a namespace of its prefix. */
    static List<ProcessHandle> processes(Path labDir, String prefix) {
        List<ProcessHandle> found = new ArrayList<>(LabProcesses.inNamespaces(LabDown.namespacesOf(prefix)));
        try (var all = ProcessHandle.allProcesses()) {
            all.filter(process -> LabProcesses.recorded(process.pid(), labDir.toString()).isPresent())
                    .filter(process -> !found.contains(process)).forEach(found::add);
        }
        return found;
    }
}
