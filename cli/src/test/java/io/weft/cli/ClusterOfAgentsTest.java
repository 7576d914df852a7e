package io.weft.cli;

import io.weft.agent.Agent;
import io.weft.agent.AgentConfig;
import io.weft.agent.PluginInstaller;
import io.weft.agent.masquerade.Nft;
import io.weft.agent.underlay.UnderlayCriteria;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniPlugin;
import io.weft.cni.CniResponse;
import io.weft.cni.json.Json;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.weft.netlink.testing.Sandbox.ip;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real agents (real local lease store, real VXLAN overlay, real nftables), each in its own node
 * namespace, and pods made through the real CNI plugin: nodes 1 and 2 share an underlay subnet (direct
 * routing), node 3 is behind a router (VXLAN). Pods on different nodes must exchange TCP.
 */
class ClusterOfAgentsTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final Sandbox sandbox = new Sandbox();
    private final List<Agent> agents = new ArrayList<>();
    private final List<CniPlugin> plugins = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        agents.forEach(Agent::close);
        plugins.forEach(CniPlugin::close);
        sandbox.close();
    }

    @Test
    void podsOnThreeNodesTalkDirectlyOnOneSubnetAndThroughVxlanAcrossARouter() throws Exception {
        NetNamespace fabric = sandbox.namespace();
        NetNamespace router = sandbox.namespace();
        ip(fabric, "link", "add", "fab", "type", "bridge");
        ip(fabric, "link", "set", "fab", "up");
        NetNamespace node1 = node(fabric, "n1", "192.0.2.1/24", "192.0.2.254");
        NetNamespace node2 = node(fabric, "n2", "192.0.2.2/24", "192.0.2.254");
        ip(fabric, "link", "add", "r0", "type", "veth", "peer", "name", "eth0", "netns", router.name());
        ip(fabric, "link", "set", "r0", "master", "fab", "up");
        ip(router, "addr", "add", "192.0.2.254/24", "dev", "eth0");
        ip(router, "link", "set", "eth0", "up");
        ip(router, "link", "add", "eth1", "type", "veth", "peer", "name", "n3", "netns", fabric.name());
        ip(router, "addr", "add", "198.51.100.254/24", "dev", "eth1");
        ip(router, "link", "set", "eth1", "up");
        router.sysctl().set("net.ipv4.ip_forward", "1");
        NetNamespace node3 = nodeBehind(fabric, "n3", "198.51.100.3/24", "198.51.100.254");

        Path leases = dir.resolve("leases");
        List<NetNamespace> nodes = List.of(node1, node2, node3);
        for (int i = 0; i < nodes.size(); i++) {
            start("node-" + (i + 1), nodes.get(i), leases);
        }
        for (NetNamespace node : nodes) {
            awaitRoutes(node, 2);
        }

        List<String> podAddresses = new ArrayList<>();
        List<NetNamespace> pods = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            NetNamespace pod = sandbox.namespace();
            pods.add(pod);
            podAddresses.add(addPod(nodes.get(i), i, pod));
        }

        assertThat(talk(pods.get(0), pods.get(1), podAddresses.get(1))).as("node 1 → node 2, direct").isEqualTo("hello from " + podAddresses.get(0));
        assertThat(talk(pods.get(0), pods.get(2), podAddresses.get(2))).as("node 1 → node 3, VXLAN").isEqualTo("hello from " + podAddresses.get(0));
        assertThat(talk(pods.get(2), pods.get(1), podAddresses.get(1))).as("node 3 → node 2, VXLAN").isEqualTo("hello from " + podAddresses.get(2));

        JsonNode fdbOnNode1 = Sandbox.bridgeJson(node1, "fdb", "show", "dev", "weft.1");
        String node3Vtep = ipJson(node3, "link", "show", "dev", "weft.1").get(0).get("address").asString();
        String node2Vtep = ipJson(node2, "link", "show", "dev", "weft.1").get(0).get("address").asString();
        assertThat(fdbOnNode1.findValuesAsString("mac")).contains(node3Vtep).doesNotContain(node2Vtep);
        assertThat(fdbOnNode1.findValuesAsString("dst")).contains("198.51.100.3");
        assertThat(ipJson(node1, "route", "show", "proto", "201").findValuesAsString("gateway")).contains("192.0.2.2");
    }

    private NetNamespace node(NetNamespace fabric, String port, String address, String gateway) {
        NetNamespace node = sandbox.namespace();
        ip(fabric, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", node.name());
        ip(fabric, "link", "set", port, "master", "fab", "up");
        configureUnderlay(node, address, gateway);
        return node;
    }

    /** A node whose eth0 is the peer of the router's eth1 (the veth end {@code port} was made in the fabric namespace). */
    private NetNamespace nodeBehind(NetNamespace fabric, String port, String address, String gateway) {
        NetNamespace node = sandbox.namespace();
        ip(fabric, "link", "set", port, "netns", node.name());
        ip(node, "link", "set", port, "name", "eth0");
        configureUnderlay(node, address, gateway);
        return node;
    }

    private static void configureUnderlay(NetNamespace node, String address, String gateway) {
        ip(node, "link", "set", "lo", "up");
        ip(node, "addr", "add", address, "dev", "eth0");
        ip(node, "link", "set", "eth0", "up");
        ip(node, "route", "add", "default", "via", gateway);
    }

    private void start(String name, NetNamespace node, Path leases) throws Exception {
        AgentConfig config = new AgentConfig(name, new UnderlayCriteria(List.of("eth0"), List.of(), Optional.empty()),
                Optional.empty(), new AgentConfig.Store.Local(leases), Optional.of(AgentConfig.DEFAULT_NETWORK),
                AgentConfig.DirectRouting.AUTO, AgentConfig.TxChecksumOffload.AUTO, true, dir.resolve(name + "/run"), dir.resolve(name + "/state"),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(5));
        Agent agent = new Agent(config, node, AgentWiring::openStore, AgentWiring::createOverlay, PluginInstaller.none(), Nft.in(node));
        agents.add(agent);
        agent.start();
        assertThat(agent.awaitReady(CONVERGE)).as("%s ready; waiting for: %s", name, agent.notReadyReason()).isTrue();
    }

    private static void awaitRoutes(NetNamespace node, int peers) throws InterruptedException {
        Instant deadline = Instant.now().plus(CONVERGE);
        while (ipJson(node, "route", "show", "proto", "201").size() < peers) {
            assertThat(Instant.now()).as("%s has routes to %d peers", node.name(), peers).isBefore(deadline);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** ADD through the plugin, configured as the agent's conflist would be; returns the pod's address. */
    private String addPod(NetNamespace node, int index, NetNamespace pod) throws IOException {
        Path nodeDir = dir.resolve("node-" + (index + 1));
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\",\"subnetFile\":\""
                + nodeDir.resolve("run/subnet.env") + "\",\"dataDir\":\"" + nodeDir.resolve("state/ipam") + "\"}";
        CniPlugin plugin = CniPlugin.forNamespace(node);
        plugins.add(plugin);
        CniResponse response = plugin.handle(new CniInvocation(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "pod" + index,
                "CNI_NETNS", pod.path().toString(), "CNI_IFNAME", "eth0"), config.getBytes(StandardCharsets.UTF_8), "weft"));
        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        String cidr = JSON.readTree(response.stdout()).get("ips").get(0).get("address").asString();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    /** A TCP exchange from a pod to a server in another pod; returns what the server heard. */
    private static String talk(NetNamespace client, NetNamespace server, String serverAddress) throws Exception {
        ServerSocket listener = server.call(() -> new ServerSocket(7000, 1, InetAddress.getByName(serverAddress)));
        try (listener) {
            CompletableFuture<String> heard = CompletableFuture.supplyAsync(() -> {
                try (Socket accepted = listener.accept(); InputStream in = accepted.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8) + accepted.getInetAddress().getHostAddress();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            client.run(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(serverAddress, 7000), 10_000);
                    try (OutputStream out = socket.getOutputStream()) {
                        out.write("hello from ".getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return heard.get(20, TimeUnit.SECONDS);
        }
    }
}
