package io.weft.cli;

import io.weft.lab.Lab;
import io.weft.lab.LabDown;
import io.weft.lab.LabPod;
import io.weft.lab.process.LabProcesses;
import io.weft.netlink.ns.NetNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.weft.cli.WeftRun.weft;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code weft lab} end to end with real agent processes: up, status, exec, down, and down after a
 * crash. Every lab has a prefix of this test JVM ({@code wtest-<pid>-…}) and a directory of the test's.
 */
class LabCommandTest {
    private static final String PREFIX = "wtest-" + ProcessHandle.current().pid() + "-lab";

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
    void upStatusExecAndDownLeaveNothingBehind() throws Exception {
        String dir = labDir().toString();
        WeftRun up = weft("lab", "up", "--nodes", "2", "--pods", "1", "--subnets", "same", "--dir", dir, "--prefix", PREFIX);
        assertThat(up.code()).as(up.output()).isZero();
        assertThat(up.out()).contains("lab " + PREFIX + " is up: 2 nodes, 2 pods");
        assertThat(LabDown.namespacesOf(PREFIX)).containsExactlyInAnyOrder(PREFIX + "-fabric", PREFIX + "-node1", PREFIX + "-node2",
                PREFIX + "-node1-pod1", PREFIX + "-node2-pod1");
        Lab lab = Lab.load(labDir());
        assertThat(lab.state()).isEqualTo(Lab.State.UP);
        assertThat(lab.agentPids().values()).hasSize(2).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertThat(lab.pods()).extracting(LabPod::ip).allMatch(ip -> ip.startsWith("10.42."));

        WeftRun status = weft("lab", "status", "--dir", dir);
        assertThat(status.code()).as(status.output()).isZero();
        assertThat(status.out()).contains("up, 2 nodes x 1 pod, store local, subnets same")
                .containsPattern("node1 +10\\.200\\.0\\.1 \\(10\\.200\\.0\\.0/24\\) +10\\.42\\.\\d+\\.0/24 .*ready +node2 direct")
                .contains("node2-pod1", lab.pod("node2-pod1").orElseThrow().ip());

        Path seen = tmp.resolve("netns-seen");
        LabPod pod = lab.pod("node2-pod1").orElseThrow();
        WeftRun exec = weft("lab", "exec", "--dir", dir, pod.ip(), "--", "sh", "-c", "readlink /proc/self/ns/net > " + seen + "; exit 3");
        assertThat(exec.code()).as(exec.output()).isEqualTo(3);
        assertThat(Files.readString(seen).strip()).isEqualTo("net:[" + LabProcesses.namespaceInode(pod.netns()).orElseThrow() + "]");
        WeftRun unknown = weft("lab", "exec", "--dir", dir, "node9", "--", "true");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("no node or pod node9", "nodes: node1, node2", "pods: node1-pod1, node2-pod1");

        WeftRun trace = weft("trace", "--lab-dir", dir, "node1-pod1", "node2-pod1");
        assertThat(trace.code()).as(trace.output()).isZero();
        assertThat(trace.out()).contains("The path is complete", lab.pod("node2-pod1").orElseThrow().ip());

        WeftRun healthy = weft("doctor", "--lab-dir", dir);
        assertThat(healthy.code()).as(healthy.output()).isZero();
        assertThat(healthy.out()).contains("node node1", "node node2").doesNotContain("✗");
        try (NetNamespace node1 = NetNamespace.open(lab.node("node1").orElseThrow().netns())) {
            node1.sysctl().set("net.ipv4.conf.all.rp_filter", "1");
        }
        WeftRun strict = weft("doctor", "--lab-dir", dir);
        assertThat(strict.code()).as(strict.output()).isEqualTo(1);
        assertThat(strict.out()).containsPattern("✗ rp-filter");
        assertThat(strict.out().substring(strict.out().indexOf("node node2"))).doesNotContain("✗");

        WeftRun again = weft("lab", "up", "--dir", dir, "--prefix", PREFIX + "2");
        assertThat(again.code()).as(again.output()).isEqualTo(1);
        assertThat(again.err()).contains("a lab is already up in " + dir);
        WeftRun samePrefix = weft("lab", "up", "--dir", tmp.resolve("other").toString(), "--prefix", PREFIX);
        assertThat(samePrefix.code()).as(samePrefix.output()).isEqualTo(1);
        assertThat(samePrefix.err()).contains("namespaces of prefix " + PREFIX + " exist");

        WeftRun down = weft("lab", "down", "--dir", dir, "--prefix", PREFIX);
        assertThat(down.code()).as(down.output()).isZero();
        assertThat(down.out()).contains("pod node1-pod1 detached (CNI DEL)", "2 processes ended", "5 namespaces deleted");
        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
        assertThat(labDir()).doesNotExist();
        assertThat(lab.agentPids().values()).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

        WeftRun twice = weft("lab", "down", "--dir", dir, "--prefix", PREFIX);
        assertThat(twice.code()).isZero();
        assertThat(twice.out()).contains("nothing to remove");
    }

    @Test
    void downAfterKilledAgentsAndACutLabJsonLeavesNothing() throws Exception {
        String dir = labDir().toString();
        WeftRun up = weft("lab", "up", "--nodes", "2", "--pods", "1", "--dir", dir, "--prefix", PREFIX);
        assertThat(up.code()).as(up.output()).isZero();
        Lab lab = Lab.load(labDir());
        for (long pid : lab.agentPids().values()) {
            ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
            agent.destroyForcibly();
            agent.onExit().get(30, TimeUnit.SECONDS);
        }
        WeftRun status = weft("lab", "status", "--dir", dir);
        assertThat(status.code()).isEqualTo(1);
        assertThat(status.out()).contains("NOT RUNNING");
        Path file = labDir().resolve(Lab.FILE);
        byte[] content = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(content, content.length / 2));

        WeftRun down = weft("lab", "down", "--dir", dir, "--prefix", PREFIX);

        assertThat(down.code()).as(down.output()).isZero();
        assertThat(down.out()).contains("cleaning up by prefix " + PREFIX, "6 namespaces deleted");
        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
        assertThat(labDir()).doesNotExist();
    }

    @Test
    void downAfterTheLabUpProcessWasKilledEndsTheAgentsItStarted() throws Exception {
        try (WeftProcess labUp = WeftProcess.start(tmp, List.of("lab", "up", "--nodes", "2", "--pods", "1",
                "--dir", labDir().toString(), "--prefix", PREFIX))) {
            labUp.awaitWhileRunning("an agent started", () -> LabSeen.agentsRecorded(labDir()) >= 1);
            labUp.signal("KILL"); // no shutdown hook runs: what it made stays
            labUp.exitStatus();
        }
        assertThat(labProcesses()).as("agents outlive the lab up that started them").isNotEmpty();

        WeftRun down = weft("lab", "down", "--dir", labDir().toString(), "--prefix", PREFIX);

        assertThat(down.code()).as(down.output()).isZero();
        assertThat(labProcesses()).isEmpty();
        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
        assertThat(labDir()).doesNotExist();
    }

    /** Processes whose command line names the lab's directory: its agents (and etcd). */
    private List<ProcessHandle> labProcesses() {
        String marker = labDir().toString();
        try (var all = ProcessHandle.allProcesses()) {
            return all.filter(process -> LabProcesses.recorded(process.pid(), marker).isPresent()).toList();
        }
    }
}
