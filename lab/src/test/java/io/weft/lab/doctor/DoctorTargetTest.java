package io.weft.lab.doctor;

import io.weft.agent.overlay.OverlaySettings;
import io.weft.lab.LabNode;
import io.weft.lab.LabPod;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DoctorTargetTest {
    @Test
    void aLabNodeIsExaminedInItsNamedNamespaceWithItsOwnPodsOnly() {
        LabNode node = new LabNode("node1", "weftlab-node1", "192.0.2.1", Path.of("/run/weftlab/node1"),
                Path.of("/var/lib/weftlab/node1"), Path.of("/opt/weftlab/bin"), Path.of("/etc/weftlab/node1/net.d"));
        List<LabPod> pods = List.of(new LabPod("node1-pod1", "node1", "weftlab-node1-pod1", "10.42.0.2"),
                new LabPod("node2-pod1", "node2", "weftlab-node2-pod1", "10.42.1.2"));

        DoctorTarget target = DoctorTarget.forLab(node, pods, DoctorNode.LEASES);

        assertThat(target.node()).isEqualTo("node1");
        assertThat(target.netns()).isEqualTo(Path.of("/run/netns/weftlab-node1"));
        assertThat(target.subnetFile()).isEqualTo(Path.of("/run/weftlab/node1/subnet.env"));
        assertThat(target.vtepMacFile()).isEqualTo(Path.of("/var/lib/weftlab/node1/vtep-mac"));
        assertThat(target.cniConfDir()).isEqualTo(Path.of("/etc/weftlab/node1/net.d"));
        assertThat(target.overlay()).isEqualTo(OverlaySettings.defaults());
        assertThat(target.leases()).isEqualTo(DoctorNode.LEASES);
        assertThat(target.pods()).containsExactly(new DoctorTarget.Pod("node1-pod1", Path.of("/run/netns/weftlab-node1-pod1"), "eth0"));
    }
}
