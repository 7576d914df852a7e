package io.weft.lab.doctor;

import io.weft.agent.lease.Lease;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.agent.overlay.Underlay;
import io.weft.agent.overlay.VxlanOverlay;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniPlugin;
import io.weft.cni.CniResponse;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One node's state as a running agent and a runtime would leave it, made in-process without agent
 * processes: a node namespace whose underlay is a veth {@code eth0} (192.0.2.1/24), {@code weft.1} and
 * the peers programmed by the agent's own {@link VxlanOverlay} from the leases (node-2 behind a router,
 * so through VXLAN; node-3 on the underlay's subnet, so routed directly), forwarding on, loose
 * reverse-path filtering, {@code subnet.env}, the agent's {@code vtep-mac}, Weft's conflist, and one pod
 * attached through the CNI plugin.
 */
final class DoctorNode implements AutoCloseable {
    static final Lease SELF = lease("node-1", "10.42.1.0/24", "192.0.2.1", "0e:00:00:00:00:01");
    static final Lease VXLAN_PEER = lease("node-2", "10.42.2.0/24", "198.51.100.2", "0e:00:00:00:00:02");
    static final Lease DIRECT_PEER = lease("node-3", "10.42.3.0/24", "192.0.2.3", "0e:00:00:00:00:03");
    static final List<Lease> LEASES = List.of(SELF, VXLAN_PEER, DIRECT_PEER);

    private static final ObjectMapper JSON = Json.mapper();

    final Sandbox sandbox = new Sandbox();
    final NetNamespace node;
    final NetNamespace pod;
    final Netlink netlink;
    final Path runDir;
    final Path stateDir;
    final Path confDir;
    final int overlayMtu;

    DoctorNode(Path dir) throws IOException {
        runDir = dir.resolve("run");
        stateDir = dir.resolve("state");
        confDir = dir.resolve("net.d");
        Files.createDirectories(confDir);
        node = sandbox.namespace();
        pod = sandbox.namespace();
        netlink = Netlink.open(node);
        node.sysctl().set("net.ipv4.ip_forward", "1");
        node.sysctl().set("net.ipv4.conf.all.rp_filter", "2");

        netlink.links().add(LinkSpec.veth("eth0", "eth0p", null));
        ip(node, "addr", "add", "192.0.2.1/24", "dev", "eth0");
        ip(node, "link", "set", "eth0", "up");
        ip(node, "link", "set", "eth0p", "up");
        try (VxlanOverlay overlay = new VxlanOverlay(netlink, Underlay.of(netlink, "eth0"), OverlaySettings.defaults(), SELF.vtepMac())) {
            overlay.reconcile(SELF, LEASES);
            overlayMtu = overlay.mtu();
        }
        Files.createDirectories(stateDir);
        Files.writeString(stateDir.resolve("vtep-mac"), SELF.vtepMac() + "\n");
        new SubnetEnv(IpPrefix.parse("10.42.0.0/16"), SELF.gateway(), overlayMtu, true).write(runDir.resolve("subnet.env"));
        Files.writeString(confDir.resolve("10-weft.conflist"), """
                {
                  "cniVersion": "1.0.0",
                  "name": "weft",
                  "plugins": [
                    {"type": "weft", "subnetFile": "%s", "dataDir": "%s"}
                  ]
                }
                """.formatted(runDir.resolve("subnet.env"), stateDir.resolve("ipam")));
        attachPod();
    }

    /** CNI ADD of {@link #pod}, as a runtime makes it. */
    private void attachPod() throws IOException {
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\",\"subnetFile\":\""
                + runDir.resolve("subnet.env") + "\",\"dataDir\":\"" + stateDir.resolve("ipam") + "\"}";
        try (CniPlugin plugin = CniPlugin.forNamespace(node)) {
            CniResponse response = plugin.handle(new CniInvocation(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "pod-1",
                    "CNI_NETNS", pod.path().toString(), "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin"),
                    config.getBytes(StandardCharsets.UTF_8), "weft"));
            assertThat(response.exitCode()).as(response.stdoutText()).isZero();
            assertThat(JSON.readTree(response.stdout()).get("ips").get(0).get("address").asString()).startsWith("10.42.1.");
        }
    }

    DoctorTarget target() {
        return new DoctorTarget("node-1", node.path(), runDir, stateDir, confDir, LEASES, OverlaySettings.defaults(),
                List.of(new DoctorTarget.Pod("pod-1", pod.path(), "eth0")));
    }

    int overlayIndex() {
        return netlink.links().get("weft.1").index();
    }

    static Lease lease(String node, String subnet, String publicIp, String vtepMac) {
        return new Lease(node, IpPrefix.parse(subnet), IpPrefix.parseAddress(publicIp), MacAddress.parse(vtepMac), Instant.MAX);
    }

    @Override
    public void close() {
        try {
            netlink.close();
        } finally {
            sandbox.close();
        }
    }
}
