package io.weft.cli;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.weft.agent.Agent;
import io.weft.agent.AgentConfig;
import io.weft.agent.PluginInstaller;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.kube.KubeLeaseStore;
import io.weft.agent.masquerade.Nft;
import io.weft.agent.underlay.UnderlayCriteria;
import io.weft.agent.lease.kube.MockKubernetesApi;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real agents with the Kubernetes store, each in a node namespace alone on its underlay subnet
 * behind a router (so peers are reached through VXLAN), and pods made through the real CNI plugin.
 * The Kubernetes API is exercised with fabric8's mock server in CRUD mode — the one part we cannot
 * run for real here: the Node objects, with the podCIDRs the controller-manager would have
 * allocated, are made by the test, and each agent's store is a {@link KubeLeaseStore} on the mock's
 * client (the cli's would read a kubeconfig).
 */
class KubeClusterTest {
    private static final ClusterNetwork NETWORK = AgentConfig.DEFAULT_NETWORK;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String BACKEND_DATA = "weft.io/backend-data";
    private static final String BACKEND_TYPE = "weft.io/backend-type";
    private static final String PUBLIC_IP = "weft.io/public-ip";

    @RegisterExtension
    final MockKubernetesApi api = new MockKubernetesApi();

    @TempDir
    Path dir;

    private final Sandbox sandbox = new Sandbox();
    private final Pods pods = new Pods();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private NetNamespace node1;
    private NetNamespace node2;
    private Agent agent1;
    private Agent agent2;

    @AfterEach
    void stopEverything() throws Exception {
        try {
            for (AutoCloseable closeable : opened.reversed()) {
                closeable.close();
            }
        } finally {
            pods.close();
            sandbox.close();
        }
    }

    @Test
    void eachAgentAnnotatesItsNodeClearsNetworkUnavailableAndCarriesPodTrafficToTheOther() throws Exception {
        startTwoNodes();
        NetNamespace pod1 = sandbox.namespace();
        NetNamespace pod2 = sandbox.namespace();
        String address1 = pods.add(node1, agentConfig("node-1"), pod1);
        String address2 = pods.add(node2, agentConfig("node-2"), pod2);
        opened.add(TcpEcho.start(pod2, address2));

        Lease lease1 = agent1.lease().orElseThrow();
        Lease lease2 = agent2.lease().orElseThrow();
        assertThat(lease1.subnet()).isEqualTo(IpPrefix.parse("10.42.1.0/24"));
        assertThat(lease2.subnet()).isEqualTo(IpPrefix.parse("10.42.2.0/24"));
        assertWeftAnnotationsAndCondition("node-1", lease1.vtepMac(), "192.0.2.1");
        assertWeftAnnotationsAndCondition("node-2", lease2.vtepMac(), "198.51.100.2");
        assertThat(OverlayEntries.reachesThroughVxlan(node1, lease2.subnet(), lease2.vtepMac(), "198.51.100.2")).isTrue();
        assertThat(OverlayEntries.reachesThroughVxlan(node2, lease1.subnet(), lease1.vtepMac(), "192.0.2.1")).isTrue();
        assertThat(TcpEcho.exchange(pod1, address2, "hello")).isEqualTo("hello from " + address1);
    }

    @Test
    void aNodeAnnotatedByAnotherAgentIsProgrammedOnBothNodesAndForgottenWhenDeleted() throws Exception {
        startTwoNodes();
        IpPrefix subnet3 = IpPrefix.parse("10.42.3.0/24");
        MacAddress vtep3 = MacAddress.parse("0e:00:00:00:00:03");

        // as node 3's agent would have written them
        createNode("node-3", subnet3.toString(), Map.of(BACKEND_DATA, "{\"vni\":1,\"vtepMAC\":\"" + vtep3 + "\"}",
                BACKEND_TYPE, "vxlan", PUBLIC_IP, "203.0.113.3"));

        Await.until("both nodes reach node 3 through VXLAN", PATIENCE,
                () -> OverlayEntries.reachesThroughVxlan(node1, subnet3, vtep3, "203.0.113.3")
                        && OverlayEntries.reachesThroughVxlan(node2, subnet3, vtep3, "203.0.113.3"));

        api.client().nodes().withName("node-3").delete();

        Await.until("both nodes forget node 3", PATIENCE,
                () -> OverlayEntries.forgot(node1, subnet3, vtep3) && OverlayEntries.forgot(node2, subnet3, vtep3));
        assertThat(OverlayEntries.routes(node1)).containsExactly("10.42.2.0/24");
        assertThat(OverlayEntries.routes(node2)).containsExactly("10.42.1.0/24");
    }

    /** Node objects for nodes 1 and 2 with their podCIDRs, and an agent on each, routing to the other. */
    private void startTwoNodes() throws Exception {
        createNode("node-1", "10.42.1.0/24", Map.of());
        createNode("node-2", "10.42.2.0/24", Map.of());
        RoutedNodes nodes = new RoutedNodes(sandbox);
        node1 = nodes.node("192.0.2.1", "192.0.2.254");
        node2 = nodes.node("198.51.100.2", "198.51.100.254");
        agent1 = start(agentConfig("node-1"), node1);
        agent2 = start(agentConfig("node-2"), node2);
        Await.until("each node routes to the other", PATIENCE,
                () -> OverlayEntries.routes(node1).equals(List.of("10.42.2.0/24")) && OverlayEntries.routes(node2).equals(List.of("10.42.1.0/24")));
    }

    private void createNode(String name, String podCidr, Map<String, String> annotations) {
        NodeCondition ready = new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withLastTransitionTime("2026-01-01T00:00:00Z").build();
        api.client().nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec()
                .withNewStatus().addToConditions(ready).endStatus()
                .build()).create();
    }

    private AgentConfig agentConfig(String name) {
        return new AgentConfig(name, new UnderlayCriteria(List.of("eth0"), List.of(), Optional.empty()), Optional.empty(),
                new AgentConfig.Store.Kubernetes(Optional.empty()), Optional.of(NETWORK),
                AgentConfig.DirectRouting.AUTO, AgentConfig.TxChecksumOffload.AUTO, true, dir.resolve(name + "/run"), dir.resolve(name + "/state"),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(5));
    }

    private Agent start(AgentConfig config, NetNamespace node) throws Exception {
        Agent agent = new Agent(config, node, c -> new KubeLeaseStore(api.client(), c.nodeName(), c.network().orElseThrow()),
                AgentWiring::createOverlay, PluginInstaller.none(), Nft.in(node));
        opened.add(agent);
        agent.start();
        assertThat(agent.awaitReady(PATIENCE)).as("%s ready; waiting for: %s", config.nodeName(), agent.notReadyReason()).isTrue();
        return agent;
    }

    private void assertWeftAnnotationsAndCondition(String name, MacAddress vtepMac, String publicIp) {
        Node node = api.client().nodes().withName(name).get();
        assertThat(node.getMetadata().getAnnotations()).as("%s's annotations", name).containsAllEntriesOf(Map.of(
                BACKEND_DATA, "{\"vni\":1,\"vtepMAC\":\"" + vtepMac + "\"}", BACKEND_TYPE, "vxlan", PUBLIC_IP, publicIp));
        assertThat(node.getStatus().getConditions()).as("%s's conditions", name)
                .anySatisfy(condition -> {
                    assertThat(condition.getType()).isEqualTo("NetworkUnavailable");
                    assertThat(condition.getStatus()).isEqualTo("False");
                    assertThat(condition.getReason()).isEqualTo("WeftIsUp");
                })
                .anySatisfy(condition -> assertThat(condition.getType()).as("kubelet's condition, untouched").isEqualTo("Ready"));
    }
}
