package io.weft.cli;

import io.weft.cni.json.Json;
import io.weft.lab.LabDown;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.weft.cli.WeftRun.weft;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The proof: {@code weft demo --nodes 3 --pods 2 --json} passes the whole matrix with VXLAN
 * ({@code --subnets split}), with direct routing ({@code same}), with the overlay bound to the
 * non-default NIC ({@code --two-nics}) and with a real etcd as the store; and leaves nothing behind.
 */
class DemoTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final String PREFIX = "wtest-" + ProcessHandle.current().pid() + "-demo";

    @TempDir
    Path tmp;

    @AfterEach
    void nothingIsLeft() throws Exception {
        new LabDown(tmp.resolve("lab"), PREFIX, line -> {}).down();
        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
    }

    @Test
    void splitSubnetsPassThroughVxlan() throws Exception {
        JsonNode report = demo("--subnets", "split");

        assertEveryNodeReachesEveryPeer(report, "vxlan");
    }

    @Test
    void sameSubnetPassesWithDirectRouting() throws Exception {
        JsonNode report = demo("--subnets", "same");

        assertEveryNodeReachesEveryPeer(report, "direct");
    }

    @Test
    void twoNicsBindsTheOverlayToTheClusterNicNotTheDefaultRoutes() throws Exception {
        JsonNode report = demo("--subnets", "split", "--two-nics", "--keep");

        assertEveryNodeReachesEveryPeer(report, "vxlan");
        try (NetNamespace node1 = NetNamespace.open(PREFIX + "-node1")) {
            assertThat(Sandbox.ipJson(node1, "route", "show", "default").get(0).get("dev").asString()).isEqualTo("eth1");
            JsonNode vxlan = Sandbox.ipJson(node1, "-d", "link", "show", "weft.1").get(0).get("linkinfo").get("info_data");
            assertThat(vxlan.get("local").asString()).isEqualTo("10.200.1.1");
            assertThat(vxlan.get("link").asString()).isEqualTo("eth0");
            assertThat(Sandbox.bridgeJson(node1, "fdb", "show", "dev", "weft.1").findValuesAsString("dst"))
                    .containsExactlyInAnyOrder("10.200.2.1", "10.200.3.1");
        }
        WeftRun down = weft("lab", "down", "--dir", tmp.resolve("lab").toString(), "--prefix", PREFIX);
        assertThat(down.code()).as(down.output()).isZero();
        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
    }

    @Test
    void etcdStorePasses() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")), "etcd is not installed (Debian: etcd-server)");

        JsonNode report = demo("--subnets", "same", "--store", "etcd");

        assertEveryNodeReachesEveryPeer(report, "direct");
    }

    /** Runs the demo with 3 nodes x 2 pods and checks what every demo must show: all 30 pairs, 3 throughputs, nothing left. */
    private JsonNode demo(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("demo", "--nodes", "3", "--pods", "2", "--json", "--seconds", "1",
                "--dir", tmp.resolve("lab").toString(), "--prefix", PREFIX));
        args.addAll(List.of(options));
        WeftRun demo = weft(args.toArray(String[]::new));

        assertThat(demo.code()).as(demo.output()).isZero();
        JsonNode report = JSON.readTree(demo.out());
        assertThat(report.get("passed").asBoolean()).as(demo.output()).isTrue();
        assertThat(report.get("pods")).hasSize(6);
        assertThat(report.get("matrix").get("pairCount").asInt()).isEqualTo(30);
        assertThat(report.get("matrix").get("failureCount").asInt()).isZero();
        assertThat(report.get("throughput")).hasSize(3).allSatisfy(path -> assertThat(path.get("measured").asBoolean()).isTrue());
        assertThat(demo.err()).contains("lab " + PREFIX + " is up").contains("connectivity: every pair reached");
        if (!Stream.of(options).toList().contains("--keep")) {
            assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
            assertThat(tmp.resolve("lab")).doesNotExist();
        }
        return report;
    }

    private static void assertEveryNodeReachesEveryPeer(JsonNode report, String mode) {
        assertThat(report.get("nodes")).hasSize(3).allSatisfy(node -> {
            assertThat(node.get("vtepMac").asString()).matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
            assertThat(node.get("subnet").asString()).startsWith("10.42.").endsWith(".0/24");
            JsonNode modes = node.get("modeByPeer");
            assertThat(modes.size()).as("peers of %s", node.get("name")).isEqualTo(2);
            modes.forEach(peerMode -> assertThat(peerMode.asString()).isEqualTo(mode));
        });
    }
}
