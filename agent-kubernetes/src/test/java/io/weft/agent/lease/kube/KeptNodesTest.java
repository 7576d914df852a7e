package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The informer's store: what it keeps of a k3s-sized node is what a lease is read from. */
class KeptNodesTest {
    private static final ClusterNetwork NETWORK = new ClusterNetwork(IpPrefix.parse(K3sNodes.NETWORK), 24);

    private final KeptNodes store = new KeptNodes(NETWORK);

    @Test
    void keepsTheLeaseTheVersionAndTheLeaseAnnotationsOnly() {
        Node typed = K3sNodes.node(3);
        typed.getMetadata().setResourceVersion("41");
        typed.getMetadata().getAnnotations().put(NodeLeases.PUBLIC_IP_OVERWRITE, "203.0.113.3");
        GenericKubernetesResource node = K3sNodes.untyped(typed);

        assertThat(store.put(store.getKey(node), node)).as("nothing kept before").isNull();
        GenericKubernetesResource kept = store.get(K3sNodes.name(3));

        assertThat(kept.getMetadata().getName()).isEqualTo(K3sNodes.name(3));
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("41");
        assertThat(kept.getMetadata().getAnnotations()).containsOnlyKeys(
                NodeLeases.BACKEND_DATA, NodeLeases.PUBLIC_IP, NodeLeases.PUBLIC_IP_OVERWRITE);
        assertThat(NodeLeases.leaseOf(kept, NETWORK)).isPresent().isEqualTo(NodeLeases.leaseOf(node, NETWORK));
        assertThat(NodeLeases.podCidrs(kept)).isEqualTo(NodeLeases.podCidrs(node));
    }

    @Test
    void handsBackWhatItKeptWhenANodeIsReplacedOrRemoved() {
        GenericKubernetesResource first = K3sNodes.untyped(K3sNodes.node(1));
        Node moved = K3sNodes.node(2);
        moved.getMetadata().setName(K3sNodes.name(1));
        GenericKubernetesResource second = K3sNodes.untyped(moved);
        store.put(K3sNodes.name(1), first);

        GenericKubernetesResource before = store.put(K3sNodes.name(1), second);
        GenericKubernetesResource removed = store.remove(K3sNodes.name(1));

        assertThat(NodeLeases.ipv4PodCidr(before)).contains(IpPrefix.parse(K3sNodes.podCidr(1)));
        assertThat(NodeLeases.ipv4PodCidr(removed)).contains(IpPrefix.parse(K3sNodes.podCidr(2)));
        assertThat(store.size()).isZero();
        assertThat(store.get(K3sNodes.name(1))).isNull();
    }

    @Test
    void aNodeWithoutWeftOrPodCidrIsKeptWithoutThem() {
        Node bare = new NodeBuilder().withNewMetadata().withName("bare")
                .withResourceVersion("5").endMetadata().build();
        store.put("bare", K3sNodes.untyped(bare));

        GenericKubernetesResource kept = store.get("bare");

        assertThat(kept.getMetadata().getAnnotations()).isEmpty();
        assertThat(NodeLeases.podCidrs(kept)).isEmpty();
        assertThat(NodeLeases.leaseOf(kept, NETWORK)).isEmpty();
        assertThat(store.keySet()).containsExactly("bare");
        assertThat(store.values()).hasSize(1);
    }

    @Test
    void leasesAreThoseOfTheNodesKeptNowThatRunWeft() {
        GenericKubernetesResource one = K3sNodes.untyped(K3sNodes.node(1));
        GenericKubernetesResource two = K3sNodes.untyped(K3sNodes.node(2));
        store.put(store.getKey(one), one);
        store.put(store.getKey(two), two);
        store.put("bare", K3sNodes.untyped(new NodeBuilder().withNewMetadata().withName("bare").endMetadata().build()));
        Node moved = K3sNodes.node(3);
        moved.getMetadata().setName(K3sNodes.name(2));
        GenericKubernetesResource twoMoved = K3sNodes.untyped(moved);

        store.put(store.getKey(twoMoved), twoMoved);
        store.remove(K3sNodes.name(1));

        assertThat(store.leases()).containsExactly(NodeLeases.leaseOf(twoMoved, NETWORK).orElseThrow());
        assertThat(store.leases().getFirst().subnet()).isEqualTo(IpPrefix.parse(K3sNodes.podCidr(3)));
    }
}
