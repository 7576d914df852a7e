package io.weft.lab.trace;

import io.weft.lab.trace.probe.Packet;
import io.weft.lab.trace.probe.Probe;
import io.weft.lab.trace.probe.ProbeReport;
import io.weft.lab.trace.probe.ProbeResult;
import io.weft.lab.trace.svg.TopologySvg;
import io.weft.netlink.ns.NetNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.weft.lab.trace.Hop.*;
import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;

/** Each test breaks one thing in a fresh cluster, by hand as an operator might; the trace names it as the break and stops there. */
class TraceBreakTest {
    private static final Duration PROBE_WAIT = Duration.ofSeconds(2);
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
    void aDeletedFdbEntryIsTheBreak() {
        IpView.deleteFdb(cluster.namespace("node1"), TraceCluster.MAC_3);

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        assertThat(trace.broken()).isTrue();
        Step last = trace.steps().getLast();
        assertThat(last.hop()).isEqualTo(VTEP_FDB);
        assertThat(last.where()).isEqualTo("node1");
        assertThat(last.summary()).isEqualTo("no FDB entry for " + TraceCluster.MAC_3 + " on weft.1");
        assertThat(trace.brokenAt().step()).isEqualTo(last.number()).isEqualTo(9);
        assertThat(trace.brokenAt().why()).startsWith("weft.1 has no FDB entry for " + TraceCluster.MAC_3);
        assertThat(trace.steps()).extracting(Step::hop).containsExactly(
                ROUTE, POD_INTERFACE, VETH, BRIDGE, ARP, ROUTE, VXLAN, VTEP_NEIGHBOUR, VTEP_FDB);
        assertThat(TraceReport.text(trace)).contains("THE BREAK, step 9: weft.1 has no FDB entry");
        assertThat(TraceReport.json(trace).get("break").get("step").asInt()).isEqualTo(9);
        assertThat(TraceReport.json(trace).get("complete").asBoolean()).isFalse();
        assertThat(TopologySvg.render(Topology.read(TraceScope.of(cluster)), trace))
                .containsPattern("id=\"dev--node1--weft.1\" class=\"device vxlan on-path break\"");
    }

    @Test
    void aDeletedVtepNeighbourIsTheBreak() {
        ip(cluster.namespace("node1"), "neigh", "del", "10.42.3.0", "dev", "weft.1");

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        assertThat(trace.steps().getLast().hop()).isEqualTo(VTEP_NEIGHBOUR);
        assertThat(trace.brokenAt().why()).startsWith("weft.1 has no neighbour entry for the route's gateway 10.42.3.0");
    }

    @Test
    void aVxlanMtuAboveTheUnderlaysLessFiftyIsTheBreak() {
        // the kernel refuses to raise weft.1 above its underlay less 50, but lowering the underlay leaves weft.1 as it was
        ip(cluster.namespace("node1"), "link", "set", "eth0", "mtu", "1400");

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        assertThat(trace.steps().getLast().hop()).isEqualTo(VXLAN);
        assertThat(trace.steps().getLast().fact("mtu")).isEqualTo("1450");
        assertThat(trace.brokenAt().why()).startsWith("MTU mismatch: weft.1 has MTU 1450 but its underlay eth0 only 1400 − 50 = 1350");
    }

    @Test
    void aPodMtuAboveTheVxlanDevicesIsTheBreak() {
        ip(cluster.namespace("node1"), "link", "set", "weft.1", "mtu", "1400");

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        assertThat(trace.steps().getLast().hop()).isEqualTo(VXLAN);
        assertThat(trace.brokenAt().why()).startsWith("MTU mismatch: node1-pod1's eth0 has MTU 1450 but weft.1 only 1400");
    }

    @Test
    void theDestinationsVethDownIsTheBreak() {
        String veth = IpView.vethOf(cluster.namespace("node1-pod2"), cluster.namespace("node1"));
        ip(cluster.namespace("node1"), "link", "set", veth, "down");

        Trace trace = cluster.trace("node1-pod1", "node1-pod2");

        Step last = trace.steps().getLast();
        assertThat(last.hop()).isEqualTo(VETH);
        assertThat(last.facts()).containsEntry("interface", veth).containsEntry("state", "DOWN");
        assertThat(trace.brokenAt().why()).isEqualTo(veth + " on node1 is down: it neither sends nor receives (ip link set " + veth + " up)");
    }

    @Test
    void aBridgeWhoseOnlyPortIsDownHasNoCarrierAndIsTheBreak() {
        String veth = IpView.vethOf(cluster.namespace("node3-pod1"), cluster.namespace("node3"));
        ip(cluster.namespace("node3"), "link", "set", veth, "down");

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        Step last = trace.steps().getLast();
        assertThat(last.hop()).isEqualTo(BRIDGE);
        assertThat(last.where()).isEqualTo("node3");
        assertThat(last.facts()).containsEntry("state", "UP,NO-CARRIER");
        assertThat(trace.brokenAt().why()).isEqualTo("cni0 on node3 is up but has no carrier: none of its ports is up");
    }

    @Test
    void aRemoteVtepMacOtherThanTheOneProgrammedIsTheBreak() {
        ip(cluster.namespace("node3"), "link", "set", "weft.1", "address", "0e:00:00:00:00:33");

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        Step last = trace.steps().getLast();
        assertThat(last.hop()).isEqualTo(VXLAN);
        assertThat(last.where()).isEqualTo("node3");
        assertThat(trace.brokenAt().why()).startsWith("VTEP MAC mismatch: node1's neighbour and FDB entries name "
                + TraceCluster.MAC_3 + " but weft.1 of node3 has 0e:00:00:00:00:33");
    }

    @Test
    void strictReversePathFilteringOnTheReceivingVxlanDeviceWithoutTheRouteBackIsTheBreakAndDropsThePacket() {
        NetNamespace node3 = cluster.namespace("node3");
        ip(node3, "route", "del", "10.42.1.0/24"); // node3 now answers node1's pods through its default route, out of eth0
        node3.sysctl().set("net/ipv4/conf/weft.1/rp_filter", "1");

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        Step last = trace.steps().getLast();
        assertThat(last.number()).isEqualTo(15);
        assertThat(last.hop()).isEqualTo(ROUTE);
        assertThat(last.where()).isEqualTo("node3");
        assertThat(last.facts()).containsEntry("iif", "weft.1").containsEntry("from", "10.42.1.2")
                .containsEntry("destination", "10.42.3.2").containsEntry("error", "EINVAL");
        assertThat(last.elements()).containsExactly("dev--node3--weft.1");
        assertThat(trace.brokenAt().why()).isEqualTo("node3 refuses to route the packet from 10.42.1.2 to 10.42.3.2 arriving on weft.1"
                + " (EINVAL): rp_filter=1 (strict) on weft.1 drops packets from 10.42.1.2: node3 has no route back to 10.42.1.0/24"
                + " via weft.1: it would answer 10.42.1.2 through eth0 via 198.51.100.254 (add the route back to 10.42.1.0/24 via"
                + " weft.1, or loosen the filter: sysctl -w net/ipv4/conf/weft.1/rp_filter=2 and net.ipv4.conf.all.rp_filter=2)");
        ProbeResult lost = Probe.send(trace, PROBE_WAIT);
        assertThat(lost.delivery()).as(ProbeReport.text(lost)).isEqualTo(ProbeResult.Delivery.LOST);
        assertThat(lost.captures().getLast().point().label()).isEqualTo("node3 eth0");
        assertThat(lost.captures().getLast().observations()).as("the datagram reaches node3 and dies there")
                .anyMatch(observation -> observation.packet() instanceof Packet.Vxlan);

        node3.sysctl().set("net/ipv4/conf/weft.1/rp_filter", "0");
        Trace unfiltered = cluster.trace("node1-pod1", "node3-pod1");
        assertThat(unfiltered.broken()).as("without the filter, the one-way datagram needs no route back").isFalse();
        assertThat(Probe.send(unfiltered, Duration.ofSeconds(10)).delivery()).isEqualTo(ProbeResult.Delivery.DELIVERED);
    }

    @Test
    void forwardingOffOnTheBridgeIsTheBreakAtTheSourceNodesRouteAndDropsThePacket() {
        cluster.namespace("node1").sysctl().set("net.ipv4.conf.cni0.forwarding", "0");

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        Step last = trace.steps().getLast();
        assertThat(last.number()).isEqualTo(6);
        assertThat(last.hop()).isEqualTo(ROUTE);
        assertThat(last.where()).isEqualTo("node1");
        assertThat(last.summary()).isEqualTo("10.42.3.2 from 10.42.1.2 iif cni0: refused, EHOSTUNREACH");
        assertThat(trace.brokenAt().why()).isEqualTo("node1 refuses to route the packet from 10.42.1.2 to 10.42.3.2 arriving on cni0"
                + " (EHOSTUNREACH): forwarding is off on cni0 (net.ipv4.conf.cni0.forwarding=0): the kernel does not route packets"
                + " that arrive on it (sysctl -w net.ipv4.conf.cni0.forwarding=1; setting net.ipv4.ip_forward=1 turns it on for every"
                + " interface)");
        ProbeResult lost = Probe.send(trace, PROBE_WAIT);
        assertThat(lost.delivery()).as(ProbeReport.text(lost)).isEqualTo(ProbeResult.Delivery.LOST);
        assertThat(lost.packets()).as("nothing leaves node1").noneMatch(packet -> packet instanceof Packet.Vxlan);
    }

    @Test
    void aPolicyRuleProhibitingWhatArrivesOnTheBridgeIsTheBreak() {
        ip(cluster.namespace("node1"), "rule", "add", "iif", "cni0", "prohibit", "pref", "100");

        Trace trace = cluster.trace("node1-pod1", "node2-pod1");

        Step last = trace.steps().getLast();
        assertThat(last.number()).isEqualTo(6);
        assertThat(last.facts()).containsEntry("iif", "cni0").containsEntry("error", "EACCES");
        assertThat(trace.brokenAt().why()).isEqualTo("node1 refuses to route the packet from 10.42.1.2 to 10.42.2.2 arriving on cni0"
                + " (EACCES): a policy rule for packets arriving on cni0 prohibits it (ip rule show): node1 itself would route 10.42.2.2");
    }

    @Test
    void aPodWithoutItsDefaultRouteBreaksAtTheFirstStep() {
        ip(cluster.namespace("node1-pod1"), "route", "del", "default");

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        assertThat(trace.steps()).hasSize(1);
        assertThat(trace.step(1).summary()).isEqualTo("no route to 10.42.3.2");
        assertThat(trace.brokenAt().why()).contains("ENETUNREACH").contains("default route");
        assertThat(trace.path()).isEqualTo(PathKind.UNKNOWN);
    }
}
