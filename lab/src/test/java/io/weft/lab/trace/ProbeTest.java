package io.weft.lab.trace;

import io.weft.lab.trace.probe.Packet;
import io.weft.lab.trace.probe.Probe;
import io.weft.lab.trace.probe.ProbeReport;
import io.weft.lab.trace.probe.ProbeResult;
import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --probe} in a fresh cluster (no neighbour resolved yet): the ARP exchanges and the frames each capture point sees. */
class ProbeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TraceCluster cluster;

    @BeforeEach
    void buildCluster() throws Exception {
        cluster = new TraceCluster(dir);
    }

    @AfterEach
    void removeCluster() {
        cluster.close();
    }

    @Test
    void crossNodeProbeShowsTheArpForTheGatewayAndTheDatagramInVxlanOnUdp8472() {
        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        ProbeResult result = Probe.send(trace, WAIT);

        assertThat(result.delivery()).as(ProbeReport.text(result)).isEqualTo(ProbeResult.Delivery.DELIVERED);
        assertThat(result.captures()).extracting(capture -> capture.point().label())
                .containsExactly("node1 " + IpView.vethOf(cluster.namespace("node1-pod1"), cluster.namespace("node1")),
                        "node1 eth0", "node3 eth0", "node3 " + IpView.vethOf(cluster.namespace("node3-pod1"), cluster.namespace("node3")));
        List<Packet> atSourceVeth = packets(result, 0);
        assertThat(atSourceVeth).as("the pod asks for its gateway, cni0 answers")
                .anySatisfy(packet -> assertThat(packet).isInstanceOfSatisfying(Packet.Arp.class, arp -> {
                    assertThat(arp.request()).isTrue();
                    assertThat(IpPrefix.formatAddress(arp.targetIp())).isEqualTo("10.42.1.1");
                    assertThat(IpPrefix.formatAddress(arp.senderIp())).isEqualTo("10.42.1.2");
                }))
                .anySatisfy(packet -> assertThat(packet).isInstanceOfSatisfying(Packet.Arp.class, arp -> {
                    assertThat(arp.reply()).isTrue();
                    assertThat(arp.senderMac().toString()).isEqualTo(IpView.mac(cluster.namespace("node1"), "cni0"));
                }));
        for (int capture : new int[] {1, 2}) {
            assertThat(packets(result, capture)).as(result.captures().get(capture).point().label())
                    .anySatisfy(packet -> assertThat(packet).isInstanceOfSatisfying(Packet.Vxlan.class, vxlan -> {
                        assertThat(vxlan.vni()).isEqualTo(1);
                        assertThat(IpPrefix.formatAddress(vxlan.outer().source())).isEqualTo("192.0.2.1");
                        assertThat(IpPrefix.formatAddress(vxlan.outer().destination())).isEqualTo("198.51.100.3");
                        assertThat(vxlan.outer().destinationPort()).isEqualTo(8472);
                        Packet.Datagram inner = (Packet.Datagram) vxlan.inner();
                        assertThat(IpPrefix.formatAddress(inner.source())).isEqualTo("10.42.1.2");
                        assertThat(IpPrefix.formatAddress(inner.destination())).isEqualTo("10.42.3.2");
                        assertThat(inner.sourceMac().toString()).isEqualTo(TraceCluster.MAC_1);
                        assertThat(inner.destinationMac().toString()).isEqualTo(TraceCluster.MAC_3);
                    }));
        }
        assertThat(result.captures().get(1).observations()).as("leaving node1")
                .anyMatch(observation -> observation.outgoing() && observation.packet() instanceof Packet.Vxlan);
        assertThat(packets(result, 3)).as("node3 asks for the pod, then hands it the datagram")
                .anyMatch(packet -> packet instanceof Packet.Arp arp && arp.request()
                        && IpPrefix.formatAddress(arp.targetIp()).equals("10.42.3.2"))
                .anyMatch(packet -> packet instanceof Packet.Datagram datagram
                        && IpPrefix.formatAddress(datagram.destination()).equals("10.42.3.2"));

        JsonNode json = ProbeReport.json(result);
        assertThat(json.get("delivery").asString()).isEqualTo("delivered");
        assertThat(json.get("captures").get(1).get("frames").findValuesAsString("type")).contains("vxlan");
        assertThat(ProbeReport.text(result)).contains("VXLAN VNI 1 in UDP 192.0.2.1:").contains(" → 198.51.100.3:8472")
                .contains("Delivered");
    }

    @Test
    void sameNodeProbeShowsThePodAskingForTheOtherPod() {
        Trace trace = cluster.trace("node1-pod1", "node1-pod2");

        ProbeResult result = Probe.send(trace, WAIT);

        assertThat(result.delivery()).isEqualTo(ProbeResult.Delivery.DELIVERED);
        String pod2Mac = IpView.mac(cluster.namespace("node1-pod2"), "eth0");
        assertThat(result.packets())
                .anyMatch(packet -> packet instanceof Packet.Arp arp && arp.request() && IpPrefix.formatAddress(arp.targetIp()).equals("10.42.1.3"))
                .anyMatch(packet -> packet instanceof Packet.Arp arp && arp.reply() && arp.senderMac().toString().equals(pod2Mac))
                .noneMatch(packet -> packet instanceof Packet.Vxlan);
    }

    @Test
    void aBrokenPathLosesTheProbe() {
        IpView.deleteFdb(cluster.namespace("node1"), TraceCluster.MAC_3);
        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        ProbeResult result = Probe.send(trace, Duration.ofSeconds(2));

        assertThat(result.delivery()).isEqualTo(ProbeResult.Delivery.LOST);
        assertThat(result.packets()).noneMatch(packet -> packet instanceof Packet.Vxlan);
    }

    private static List<Packet> packets(ProbeResult result, int capture) {
        return result.captures().get(capture).observations().stream().map(ProbeResult.Observation::packet).toList();
    }
}
