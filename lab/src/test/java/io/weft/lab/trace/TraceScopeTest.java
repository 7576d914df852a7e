package io.weft.lab.trace;

import io.weft.lab.LabNode;
import io.weft.lab.LabPod;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Resolving SRC and DST in a lab: by pod name or address, with errors that list what there is. */
class TraceScopeTest {
    private static final Path DIR = Path.of("/nonexistent");

    private record Lab(List<LabNode> nodes, List<LabPod> pods) implements LabView {}

    private static final Lab LAB = new Lab(
            List.of(new LabNode("node1", "weft-lab-node1", "192.0.2.1", DIR, DIR, DIR, DIR),
                    new LabNode("node2", "weft-lab-node2", "192.0.2.2", DIR, DIR, DIR, DIR)),
            List.of(new LabPod("node1-pod1", "node1", "weft-lab-node1-pod1", "10.42.1.2"),
                    new LabPod("node2-pod1", "node2", "weft-lab-node2-pod1", "10.42.2.2")));

    @Test
    void resolvesAPodByNameOrAddressToItsNamespacesUnderRunNetns() {
        TraceScope scope = TraceScope.of(LAB);

        TraceEndpoint byName = scope.resolve("node2-pod1");
        TraceEndpoint byAddress = scope.resolve("10.42.2.2");

        assertThat(byAddress).isEqualTo(byName);
        assertThat(byName.podNetns()).isEqualTo(Path.of("/run/netns/weft-lab-node2-pod1"));
        assertThat(byName.node()).isEqualTo(new TraceNode("node2", Path.of("/run/netns/weft-lab-node2")));
        assertThat(byName.label()).isEqualTo("node2-pod1 (10.42.2.2)");
        assertThat(scope.nodes()).extracting(TraceNode::name).containsExactly("node1", "node2");
    }

    @Test
    void namesTheArgumentAndThePodsWhenNothingMatches() {
        TraceScope scope = TraceScope.of(LAB);

        assertThatThrownBy(() -> scope.resolve("node9-pod1"))
                .hasMessage("no pod named \"node9-pod1\"; the pods are node1-pod1 (10.42.1.2), node2-pod1 (10.42.2.2)");
        assertThatThrownBy(() -> scope.resolve("10.42.9.9"))
                .hasMessage("no pod has address 10.42.9.9; the pods are node1-pod1 (10.42.1.2), node2-pod1 (10.42.2.2)");
    }

    @Test
    void refusesAPodOnANodeTheLabDoesNotHave() {
        Lab lab = new Lab(LAB.nodes(), List.of(new LabPod("node3-pod1", "node3", "weft-lab-node3-pod1", "10.42.3.2")));

        assertThatThrownBy(() -> TraceScope.of(lab)).hasMessage("pod node3-pod1 runs on node node3, which the lab does not have");
    }
}
