package io.weft.lab.topology;

import io.weft.lab.LabOptions;
import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.weft.lab.LabOptions.Store.LOCAL;
import static io.weft.lab.LabOptions.Subnets.SAME;
import static io.weft.lab.LabOptions.Subnets.SPLIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyTest {
    private static final IpPrefix POD_NETWORK = IpPrefix.parse("10.42.0.0/16");

    private static Topology topology(int nodes, boolean twoNics, LabOptions.Subnets subnets) {
        return new Topology("wl", new LabOptions(nodes, 1, LOCAL, twoNics, subnets));
    }

    @Test
    void sameSubnetPutsEveryNodeOnOneSlash24BehindTheFabric() {
        Topology topology = topology(3, false, SAME);

        assertThat(topology.fabric()).isEqualTo("wl-fabric");
        assertThat(topology.router()).isEmpty();
        assertThat(topology.nodes()).extracting(Topology.NodePlan::name).containsExactly("node1", "node2", "node3");
        assertThat(topology.nodes()).extracting(Topology.NodePlan::netns).containsExactly("wl-node1", "wl-node2", "wl-node3");
        assertThat(topology.nodes()).extracting(node -> node.cluster().toString())
                .containsExactly("10.200.0.1/24", "10.200.0.2/24", "10.200.0.3/24");
        assertThat(topology.nodes()).allSatisfy(node -> {
            assertThat(node.defaultGateway()).isEqualTo(Topology.FABRIC_ADDRESS.address());
            assertThat(node.routerLeg()).isEmpty();
            assertThat(node.underlayVia()).isEmpty();
            assertThat(node.management()).isEmpty();
        });
        assertThat(topology.etcdEndpoint()).isEqualTo("http://10.200.0.253:2379");
    }

    @Test
    void splitGivesEachNodeItsOwnSubnetWithTheRouterAsGateway() {
        Topology topology = topology(2, false, SPLIT);

        assertThat(topology.router()).contains("wl-router");
        Topology.NodePlan node2 = topology.nodes().get(1);
        assertThat(node2.cluster()).hasToString("10.200.2.1/24");
        assertThat(node2.routerLeg()).map(Object::toString).contains("10.200.2.254/24");
        assertThat(node2.defaultGateway()).isEqualTo(address("10.200.2.254"));
        assertThat(node2.underlayIp()).isEqualTo("10.200.2.1");
    }

    @Test
    void twoNicsMovesTheDefaultRouteToManagementAndKeepsTheUnderlayReachable() {
        Topology.NodePlan same = topology(2, true, SAME).nodes().get(1);
        assertThat(same.management()).map(Object::toString).contains("10.201.0.2/24");
        assertThat(same.defaultGateway()).isEqualTo(Topology.MANAGEMENT_GATEWAY.address());
        assertThat(same.underlayVia()).isEmpty(); // the nodes' own /24 is connected

        Topology.NodePlan split = topology(2, true, SPLIT).nodes().get(1);
        assertThat(split.defaultGateway()).isEqualTo(Topology.MANAGEMENT_GATEWAY.address());
        assertThat(split.underlayVia()).contains(address("10.200.2.254"));
    }

    @Test
    void noAddressOverlapsThePodNetworkOrAnother() {
        for (LabOptions.Subnets subnets : LabOptions.Subnets.values()) {
            Topology topology = topology(LabOptions.MAX_NODES, true, subnets);
            Set<InetAddress> seen = new HashSet<>(List.of(Topology.FABRIC_ADDRESS.address(), Topology.ROUTER_UPLINK.address(),
                    Topology.MANAGEMENT_GATEWAY.address()));
            for (Topology.NodePlan node : topology.nodes()) {
                for (IpPrefix address : List.of(Optional.of(node.cluster()), node.routerLeg(), node.management())
                        .stream().flatMap(Optional::stream).toList()) {
                    assertThat(seen.add(address.address())).as("%s of %s (%s)", address, node.name(), subnets).isTrue();
                    assertThat(POD_NETWORK.contains(address.address())).isFalse();
                }
                assertThat(Topology.UNDERLAY.contains(node.cluster().address())).isTrue();
            }
        }
    }

    @Test
    void namesPodsByNodeAndIndex() {
        Topology topology = topology(1, false, SAME);

        assertThat(Topology.podName("node1", 2)).isEqualTo("node1-pod2");
        assertThat(topology.podNetns("node1", 2)).isEqualTo("wl-node1-pod2");
        assertThat(Topology.namespacePrefix("wl")).isEqualTo("wl-");
    }

    @Test
    void refusesAPrefixThatCannotNameANamespace() {
        for (String bad : new String[] {"", "-lab", "a/b", "a b", "x".repeat(65)}) {
            assertThatThrownBy(() -> new Topology(bad, new LabOptions(1, 1, LOCAL, false, SAME))).as(bad)
                    .hasMessageStartingWith("prefix: ");
        }
    }

    private static InetAddress address(String text) {
        return IpPrefix.parseAddress(text);
    }
}
