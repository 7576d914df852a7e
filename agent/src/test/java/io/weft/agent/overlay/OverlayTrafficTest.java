package io.weft.agent.overlay;

import io.weft.agent.lease.Lease;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniPlugin;
import io.weft.cni.CniResponse;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.weft.agent.overlay.KernelView.fdb;
import static io.weft.agent.overlay.KernelView.lease;
import static io.weft.agent.overlay.KernelView.neighbours;
import static io.weft.agent.overlay.KernelView.weftRoutes;
import static io.weft.netlink.testing.Sandbox.ip;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes and a router, all namespaces, each node with its overlay, its bridge and one pod made by
 * the CNI plugin. Nodes 1 and 2 share the underlay subnet 192.0.2.0/24 (a bridge in the fabric
 * namespace); node 3 is on 198.51.100.0/24 behind the fabric, which routes. So node 1 reaches node 2
 * directly and node 3 through VXLAN, and pods talk TCP across both paths.
 */
class OverlayTrafficTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final int PORT = 8080;
    private static final String MAC_1 = "0e:00:00:00:00:01";
    private static final String MAC_2 = "0e:00:00:00:00:02";
    private static final String MAC_3 = "0e:00:00:00:00:03";
    private static final List<Lease> LEASES = List.of(
            lease("node-1", "10.42.1.0/24", "192.0.2.1", MAC_1),
            lease("node-2", "10.42.2.0/24", "192.0.2.2", MAC_2),
            lease("node-3", "10.42.3.0/24", "198.51.100.3", MAC_3));

    @TempDir
    Path dir;
    private final Sandbox sandbox = new Sandbox();
    private final List<Node> nodes = new ArrayList<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().factory());

    /** A node namespace with its netlink handle, overlay, CNI plugin and one pod. */
    private record Node(NetNamespace namespace, Netlink netlink, VxlanOverlay overlay, Lease lease, CniPlugin plugin,
                        NetNamespace pod, InetAddress podAddress) implements AutoCloseable {
        ReconcileResult reconcile() {
            return overlay.reconcile(lease, LEASES);
        }

        @Override
        public void close() {
            overlay.close();
            plugin.close();
            netlink.close();
        }
    }

    @BeforeEach
    void buildCluster() throws Exception {
        NetNamespace fabric = sandbox.namespace();
        try (Netlink fabricLinks = Netlink.open(fabric)) {
            fabricLinks.links().add(LinkSpec.bridge("sw0"));
            ip(fabric, "addr", "add", "192.0.2.254/24", "dev", "sw0");
            ip(fabric, "link", "set", "sw0", "up");
            fabric.sysctl().set("net.ipv4.ip_forward", "1");
            for (Lease lease : LEASES) {
                nodes.add(node(fabric, fabricLinks, lease));
            }
        }
        for (Node node : nodes) {
            node.reconcile();
        }
    }

    /** Node N: eth0 on the fabric (a port of sw0, or routed for node 3), an overlay, a bridge and a pod. */
    private Node node(NetNamespace fabric, Netlink fabricLinks, Lease lease) throws Exception {
        NetNamespace namespace = sandbox.namespace();
        String port = "to-" + lease.node();
        fabricLinks.links().add(LinkSpec.veth(port, "eth0", namespace));
        boolean bridged = lease.publicIp().getAddress()[0] == (byte) 192;
        if (bridged) {
            fabricLinks.links().setMaster(port, fabricLinks.links().get("sw0").index());
        } else {
            ip(fabric, "addr", "add", "198.51.100.254/24", "dev", port);
        }
        ip(fabric, "link", "set", port, "up");
        ip(namespace, "addr", "add", lease.publicIp().getHostAddress() + "/24", "dev", "eth0");
        ip(namespace, "link", "set", "eth0", "up");
        ip(namespace, "route", "add", "default", "via", bridged ? "192.0.2.254" : "198.51.100.254");
        namespace.sysctl().set("net.ipv4.ip_forward", "1");

        Netlink netlink = Netlink.open(namespace);
        VxlanOverlay overlay = new VxlanOverlay(netlink, Underlay.of(netlink, "eth0"), OverlaySettings.defaults(), lease.vtepMac());
        Path subnetFile = dir.resolve(lease.node()).resolve("subnet.env");
        new SubnetEnv(IpPrefix.parse("10.42.0.0/16"), lease.gateway(), overlay.mtu(), false).write(subnetFile);
        CniPlugin plugin = CniPlugin.forNamespace(namespace);
        NetNamespace pod = sandbox.namespace();
        InetAddress podAddress = attach(plugin, pod, subnetFile, dir.resolve(lease.node()).resolve("ipam"));
        return new Node(namespace, netlink, overlay, lease, plugin, pod, podAddress);
    }

    /** CNI ADD as a runtime makes it; the pod's address from the result. */
    private static InetAddress attach(CniPlugin plugin, NetNamespace pod, Path subnetFile, Path dataDir) throws Exception {
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\",\"subnetFile\":\"" + subnetFile
                + "\",\"dataDir\":\"" + dataDir + "\"}";
        Map<String, String> environment = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", pod.name(),
                "CNI_NETNS", pod.path().toString(), "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin");
        CniResponse response = plugin.handle(new CniInvocation(environment, config.getBytes(StandardCharsets.UTF_8), "weft"));
        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        JsonNode result = JSON.readTree(response.stdout());
        return IpPrefix.parse(result.get("ips").get(0).get("address").asString()).address();
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        try {
            nodes.forEach(Node::close);
        } finally {
            sandbox.close();
        }
    }

    @Test
    void programsEachNodeExactlyForItsPeers() {
        Node one = nodes.get(0);
        Node three = nodes.get(2);

        assertThat(weftRoutes(one.namespace())).containsExactlyInAnyOrder(
                "10.42.2.0/24 via 192.0.2.2 dev eth0", "10.42.3.0/24 via 10.42.3.0 dev weft.1 onlink");
        assertThat(neighbours(one.namespace())).containsExactly("10.42.3.0 lladdr " + MAC_3 + " PERMANENT");
        assertThat(fdb(one.namespace())).containsExactly(MAC_3 + " dst 198.51.100.3 self permanent");
        assertThat(weftRoutes(three.namespace())).containsExactlyInAnyOrder(
                "10.42.1.0/24 via 10.42.1.0 dev weft.1 onlink", "10.42.2.0/24 via 10.42.2.0 dev weft.1 onlink");
        assertThat(neighbours(three.namespace())).containsExactlyInAnyOrder(
                "10.42.1.0 lladdr " + MAC_1 + " PERMANENT", "10.42.2.0 lladdr " + MAC_2 + " PERMANENT");
        assertThat(fdb(three.namespace())).containsExactlyInAnyOrder(
                MAC_1 + " dst 192.0.2.1 self permanent", MAC_2 + " dst 192.0.2.2 self permanent");
        for (Node node : nodes) {
            assertThat(node.reconcile().changes()).as(node.lease().node() + "'s second pass").isZero();
        }
    }

    @Test
    void podsOnNodesOnDifferentSubnetsTalkTcpThroughVxlan() throws Exception {
        Node one = nodes.get(0);
        Node three = nodes.get(2);
        long encapsulatedBefore = transmitted(one.namespace(), "weft.1");

        String seenBy3 = exchange(one, three);

        assertThat(seenBy3).as("the client pod's own address, not NATed").isEqualTo(one.podAddress().getHostAddress());
        assertThat(transmitted(one.namespace(), "weft.1")).as("packets node 1 sent into weft.1").isGreaterThan(encapsulatedBefore);
    }

    @Test
    void podsOnNodesOnOneSubnetTalkTcpOverADirectRoute() throws Exception {
        Node one = nodes.get(0);
        Node two = nodes.get(1);

        String seenBy2 = exchange(one, two);

        assertThat(seenBy2).isEqualTo(one.podAddress().getHostAddress());
        // node 1 has no VXLAN entries for node 2 at all: the route via its underlay IP carried the traffic
        assertThat(neighbours(one.namespace())).noneMatch(line -> line.contains(MAC_2));
        assertThat(fdb(one.namespace())).noneMatch(line -> line.contains(MAC_2));
        assertThat(weftRoutes(one.namespace())).contains("10.42.2.0/24 via 192.0.2.2 dev eth0");
        assertThat(neighbours(two.namespace())).noneMatch(line -> line.contains(MAC_1));
        assertThat(weftRoutes(two.namespace())).contains("10.42.1.0/24 via 192.0.2.1 dev eth0");
    }

    @Test
    void podsTalkAgainOnceTheReconcilerRestoresADeviceDeletedByHand() throws Exception {
        Node one = nodes.get(0);
        Node three = nodes.get(2);
        ip(three.namespace(), "link", "del", "weft.1");

        ReconcileResult result = three.reconcile();

        assertThat(result.added()).as("device, address, 2 x (neighbour, fdb, route)").isEqualTo(8);
        assertThat(weftRoutes(three.namespace())).containsExactlyInAnyOrder(
                "10.42.1.0/24 via 10.42.1.0 dev weft.1 onlink", "10.42.2.0/24 via 10.42.2.0 dev weft.1 onlink");
        assertThat(exchange(one, three)).isEqualTo(one.podAddress().getHostAddress());
    }

    /** The client's pod connects to the server's pod; returns the client address the server saw. */
    private String exchange(Node client, Node server) throws Exception {
        CountDownLatch listening = new CountDownLatch(1);
        Future<String> served = threads.submit(() -> server.pod().call(() -> {
            try (ServerSocket listener = new ServerSocket()) {
                listener.bind(new InetSocketAddress(server.podAddress(), PORT));
                listening.countDown();
                listener.setSoTimeout(20_000);
                try (Socket connection = listener.accept()) {
                    String greeting = new DataInputStream(connection.getInputStream()).readUTF();
                    new DataOutputStream(connection.getOutputStream()).writeUTF("hello " + greeting);
                    return connection.getInetAddress().getHostAddress();
                }
            }
        }));
        assertThat(listening.await(20, TimeUnit.SECONDS)).isTrue();
        String answer = threads.submit(() -> client.pod().call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(server.podAddress(), PORT), 20_000);
                socket.setSoTimeout(20_000);
                new DataOutputStream(socket.getOutputStream()).writeUTF("from " + client.lease().node());
                return new DataInputStream(socket.getInputStream()).readUTF();
            }
        })).get(30, TimeUnit.SECONDS);
        assertThat(answer).isEqualTo("hello from " + client.lease().node());
        return served.get(30, TimeUnit.SECONDS);
    }

    /** {@code ip -j -s link show DEV}: the packets it has transmitted. */
    private static long transmitted(NetNamespace node, String device) {
        return ipJson(node, "-s", "link", "show", device).get(0).get("stats64").get("tx").get("packets").asLong();
    }
}
