package io.weft.lab.trace;

import io.weft.agent.lease.Lease;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.agent.overlay.Underlay;
import io.weft.agent.overlay.VxlanOverlay;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniPlugin;
import io.weft.cni.CniResponse;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.json.Json;
import io.weft.lab.LabNode;
import io.weft.lab.LabPod;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster built in-process, as the agent and the CNI plugin would leave the kernel, without agent
 * processes: a fabric namespace (bridge {@code sw0}, 192.0.2.254/24, routing to 198.51.100.0/24), node1
 * and node2 on the fabric's bridge (192.0.2.1, .2: direct routing between them), node3 behind the
 * fabric's router (198.51.100.3: VXLAN to it), each with {@link VxlanOverlay} programming
 * {@code weft.1} and its peers, and pods attached through {@link CniPlugin}: two on node1, one each on
 * node2 and node3. It is a {@link LabView}, named as a lab names things.
 */
final class TraceCluster implements LabView, AutoCloseable {
    static final String MAC_1 = "0e:00:00:00:00:01";
    static final String MAC_2 = "0e:00:00:00:00:02";
    static final String MAC_3 = "0e:00:00:00:00:03";
    private static final ObjectMapper JSON = Json.mapper();
    private static final List<Lease> LEASES = List.of(
            lease("node1", "10.42.1.0/24", "192.0.2.1", MAC_1),
            lease("node2", "10.42.2.0/24", "192.0.2.2", MAC_2),
            lease("node3", "10.42.3.0/24", "198.51.100.3", MAC_3));

    private final Sandbox sandbox = new Sandbox();
    private final Path dir;
    private final List<Node> nodes = new ArrayList<>();
    private final List<LabPod> pods = new ArrayList<>();
    private final Map<String, NetNamespace> namespaces = new HashMap<>();
    final NetNamespace fabric;

    /** A node namespace with its handle, overlay and plugin. */
    record Node(LabNode lab, NetNamespace namespace, Netlink netlink, VxlanOverlay overlay, CniPlugin plugin, Lease lease) {
        void close() {
            overlay.close();
            plugin.close();
            netlink.close();
        }
    }

    TraceCluster(Path dir) throws IOException {
        this.dir = dir;
        try {
            fabric = sandbox.namespace();
            try (Netlink fabricLinks = Netlink.open(fabric)) {
                fabricLinks.links().add(LinkSpec.bridge("sw0"));
                ip(fabric, "addr", "add", "192.0.2.254/24", "dev", "sw0");
                ip(fabric, "link", "set", "sw0", "up");
                fabric.sysctl().set("net.ipv4.ip_forward", "1");
                for (Lease lease : LEASES) {
                    nodes.add(node(fabricLinks, lease));
                }
            }
            for (Node node : nodes) {
                node.overlay().reconcile(node.lease(), LEASES);
            }
            attach("node1-pod1", node("node1"));
            attach("node1-pod2", node("node1"));
            attach("node2-pod1", node("node2"));
            attach("node3-pod1", node("node3"));
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private static Lease lease(String node, String subnet, String publicIp, String vtepMac) {
        return new Lease(node, IpPrefix.parse(subnet), IpPrefix.parseAddress(publicIp), MacAddress.parse(vtepMac), Instant.MAX);
    }

    /** eth0 on the fabric (a port of sw0, or routed for node3), the overlay and the plugin. */
    private Node node(Netlink fabricLinks, Lease lease) throws IOException {
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
        Path runDir = dir.resolve(lease.node()).resolve("run");
        Path stateDir = dir.resolve(lease.node()).resolve("state");
        new SubnetEnv(IpPrefix.parse("10.42.0.0/16"), lease.gateway(), overlay.mtu(), false).write(runDir.resolve("subnet.env"));
        LabNode lab = new LabNode(lease.node(), namespace.name(), lease.publicIp().getHostAddress(), runDir, stateDir,
                dir.resolve("cni-bin"), dir.resolve(lease.node()).resolve("net.d"));
        namespaces.put(lease.node(), namespace);
        return new Node(lab, namespace, netlink, overlay, CniPlugin.forNamespace(namespace), lease);
    }

    /** CNI ADD as a runtime makes it, the pod's name as container id; the pod's address from the result. */
    private void attach(String name, Node node) throws IOException {
        NetNamespace pod = sandbox.namespace();
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\",\"subnetFile\":\""
                + node.lab().runDir().resolve("subnet.env") + "\",\"dataDir\":\"" + node.lab().stateDir().resolve("ipam") + "\"}";
        Map<String, String> environment = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", name,
                "CNI_NETNS", pod.path().toString(), "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin");
        CniResponse response = node.plugin().handle(new CniInvocation(environment, config.getBytes(StandardCharsets.UTF_8), "weft"));
        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        JsonNode result = JSON.readTree(response.stdout());
        String address = IpPrefix.parse(result.get("ips").get(0).get("address").asString()).address().getHostAddress();
        pods.add(new LabPod(name, node.lab().name(), pod.name(), address));
        namespaces.put(name, pod);
    }

    Node node(String name) {
        return nodes.stream().filter(node -> node.lab().name().equals(name)).findFirst().orElseThrow();
    }

    LabPod pod(String name) {
        return pods.stream().filter(pod -> pod.name().equals(name)).findFirst().orElseThrow();
    }

    /** The namespace of a node or a pod, by its lab name. */
    NetNamespace namespace(String name) {
        return java.util.Objects.requireNonNull(namespaces.get(name), name);
    }

    /** Traces between two pods of this cluster, by name. */
    Trace trace(String from, String to) {
        TraceScope scope = TraceScope.of(this);
        return Tracer.trace(scope, scope.resolve(from), scope.resolve(to));
    }

    @Override
    public List<LabNode> nodes() {
        return nodes.stream().map(Node::lab).toList();
    }

    @Override
    public List<LabPod> pods() {
        return List.copyOf(pods);
    }

    @Override
    public void close() {
        try {
            nodes.forEach(Node::close);
        } finally {
            sandbox.close();
        }
    }
}
