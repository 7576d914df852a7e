package io.weft.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabFileTest {
    @TempDir
    Path dir;

    private Lab lab() {
        LabNode node1 = node("node1", "10.200.0.1");
        LabNode node2 = node("node2", "10.200.0.2");
        return new Lab("wl", dir, new LabOptions(2, 1, LabOptions.Store.ETCD, true, LabOptions.Subnets.SPLIT), Lab.State.UP,
                "wl-fabric", Optional.of("wl-router"), Optional.of(new LabEtcd("wl-fabric", "http://10.200.0.253:2379", 41)),
                List.of(node1, node2),
                List.of(new LabPod("node1-pod1", "node1", "wl-node1-pod1", "10.42.1.2"),
                        new LabPod("node2-pod1", "node2", "wl-node2-pod1", "10.42.2.2")),
                Map.of("node1", 42L, "node2", 43L));
    }

    private LabNode node(String name, String ip) {
        Path nodeDir = dir.resolve(name);
        return new LabNode(name, "wl-" + name, ip, nodeDir.resolve("run"), nodeDir.resolve("state"),
                nodeDir.resolve("cni/bin"), nodeDir.resolve("cni/net.d"));
    }

    @Test
    void readsBackWhatItSaved() throws IOException {
        Lab lab = lab();
        lab.save();

        assertThat(Lab.load(dir)).isEqualTo(lab);
        assertThat(Files.readString(dir.resolve("lab.json"))).contains("\"cniBinDir\" : \"" + dir.resolve("node1/cni/bin") + "\"");
    }

    @Test
    void aLabWithoutRouterOrEtcdLeavesThemOut() throws IOException {
        Lab lab = new Lab("wl", dir, new LabOptions(1, 0, LabOptions.Store.LOCAL, false, LabOptions.Subnets.SAME), Lab.State.STARTING,
                "wl-fabric", Optional.empty(), Optional.empty(), List.of(), List.of(), Map.of());
        lab.save();

        assertThat(Lab.load(dir)).isEqualTo(lab);
        assertThat(Files.readString(dir.resolve("lab.json"))).doesNotContain("router", "etcd");
    }

    @Test
    void findsNodesAndPodsByNameAndPodsByAddress() {
        Lab lab = lab();

        assertThat(lab.node("node2").map(LabNode::underlayIp)).contains("10.200.0.2");
        assertThat(lab.node("node3")).isEmpty();
        assertThat(lab.pod("10.42.2.2").map(LabPod::name)).contains("node2-pod1");
        assertThat(lab.pod("node1-pod1").map(LabPod::ip)).contains("10.42.1.2");
        assertThat(lab.podsOn("node2")).extracting(LabPod::name).containsExactly("node2-pod1");
        assertThat(lab.namespaces()).containsExactly("wl-fabric", "wl-router", "wl-node1", "wl-node2", "wl-node1-pod1", "wl-node2-pod1");
    }

    @Test
    void noFileSaysThereIsNoLab() {
        assertThatThrownBy(() -> Lab.load(dir)).isInstanceOf(NoSuchFileException.class).hasMessageContaining("no lab here");
    }

    @Test
    void aDamagedFileNamesTheFieldAtFault() throws IOException {
        lab().save();
        Path file = dir.resolve("lab.json");
        String good = Files.readString(file);

        Files.writeString(file, good.replace("\"underlayIp\" : \"10.200.0.2\"", "\"underlayIp\" : 7"));
        assertThatThrownBy(() -> Lab.load(dir)).hasMessageContaining("nodes[1].underlayIp is not a non-empty string");

        Files.writeString(file, good.replace("\"subnets\" : \"split\"", "\"subnets\" : \"both\""));
        assertThatThrownBy(() -> Lab.load(dir)).hasMessageContaining("options.subnets: \"both\" is not same or split");

        Files.writeString(file, good.replace("\"pid\" : 41", "\"pid\" : -1"));
        assertThatThrownBy(() -> Lab.load(dir)).hasMessageContaining("etcd.pid is not a process id");

        Files.writeString(file, good.substring(0, good.length() / 2), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Lab.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("is not JSON");
    }
}
