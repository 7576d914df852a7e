package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseEvent;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The informer's callbacks, driven by hand: the cases the mock server cannot provoke on demand. */
class NodeEventsTest {
    private static final ClusterNetwork NETWORK = new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24);
    private static final String MAC = "0a:58:0a:2a:02:00";

    private final List<LeaseEvent> events = new ArrayList<>();
    private final NodeEvents handler = new NodeEvents(NETWORK, events::add);

    private static GenericKubernetesResource node(String version, String mac, String readyStatus) {
        return K3sNodes.untyped(typedNode(version, mac, readyStatus));
    }

    private static Node typedNode(String version, String mac, String readyStatus) {
        return new NodeBuilder()
                .withNewMetadata().withName("node-b").withResourceVersion(version)
                .withAnnotations(Map.of(NodeLeases.BACKEND_DATA, "{\"vni\":1,\"vtepMAC\":\"" + mac + "\"}",
                        NodeLeases.PUBLIC_IP, "192.168.50.12"))
                .endMetadata()
                .withNewSpec().withPodCIDR("10.42.2.0/24").endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(readyStatus).endCondition().endStatus()
                .build();
    }

    private static Lease lease(String mac) {
        return new Lease("node-b", IpPrefix.parse("10.42.2.0/24"), IpPrefix.parseAddress("192.168.50.12"),
                MacAddress.parse(mac), Instant.MAX);
    }

    @Test
    void reportsTheSameVersionHandedOverAgainAsUpdated() {
        GenericKubernetesResource node = node("7", MAC, "True");

        handler.onUpdate(node, node);

        assertThat(events).containsExactly(new LeaseEvent.Updated(lease(MAC)));
    }

    @Test
    void staysQuietWhenOnlyTheStatusChanged() {
        handler.onUpdate(node("7", MAC, "True"), node("8", MAC, "False"));

        assertThat(events).isEmpty();
    }

    @Test
    void reportsANewVtepMacAsUpdated() {
        handler.onUpdate(node("7", MAC, "True"), node("8", "0a:58:0a:2a:02:99", "True"));

        assertThat(events).containsExactly(new LeaseEvent.Updated(lease("0a:58:0a:2a:02:99")));
    }

    @Test
    void reportsANewPodCidrAsRemovedAtTheOldSubnetThenUpdated() {
        GenericKubernetesResource moved = K3sNodes.untyped(
                new NodeBuilder(typedNode("8", MAC, "True")).editSpec().withPodCIDR("10.42.9.0/24").endSpec().build());

        handler.onUpdate(node("7", MAC, "True"), moved);

        assertThat(events).containsExactly(new LeaseEvent.Removed("node-b", IpPrefix.parse("10.42.2.0/24")),
                new LeaseEvent.Updated(new Lease("node-b", IpPrefix.parse("10.42.9.0/24"),
                        IpPrefix.parseAddress("192.168.50.12"), MacAddress.parse(MAC), Instant.MAX)));
    }

    @Test
    void reportsANodeDeletedWhileDisconnectedAsRemoved() {
        handler.onDelete(node("7", MAC, "True"), true);

        assertThat(events).containsExactly(new LeaseEvent.Removed("node-b", IpPrefix.parse("10.42.2.0/24")));
    }

    @Test
    void survivesAListenerThatThrows() {
        NodeEvents failing = new NodeEvents(NETWORK, event -> {
            events.add(event);
            throw new IllegalStateException("listener bug");
        });

        failing.onAdd(node("7", MAC, "True"));
        failing.onDelete(node("7", MAC, "True"), false);

        assertThat(events).hasSize(2);
    }
}
