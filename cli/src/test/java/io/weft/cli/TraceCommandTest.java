package io.weft.cli;

import io.weft.cni.CniInvocation;
import io.weft.cni.CniPlugin;
import io.weft.cni.CniResponse;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.json.Json;
import io.weft.lab.Lab;
import io.weft.lab.LabNode;
import io.weft.lab.LabOptions;
import io.weft.lab.LabPod;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;

import static io.weft.netlink.testing.Sandbox.ip;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static io.weft.cli.WeftRun.weft;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code weft trace} on one node namespace with two pods attached by the CNI plugin: on a "real node"
 * (the command run inside the node's namespace, pods given by namespace path) and in a lab described by
 * {@code lab.json}. The walk itself is tested step by step in the lab module.
 */
class TraceCommandTest {
    private static final ObjectMapper JSON = Json.mapper();

    @TempDir
    Path dir;
    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private CniPlugin plugin;
    private NetNamespace pod1;
    private NetNamespace pod2;
    private String ip1;
    private String ip2;

    @BeforeEach
    void nodeWithTwoPods() throws Exception {
        node = sandbox.namespace();
        new SubnetEnv(IpPrefix.parse("10.42.0.0/16"), IpPrefix.parse("10.42.1.1/24"), 1450, false).write(dir.resolve("subnet.env"));
        plugin = CniPlugin.forNamespace(node);
        pod1 = sandbox.namespace();
        pod2 = sandbox.namespace();
        ip1 = attach("pod1", pod1);
        ip2 = attach("pod2", pod2);
    }

    @AfterEach
    void cleanUp() {
        plugin.close();
        sandbox.close();
    }

    private String attach(String id, NetNamespace pod) throws Exception {
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\",\"subnetFile\":\"" + dir.resolve("subnet.env")
                + "\",\"dataDir\":\"" + dir.resolve("ipam") + "\"}";
        CniResponse response = plugin.handle(new CniInvocation(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", id,
                "CNI_NETNS", pod.path().toString(), "CNI_IFNAME", "eth0"), config.getBytes(StandardCharsets.UTF_8), "weft"));
        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        String cidr = JSON.readTree(response.stdout()).get("ips").get(0).get("address").asString();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    @Test
    void tracesOnARealNodeFromPodNamespacePathsAsJsonAndSvg() throws Exception {
        Path svg = dir.resolve("trace.svg");

        WeftRun run = node.call(() -> weft("trace", "--src-netns", pod1.path().toString(), "--dst-netns", pod2.path().toString(),
                ip1, ip2, "--json", "--svg", svg.toString()));

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        JsonNode json = JSON.readTree(run.out());
        assertThat(json.get("path").asString()).isEqualTo("same-node");
        assertThat(json.get("complete").asBoolean()).isTrue();
        assertThat(json.get("steps").findValuesAsString("hop"))
                .containsExactly("route", "eth0", "veth", "bridge", "arp", "bridge-fdb", "veth", "eth0");
        String pod2Mac = ipJson(pod2, "link", "show", "eth0").get(0).get("address").asString();
        assertThat(json.get("steps").get(7).get("facts").get("mac").asString()).isEqualTo(pod2Mac);
        assertThat(DocumentBuilderFactory.newNSInstance().newDocumentBuilder().parse(svg.toFile()).getDocumentElement().getTagName())
                .isEqualTo("svg");
        assertThat(Files.readString(svg)).contains("id=\"pod--" + ip2 + "--eth0\"");
    }

    @Test
    void tracesInALabDescribedByLabJsonAndProbes() throws Exception {
        writeLab();

        WeftRun run = weft("trace", "--lab-dir", dir.toString(), "node1-pod1", ip2, "--probe");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).startsWith("weft trace node1-pod1 (" + ip1 + ") → node1-pod2 (" + ip2 + "): same node")
                .contains("The path is complete").contains("Probe: UDP " + ip1 + " → " + ip2).contains("ARP who-has " + ip2)
                .contains("Delivered");
    }

    @Test
    void exitsOneAndShowsTheBreakWhenTheDestinationsVethIsDown() throws Exception {
        writeLab();
        String veth = Sandbox.ipJson(node, "link", "show", "master", "cni0").findValuesAsString("ifname").stream()
                .filter(name -> ipJson(node, "link", "show", name).get(0).get("ifindex").asInt()
                        == ipJson(pod2, "link", "show", "eth0").get(0).get("link_index").asInt())
                .findFirst().orElseThrow();
        ip(node, "link", "set", veth, "down");

        WeftRun run = weft("trace", "--lab-dir", dir.toString(), "node1-pod1", "node1-pod2");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("THE BREAK, step 7: " + veth + " on node1 is down");
    }

    @Test
    void refusesInputItCannotResolveWithExitTwo() {
        WeftRun alone = weft("trace", "--dst-netns", "/run/netns/x", "10.42.1.2", "10.42.1.3");
        assertThat(alone.code()).isEqualTo(2);
        assertThat(alone.err()).contains("--dst-netns needs --src-netns");

        WeftRun noLab = weft("trace", "--lab-dir", dir.resolve("nolab").toString(), "a", "b");
        assertThat(noLab.code()).isEqualTo(2);
        assertThat(noLab.err()).contains("no lab at").contains("lab.json does not exist");

        WeftRun notAnAddress = weft("trace", "--src-netns", pod1.path().toString(), "pod1", ip2);
        assertThat(notAnAddress.code()).isEqualTo(2);
        assertThat(notAnAddress.err()).contains("SRC must be the pod's IP address with --src-netns, not \"pod1\"");
    }

    /** A lab.json describing this test's node and pods, as lab up writes one. */
    private void writeLab() throws Exception {
        Path nodeDir = dir.resolve("node1");
        LabNode node1 = new LabNode("node1", node.name(), "192.0.2.1", nodeDir.resolve("run"), nodeDir.resolve("state"),
                nodeDir.resolve("cni/bin"), nodeDir.resolve("cni/net.d"));
        List<LabPod> pods = List.of(new LabPod("node1-pod1", "node1", pod1.name(), ip1), new LabPod("node1-pod2", "node1", pod2.name(), ip2));
        new Lab("wtest-trace", dir, new LabOptions(1, 2, LabOptions.Store.LOCAL, false, LabOptions.Subnets.SAME), Lab.State.UP,
                node.name(), Optional.empty(), Optional.empty(), List.of(node1), pods, Map.of()).save();
    }
}
