package io.weft.lab.doctor;

import io.weft.cni.json.Json;
import io.weft.lab.doctor.CheckResult.Status;
import io.weft.netlink.ethtool.Ethtool;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.ns.NetNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code weft doctor} on a node made as the agent and the plugin make it: clean, it reports no problem;
 * with one fault injected, exactly the check for it fires, naming the objects and the fix.
 */
class DoctorTest {
    private static final List<String> CHECKS = List.of("subnet-env", "conflist", "ip-forward", "rp-filter", "peers", "mtu",
            "vxlan-port", "tx-checksum");

    @TempDir
    Path dir;
    private DoctorNode node;

    @BeforeEach
    void makeNode() throws Exception {
        node = new DoctorNode(dir);
    }

    @AfterEach
    void removeNode() {
        node.close();
    }

    private DoctorReport examine() {
        DoctorReport report = Doctor.standard().examine(node.target());
        System.out.print(report.text());
        return report;
    }

    /** Only {@code check} found problems; returns its findings. */
    private static List<Finding> onlyProblemIn(DoctorReport report, String check) {
        assertThat(report.results()).extracting(CheckResult::check).containsExactlyElementsOf(CHECKS);
        for (CheckResult result : report.results()) {
            assertThat(result.status()).as(result.check() + ": " + result.detail() + " " + result.findings())
                    .isEqualTo(result.check().equals(check) ? Status.PROBLEM : Status.OK);
        }
        assertThat(report.healthy()).isFalse();
        return report.result(check).findings();
    }

    @Test
    void aCleanNodeHasNoProblem() {
        DoctorReport report = examine();

        assertThat(report.results()).extracting(CheckResult::check).containsExactlyElementsOf(CHECKS);
        assertThat(report.results()).allSatisfy(result ->
                assertThat(result.status()).as(result.check() + ": " + result.findings()).isEqualTo(Status.OK));
        assertThat(report.healthy()).isTrue();
        assertThat(report.result("peers").detail()).contains("2 peers as the store has them: node-2 via VXLAN, node-3 direct");
        assertThat(report.result("mtu").detail()).isEqualTo(
                "underlay eth0 1500, weft.1 1450, WEFT_MTU 1450, cni0 1450 with 1 port, 1 pod");
        assertThat(report.result("rp-filter").detail()).isEqualTo("no strict mode: all=2, weft.1=0, eth0=0 (0 off, 2 loose)");
        assertThat(report.text()).endsWith("no problems found\n");
    }

    @Test
    void forwardingOff() {
        node.node.sysctl().set("net.ipv4.ip_forward", "0");

        List<Finding> findings = onlyProblemIn(examine(), "ip-forward");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo("net.ipv4.ip_forward is 0: the node does not route IPv4");
            assertThat(finding.fix()).startsWith("sysctl -w net.ipv4.ip_forward=1");
        });
    }

    @Test
    void strictReversePathFilterOnTheVxlanDevice() {
        node.node.sysctl().set("net/ipv4/conf/weft.1/rp_filter", "1");

        List<Finding> findings = onlyProblemIn(examine(), "rp-filter");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo("net/ipv4/conf/weft.1/rp_filter is 1 (strict) on weft.1, the VXLAN device");
            assertThat(finding.why()).contains("drops a packet when the route back to its source leaves through another interface");
            assertThat(finding.fix()).startsWith("sysctl -w net/ipv4/conf/weft.1/rp_filter=2");
        });
    }

    @Test
    void strictReversePathFilterForAllInterfaces() {
        node.node.sysctl().set("net.ipv4.conf.all.rp_filter", "1");

        List<Finding> findings = onlyProblemIn(examine(), "rp-filter");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo(
                    "net.ipv4.conf.all.rp_filter is 1 (strict): it makes weft.1 and eth0 strict, whatever their own setting");
            assertThat(finding.fix()).startsWith("sysctl -w net.ipv4.conf.all.rp_filter=2");
        });
    }

    @Test
    void aPodMtuAboveTheOverlays() {
        ip(node.pod, "link", "set", "eth0", "mtu", "1500");

        List<Finding> findings = onlyProblemIn(examine(), "mtu");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo("pod pod-1's eth0 has MTU 1500, more than weft.1's 1450");
            assertThat(finding.fix()).endsWith("ip netns exec " + node.pod.name() + " ip link set eth0 mtu 1450");
        });
    }

    @Test
    void aPeersFdbEntryDeleted() {
        node.netlink.fdb().delete(FdbEntry.permanent(node.overlayIndex(), DoctorNode.VXLAN_PEER.vtepMac(),
                DoctorNode.VXLAN_PEER.publicIp()));

        List<Finding> findings = onlyProblemIn(examine(), "peers");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo(
                    "no FDB entry for peer node-2 (10.42.2.0/24 at 198.51.100.2): 0e:00:00:00:00:02 dst 198.51.100.2 on weft.1");
            assertThat(finding.fix()).endsWith("bridge fdb replace 0e:00:00:00:00:02 dev weft.1 dst 198.51.100.2 self permanent");
        });
    }

    @Test
    void aStaleRouteOfANodeThatLeft() {
        ip(node.node, "route", "add", "10.42.9.0/24", "via", "10.42.9.0", "dev", "weft.1", "onlink", "proto", "201");

        List<Finding> findings = onlyProblemIn(examine(), "peers");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo(
                    "stale route 10.42.9.0/24 via 10.42.9.0 dev weft.1 onlink proto 201: no peer in the store has 10.42.9.0/24");
            assertThat(finding.fix()).endsWith("ip route del 10.42.9.0/24 via 10.42.9.0 dev weft.1 onlink proto 201");
        });
    }

    @Test
    void anotherConflistSortingFirst() throws Exception {
        Files.writeString(node.confDir.resolve("00-other.conflist"),
                "{\"cniVersion\":\"1.0.0\",\"name\":\"other\",\"plugins\":[{\"type\":\"bridge\"}]}");

        List<Finding> findings = onlyProblemIn(examine(), "conflist");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo("00-other.conflist sorts before 10-weft.conflist in " + node.confDir);
            assertThat(finding.why()).contains("new pods get the network of 00-other.conflist (\"other\"), not Weft's");
            assertThat(finding.fix()).contains("mv " + node.confDir.resolve("00-other.conflist") + " "
                    + node.confDir.resolve("00-other.conflist") + ".disabled");
        });
    }

    /** Another VNI: with weft.1's the kernel refuses the device (EEXIST), and with the roles swapped it refuses weft.1. */
    @Test
    void flannelsVxlanDeviceOnTheSamePort() {
        node.netlink.links().add(LinkSpec.vxlan("flannel.1", new LinkKind.Vxlan(2, 8472, null, 0, false, 0)));

        List<Finding> findings = onlyProblemIn(examine(), "vxlan-port");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo("flannel.1 is Flannel's VXLAN device on UDP 8472 (VNI 2)");
            assertThat(finding.why()).contains("share the kernel's socket on port 8472");
            assertThat(finding.fix()).contains("--flannel-backend=none").endsWith("ip link del flannel.1");
        });
    }

    @Test
    void subnetEnvRemoved() throws Exception {
        Files.delete(node.runDir.resolve("subnet.env"));

        List<Finding> findings = onlyProblemIn(examine(), "subnet-env");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo(node.runDir.resolve("subnet.env") + " is missing");
            assertThat(finding.fix()).startsWith("start the agent with --run-dir " + node.runDir);
        });
    }

    /** Flannel there first, with the same VNI: the kernel refuses weft.1, so the peers check fires too. */
    @Test
    void flannelsVxlanDeviceWithTheSameVniKeepsWeftsOut() {
        node.netlink.links().delete("weft.1");
        node.netlink.links().add(LinkSpec.vxlan("flannel.1", new LinkKind.Vxlan(1, 8472, null, 0, false, 0)));

        DoctorReport report = examine();

        assertThat(report.result("vxlan-port").findings()).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo("flannel.1 is Flannel's VXLAN device on UDP 8472 (VNI 1)");
            assertThat(finding.why()).contains("the agent cannot create weft.1 (EEXIST");
        });
        assertThat(report.result("peers").findings()).extracting(Finding::problem).containsExactly("weft.1 is missing");
        assertThat(report.result("mtu").status()).isEqualTo(Status.SKIPPED);
        assertThat(report.result("tx-checksum").status()).isEqualTo(Status.SKIPPED);
    }

    @Test
    void aProcessHoldingTheVxlanPortIsNamed() throws Exception {
        ip(node.node, "link", "set", "weft.1", "down"); // frees the kernel's socket on 8472
        try (DatagramChannel socket = node.node.call(() -> DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(8472)))) {
            DoctorReport report = examine();

            assertThat(report.result("vxlan-port").findings()).singleElement().satisfies(finding -> {
                assertThat(finding.problem()).isEqualTo("process java (pid " + ProcessHandle.current().pid()
                        + ") holds UDP port 8472 in this node's namespace");
                assertThat(finding.why()).contains("weft.1 cannot be brought up (EADDRINUSE)");
            });
            assertThat(report.result("peers").findings()).extracting(Finding::problem).contains("weft.1 is down");
        }
    }

    @Test
    void checksumOffloadOnAKernelWithTheBug() {
        Doctor doctor = new Doctor(List.of(new TxChecksumCheck("5.4.0-26-generic")));

        DoctorReport report = doctor.examine(node.target());
        System.out.print(report.text());

        assertThat(report.result("tx-checksum").findings()).singleElement().satisfies(finding -> {
            assertThat(finding.problem()).isEqualTo("weft.1 offloads TX checksums (tx-checksum-ip-generic on) on kernel "
                    + "5.4.0-26-generic, which predates the VXLAN checksum fix");
            assertThat(finding.fix()).startsWith("the agent turns it off itself with --tx-checksum-offload auto, the default, or off")
                    .contains("ethtool -K weft.1 tx-checksum-ip-generic off");
        });
        assertThat(new Doctor(List.of(new TxChecksumCheck("5.4.41"))).examine(node.target()).healthy()).isTrue();
    }

    @Test
    void checksumOffloadTurnedOffOnAKernelWithTheBugIsOk() {
        Ethtool.in(node.node).setTxChecksumOffload("weft.1", false);

        DoctorReport report = new Doctor(List.of(new TxChecksumCheck("5.4.0-26-generic"))).examine(node.target());

        assertThat(report.healthy()).isTrue();
        assertThat(report.result("tx-checksum").status()).isEqualTo(Status.OK);
        assertThat(report.result("tx-checksum").detail()).isEqualTo("weft.1 computes its TX checksums in software "
                + "(tx-checksum-ip-generic off), as kernel 5.4.0-26-generic needs for the VXLAN checksum bug");
    }

    @Test
    void podsAreFoundAmongNamespacesByTheirVethPairedWithCni0() {
        NetNamespace decoy = node.sandbox.namespace();
        ip(decoy, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
        ip(decoy, "addr", "add", "10.42.1.77/24", "dev", "eth0");

        List<DoctorTarget.Pod> pods = PodDiscovery.find(node.node.path(), List.of(node.node.path(), node.pod.path(), decoy.path()));

        assertThat(pods).containsExactly(new DoctorTarget.Pod(node.pod.name(), node.pod.path(), "eth0"));
    }

    @Test
    void jsonHasEveryCheckWithItsStatusAndFindings() throws Exception {
        node.node.sysctl().set("net.ipv4.ip_forward", "0");

        JsonNode json = Json.mapper().readTree(DoctorReport.json(List.of(examine())));

        assertThat(json.get("healthy").asBoolean()).isFalse();
        JsonNode checks = json.get("nodes").get(0).get("checks");
        assertThat(checks.findValuesAsString("check")).containsExactlyElementsOf(CHECKS);
        assertThat(checks.get(2).get("status").asString()).isEqualTo("problem");
        assertThat(checks.get(2).get("findings").get(0).get("fix").asString()).startsWith("sysctl -w net.ipv4.ip_forward=1");
        assertThat(checks.get(0).get("status").asString()).isEqualTo("ok");
        assertThat(checks.get(0).get("findings")).isEmpty();
    }
}
