package io.weft.lab.trace;

import io.weft.lab.trace.svg.TopologySvg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.weft.lab.trace.Hop.*;
import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;

/** Each test breaks one thing in a fresh cluster, by hand as an operator might; the trace names it as the break and stops there. */
class TraceBreakTest {
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
    void aPodWithoutItsDefaultRouteBreaksAtTheFirstStep() {
        ip(cluster.namespace("node1-pod1"), "route", "del", "default");

        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        assertThat(trace.steps()).hasSize(1);
        assertThat(trace.step(1).summary()).isEqualTo("no route to 10.42.3.2");
        assertThat(trace.brokenAt().why()).contains("ENETUNREACH").contains("default route");
        assertThat(trace.path()).isEqualTo(PathKind.UNKNOWN);
    }
}
