package io.weft.cli;

import io.weft.agent.CniSocketClient;
import io.weft.cni.CniResponse;
import io.weft.cni.json.Json;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static io.weft.netlink.testing.Sandbox.bridgeJson;
import static io.weft.netlink.testing.Sandbox.ip;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real {@code weft agent} processes, each in its node's namespace, the nodes on either side of a
 * router so that pod traffic crosses in VXLAN, and a pod on each made through the agents' CNI sockets.
 * The design's promise for restarts: the kernel state outlives the agent, so killing an agent with
 * SIGKILL and starting it again loses no pod datagram, and the agent comes back with the same subnet
 * and VTEP MAC; and a running agent puts {@code weft.1} back, with what it needs for its peer, when
 * someone deletes it.
 */
class AgentRestartTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final String DEVICE = "weft.1";
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    /** 100 datagrams a second. */
    private static final Duration PERIOD = Duration.ofMillis(10);
    /** A datagram whose echo takes longer is lost. */
    private static final Duration ECHO_TIMEOUT = Duration.ofSeconds(1);
    /** How long a killed agent stays dead before it is started again. */
    private static final Duration OUTAGE = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private final Sandbox sandbox = new Sandbox();
    private final List<AgentProcess> started = new ArrayList<>();
    private Node node1;
    private Node node2;
    private AgentProcess agent1;
    private AgentProcess agent2;
    private Pod pod1;
    private Pod pod2;

    private record Node(String name, NetNamespace namespace, String underlayIp, Path dir) {}

    private record Pod(NetNamespace namespace, String address) {}

    @BeforeEach
    void twoNodesAcrossARouterWithAPodEach() throws Exception {
        NetNamespace fabric = sandbox.namespace();
        NetNamespace router = sandbox.namespace();
        ip(fabric, "link", "add", "fab", "type", "bridge");
        ip(fabric, "link", "set", "fab", "up");
        node1 = new Node("node-1", sandbox.namespace(), "192.0.2.1", dir.resolve("node-1"));
        ip(fabric, "link", "add", "n1", "type", "veth", "peer", "name", "eth0", "netns", node1.namespace().name());
        ip(fabric, "link", "set", "n1", "master", "fab", "up");
        configureUnderlay(node1, "/24", "192.0.2.254");
        ip(fabric, "link", "add", "r0", "type", "veth", "peer", "name", "eth0", "netns", router.name());
        ip(fabric, "link", "set", "r0", "master", "fab", "up");
        ip(router, "addr", "add", "192.0.2.254/24", "dev", "eth0");
        ip(router, "link", "set", "eth0", "up");
        node2 = new Node("node-2", sandbox.namespace(), "198.51.100.2", dir.resolve("node-2"));
        ip(router, "link", "add", "eth1", "type", "veth", "peer", "name", "eth0", "netns", node2.namespace().name());
        ip(router, "addr", "add", "198.51.100.254/24", "dev", "eth1");
        ip(router, "link", "set", "eth1", "up");
        router.sysctl().set("net.ipv4.ip_forward", "1");
        configureUnderlay(node2, "/24", "198.51.100.254");

        agent1 = startAgent(node1);
        agent2 = startAgent(node2);
        agent1.awaitReady(READY);
        agent2.awaitReady(READY);
        await("node-1 reaches node-2's pods through " + DEVICE, () -> reachesThroughVxlan(node1, agent2.holding(), node2.underlayIp()));
        await("node-2 reaches node-1's pods through " + DEVICE, () -> reachesThroughVxlan(node2, agent1.holding(), node1.underlayIp()));
        pod1 = addPod(node1, "pod-1");
        pod2 = addPod(node2, "pod-2");
    }

    @AfterEach
    void stopEverything() {
        try {
            started.forEach(AgentProcess::close);
        } finally {
            sandbox.close();
        }
    }

    @Test
    void podTrafficLosesNoDatagramWhileEachAgentIsKilledAndStartedAgain() throws Exception {
        AgentProcess.Holding held1 = agent1.holding();
        AgentProcess.Holding held2 = agent2.holding();
        String device1Mac = macOf(node1);
        String device2Mac = macOf(node2);
        AgentProcess restarted1;
        AgentProcess restarted2;
        List<Integer> lost;
        int sent;
        Duration slowest;
        try (UdpPing ping = UdpPing.between(pod1.namespace(), pod1.address(), pod2.namespace(), pod2.address())) {
            ping.start(PERIOD);
            awaitMoreSent(ping, 100);
            restarted1 = killAndStartAgain(node1, agent1);
            awaitMoreSent(ping, 100);
            restarted2 = killAndStartAgain(node2, agent2);
            awaitMoreSent(ping, 200);
            ping.stop();
            lost = ping.lost(ECHO_TIMEOUT);
            sent = ping.sent();
            slowest = ping.slowest();
        }

        assertThat(lost).as("datagrams of %d without an echo within %d ms (slowest echo %d ms)", sent, ECHO_TIMEOUT.toMillis(),
                slowest.toMillis()).isEmpty();
        assertThat(sent).as("datagrams sent across both restarts").isGreaterThan(500);
        assertThat(restarted1.holding()).as("node-1's lease after the restart").isEqualTo(held1);
        assertThat(restarted2.holding()).as("node-2's lease after the restart").isEqualTo(held2);
        assertThat(macOf(node1)).isEqualTo(device1Mac).isEqualTo(held1.vtepMac());
        assertThat(macOf(node2)).isEqualTo(device2Mac).isEqualTo(held2.vtepMac());
    }

    @Test
    void putsBackWeft1WithItsPeerEntriesWhenDeletedByHand() throws Exception {
        assertEchoes(100);

        ip(node1.namespace(), "link", "del", DEVICE);

        await(DEVICE + " on node-1 again, with neighbour, FDB entry and route for node-2",
                () -> reachesThroughVxlan(node1, agent2.holding(), node2.underlayIp()));
        assertThat(agent1.isAlive()).as("node-1's agent still runs").isTrue();
        assertThat(macOf(node1)).isEqualTo(agent1.holding().vtepMac());
        assertEchoes(100);
    }

    private static void configureUnderlay(Node node, String prefixLength, String gateway) {
        ip(node.namespace(), "link", "set", "lo", "up");
        ip(node.namespace(), "addr", "add", node.underlayIp() + prefixLength, "dev", "eth0");
        ip(node.namespace(), "link", "set", "eth0", "up");
        ip(node.namespace(), "route", "add", "default", "via", gateway);
    }

    private AgentProcess startAgent(Node node) throws IOException {
        Files.createDirectories(node.dir());
        Path log = node.dir().resolve("agent-" + started.size() + ".log");
        AgentProcess agent = AgentProcess.start(node.namespace(), node.name(), dir.resolve("leases"), node.dir(), log);
        started.add(agent);
        return agent;
    }

    /** SIGKILL, a second with no agent, then the same agent again, until it is ready. */
    private AgentProcess killAndStartAgain(Node node, AgentProcess agent) throws Exception {
        assertThat(agent.kill()).as("%s's agent killed by SIGKILL", node.name()).isEqualTo(128 + 9);
        Thread.sleep(OUTAGE.toMillis()); // the outage under test: nothing to await
        AgentProcess again = startAgent(node);
        again.awaitReady(READY);
        return again;
    }

    /**
     * The node's {@code weft.1} with a permanent neighbour for the peer's subnet address at the peer's
     * VTEP MAC, an FDB entry sending that MAC to the peer's underlay address, and Weft's route to the
     * peer's subnet via that address out of the device.
     */
    private static boolean reachesThroughVxlan(Node node, AgentProcess.Holding peer, String peerUnderlayIp) {
        NetNamespace ns = node.namespace();
        if (!ipJson(ns, "link", "show").findValuesAsString("ifname").contains(DEVICE)) {
            return false;
        }
        String peerAddress = peer.subnet().substring(0, peer.subnet().indexOf('/'));
        boolean neighbour = has(ipJson(ns, "neigh", "show", "dev", DEVICE), Map.of("dst", peerAddress, "lladdr", peer.vtepMac()));
        boolean fdb = has(bridgeJson(ns, "fdb", "show", "dev", DEVICE), Map.of("mac", peer.vtepMac(), "dst", peerUnderlayIp));
        boolean route = has(ipJson(ns, "route", "show", "proto", "201"), Map.of("dst", peer.subnet(), "gateway", peerAddress, "dev", DEVICE));
        return neighbour && fdb && route;
    }

    private static boolean has(JsonNode entries, Map<String, String> fields) {
        for (JsonNode entry : entries) {
            if (fields.entrySet().stream().allMatch(field -> field.getValue().equals(entry.path(field.getKey()).asString()))) {
                return true;
            }
        }
        return false;
    }

    private static String macOf(Node node) {
        return ipJson(node.namespace(), "link", "show", "dev", DEVICE).get(0).get("address").asString();
    }

    /** ADD through the node's agent, configured as the agent's conflist would be; returns the pod and its address. */
    private Pod addPod(Node node, String containerId) throws IOException {
        NetNamespace pod = sandbox.namespace();
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\",\"subnetFile\":\""
                + node.dir().resolve("run/subnet.env") + "\",\"dataDir\":\"" + node.dir().resolve("state/ipam") + "\"}";
        CniResponse response = CniSocketClient.call(node.dir().resolve("run/cni.sock"), Map.of("CNI_COMMAND", "ADD",
                "CNI_CONTAINERID", containerId, "CNI_NETNS", pod.path().toString(), "CNI_IFNAME", "eth0"), config);
        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        String cidr = JSON.readTree(response.stdout()).get("ips").get(0).get("address").asString();
        return new Pod(pod, cidr.substring(0, cidr.indexOf('/')));
    }

    /** Pod 1 pings pod 2 {@code count} times at the test's rate; every echo must come back. */
    private void assertEchoes(int count) throws InterruptedException {
        try (UdpPing ping = UdpPing.between(pod1.namespace(), pod1.address(), pod2.namespace(), pod2.address())) {
            ping.start(PERIOD);
            await(count + " datagrams sent", () -> ping.sent() >= count);
            ping.stop();
            assertThat(ping.lost(ECHO_TIMEOUT)).as("datagrams of %d without an echo within %d ms", ping.sent(), ECHO_TIMEOUT.toMillis())
                    .isEmpty();
        }
    }

    /** Lets the traffic run for {@code more} datagrams; whether their echoes came is asserted at the end. */
    private static void awaitMoreSent(UdpPing ping, int more) throws InterruptedException {
        int target = ping.sent() + more;
        await(more + " more datagrams sent", () -> ping.sent() >= target);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + CONVERGE.toSeconds() + " s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
