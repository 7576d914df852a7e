package io.weft.agent.overlay;

import io.weft.agent.lease.Lease;
import io.weft.netlink.Group;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkEvent;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.Subscription;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.weft.agent.overlay.KernelView.deviceAddresses;
import static io.weft.agent.overlay.KernelView.deviceLine;
import static io.weft.agent.overlay.KernelView.fdb;
import static io.weft.agent.overlay.KernelView.lease;
import static io.weft.agent.overlay.KernelView.neighbours;
import static io.weft.agent.overlay.KernelView.routesOn;
import static io.weft.agent.overlay.KernelView.weftRoutes;
import static io.weft.netlink.sys.Kernel.AF_BRIDGE;
import static io.weft.netlink.sys.Kernel.AF_INET;
import static io.weft.netlink.sys.Kernel.RTM_NEWROUTE;
import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One node against the real kernel: its underlay is a veth {@code eth0} (192.0.2.1/24, peer end in the
 * same namespace); peers are hand-made leases, VXLAN ones on 198.51.100.0/24 (behind a router) and
 * direct ones on 192.0.2.0/24. No traffic here: {@link OverlayTrafficTest} sends it.
 */
class VxlanOverlayTest {
    private static final String OWN_MAC = "0e:00:00:00:00:01";
    private static final Lease SELF = lease("node-1", "10.42.1.0/24", "192.0.2.1", OWN_MAC);
    private static final Lease VXLAN_2 = lease("node-2", "10.42.2.0/24", "198.51.100.2", "0e:00:00:00:00:02");
    private static final Lease VXLAN_3 = lease("node-3", "10.42.3.0/24", "198.51.100.3", "0e:00:00:00:00:03");
    private static final Lease DIRECT_4 = lease("node-4", "10.42.4.0/24", "192.0.2.4", "0e:00:00:00:00:04");
    private static final List<Lease> ALL = List.of(SELF, VXLAN_2, VXLAN_3, DIRECT_4);

    private static final String DEVICE = "vxlan id 1 port 8472 local 192.0.2.1 dev eth0 nolearning mtu 1450 address "
            + OWN_MAC + " UP";
    private static final List<String> ALL_NEIGHBOURS = List.of(
            "10.42.2.0 lladdr 0e:00:00:00:00:02 PERMANENT", "10.42.3.0 lladdr 0e:00:00:00:00:03 PERMANENT");
    private static final List<String> ALL_FDB = List.of(
            "0e:00:00:00:00:02 dst 198.51.100.2 self permanent", "0e:00:00:00:00:03 dst 198.51.100.3 self permanent");
    private static final List<String> ALL_ROUTES = List.of(
            "10.42.2.0/24 via 10.42.2.0 dev weft.1 onlink", "10.42.3.0/24 via 10.42.3.0 dev weft.1 onlink",
            "10.42.4.0/24 via 192.0.2.4 dev eth0");

    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private Netlink netlink;
    private Underlay underlay;
    private VxlanOverlay overlay;

    @BeforeEach
    void createNode() {
        node = sandbox.namespace();
        netlink = Netlink.open(node);
        netlink.links().add(LinkSpec.veth("eth0", "eth0p", null));
        ip(node, "addr", "add", "192.0.2.1/24", "dev", "eth0");
        ip(node, "link", "set", "eth0", "up");
        ip(node, "link", "set", "eth0p", "up");
        underlay = Underlay.of(netlink, "eth0");
        overlay = overlay(OverlaySettings.defaults());
    }

    @AfterEach
    void cleanUp() {
        overlay.close();
        netlink.close();
        sandbox.close();
    }

    private VxlanOverlay overlay(OverlaySettings settings) {
        return new VxlanOverlay(netlink, underlay, settings, MacAddress.parse(OWN_MAC));
    }

    private void assertFullyProgrammed() {
        assertThat(deviceLine(node)).isEqualTo(DEVICE);
        assertThat(deviceAddresses(node)).containsExactly("10.42.1.0/32");
        assertThat(neighbours(node)).containsExactlyInAnyOrderElementsOf(ALL_NEIGHBOURS);
        assertThat(fdb(node)).containsExactlyInAnyOrderElementsOf(ALL_FDB);
        assertThat(weftRoutes(node)).containsExactlyInAnyOrderElementsOf(ALL_ROUTES);
    }

    @Test
    void createsTheDeviceAsDesignedWhenAloneInTheCluster() {
        ReconcileResult result = overlay.reconcile(SELF, List.of(SELF));

        assertThat(deviceLine(node)).isEqualTo(DEVICE);
        assertThat(deviceAddresses(node)).containsExactly("10.42.1.0/32");
        assertThat(overlay.mtu()).isEqualTo(1450);
        assertThat(neighbours(node)).isEmpty();
        assertThat(fdb(node)).isEmpty();
        assertThat(weftRoutes(node)).isEmpty();
        assertThat(result.added()).as("device and its address").isEqualTo(2);
        assertThat(result.replaced() + result.deleted()).isZero();
        assertThat(result.vxlanPeers() + result.directPeers()).isZero();
    }

    @Test
    void programsNeighbourFdbEntryAndOnlinkRoutePerVxlanPeerAndARouteToTheDirectPeer() {
        ReconcileResult result = overlay.reconcile(SELF, ALL);

        assertFullyProgrammed();
        assertThat(routesOn(node, "eth0")).as("the node's own subnet is not routed anywhere by Weft")
                .containsExactlyInAnyOrder("192.0.2.0/24 dev eth0", "10.42.4.0/24 via 192.0.2.4 dev eth0");
        assertThat(result.vxlanPeers()).isEqualTo(2);
        assertThat(result.directPeers()).isEqualTo(1);
        assertThat(result.added()).as("device, address, 2 x (neighbour, fdb, route), direct route").isEqualTo(9);
        assertThat(result.replaced() + result.deleted()).isZero();
    }

    @Test
    void usesVxlanForAPeerOnTheSameSubnetWhenDirectRoutingIsOff() {
        overlay = overlay(OverlaySettings.defaults().withDirectRouting(DirectRouting.OFF));

        ReconcileResult result = overlay.reconcile(SELF, List.of(SELF, DIRECT_4));

        assertThat(neighbours(node)).containsExactly("10.42.4.0 lladdr 0e:00:00:00:00:04 PERMANENT");
        assertThat(fdb(node)).containsExactly("0e:00:00:00:00:04 dst 192.0.2.4 self permanent");
        assertThat(weftRoutes(node)).containsExactly("10.42.4.0/24 via 10.42.4.0 dev weft.1 onlink");
        assertThat(result.vxlanPeers()).isEqualTo(1);
        assertThat(result.directPeers()).isZero();
    }

    @Test
    void aSecondPassChangesNothingAndSendsTheKernelNoChange() throws Exception {
        overlay.reconcile(SELF, ALL);
        BlockingQueue<NetlinkEvent> events = new LinkedBlockingQueue<>();
        int eth0 = netlink.links().get("eth0").index();

        ReconcileResult second;
        try (Subscription ignored = netlink.subscribe(Set.of(Group.NEIGH, Group.IPV4_IFADDR, Group.IPV4_ROUTE), events::add)) {
            second = overlay.reconcile(SELF, ALL);
            ip(node, "route", "add", "203.0.113.0/24", "via", "192.0.2.254", "dev", "eth0"); // a marker after the pass
            List<NetlinkEvent> beforeMarker = new ArrayList<>();
            NetlinkEvent marker = new NetlinkEvent.ObjectChanged(RTM_NEWROUTE, AF_INET, eth0);
            for (NetlinkEvent event = events.poll(10, TimeUnit.SECONDS); !marker.equals(event); event = events.poll(10, TimeUnit.SECONDS)) {
                assertThat(event).as("marker event").isNotNull();
                if (event instanceof NetlinkEvent.ObjectChanged change && (change.family() == AF_INET || change.family() == AF_BRIDGE)) {
                    beforeMarker.add(event);
                }
            }
            assertThat(beforeMarker).as("changes the second pass made").isEmpty();
        }

        assertThat(second.changes()).isZero();
        assertThat(second.vxlanPeers()).isEqualTo(2);
        assertThat(second.directPeers()).isEqualTo(1);
        assertFullyProgrammed();
    }

    @Test
    void restoresADeviceDeletedByHandWithAllItsPeers() {
        overlay.reconcile(SELF, ALL);
        ip(node, "link", "del", "weft.1");

        ReconcileResult result = overlay.reconcile(SELF, ALL);

        assertFullyProgrammed();
        assertThat(result.added()).as("device, address, 2 x (neighbour, fdb, route); the direct route survived").isEqualTo(8);
        assertThat(result.replaced() + result.deleted()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "type vxlan id 2 dstport 8472 dev eth0 local 192.0.2.1 nolearning",
            "type vxlan id 1 dstport 4789 dev eth0 local 192.0.2.1 nolearning",
            "type vxlan id 1 dstport 8472 dev eth0 local 192.0.2.1 learning",
            "type vxlan id 1 dstport 8472 dev eth0p local 192.0.2.1 nolearning",
            "type vxlan id 1 dstport 8472 dev eth0 local 192.0.2.99 nolearning",
            "type bridge"})
    void makesAgainADeviceWhoseFixedSettingsAreWrongAndReplaysThePeers(String madeByHand) {
        List<String> command = new ArrayList<>(List.of("link", "add", "weft.1"));
        command.addAll(List.of(madeByHand.split(" ")));
        ip(node, command.toArray(String[]::new));

        ReconcileResult result = overlay.reconcile(SELF, ALL);

        assertFullyProgrammed();
        assertThat(result.replaced()).as("the device").isEqualTo(1);
        assertThat(result.added()).as("address, 2 x (neighbour, fdb, route), direct route").isEqualTo(8);
    }

    @Test
    void correctsMtuMacAddressAndStateInPlace() {
        overlay.reconcile(SELF, ALL);
        int index = netlink.links().get("weft.1").index();
        ip(node, "link", "set", "weft.1", "mtu", "1300", "address", "0e:00:00:00:00:99");
        ip(node, "addr", "add", "10.99.0.1/24", "dev", "weft.1");
        ip(node, "link", "set", "weft.1", "down"); // which takes the routes and neighbours on it away

        ReconcileResult result = overlay.reconcile(SELF, ALL);

        assertFullyProgrammed();
        assertThat(netlink.links().get("weft.1").index()).as("the same device").isEqualTo(index);
        assertThat(result.replaced()).as("MTU, MAC, up").isEqualTo(3);
        assertThat(result.deleted()).as("the foreign address").isEqualTo(1);
        assertThat(result.added()).as("2 x (neighbour, route) gone with the link down").isEqualTo(4);
    }

    @Test
    void movesTheDeviceAddressWhenTheNodeGetsAnotherSubnet() {
        overlay.reconcile(SELF, List.of(SELF));
        Lease moved = lease("node-1", "10.42.9.0/24", "192.0.2.1", OWN_MAC);

        ReconcileResult result = overlay.reconcile(moved, List.of(moved));

        assertThat(deviceAddresses(node)).containsExactly("10.42.9.0/32");
        assertThat(result.added()).isEqualTo(1);
        assertThat(result.deleted()).isEqualTo(1);
    }

    @Test
    void removesForeignRoutesOnTheDeviceAndLeavesOthersAlone() {
        overlay.reconcile(SELF, ALL);
        ip(node, "route", "add", "10.99.0.0/24", "dev", "weft.1");
        ip(node, "route", "add", "10.98.0.0/24", "via", "10.42.2.0", "dev", "weft.1", "onlink", "proto", "static");
        ip(node, "route", "add", "203.0.113.0/24", "via", "192.0.2.254", "dev", "eth0");

        ReconcileResult result = overlay.reconcile(SELF, ALL);

        assertThat(routesOn(node, "weft.1")).containsExactlyInAnyOrder(
                "10.42.2.0/24 via 10.42.2.0 dev weft.1 onlink", "10.42.3.0/24 via 10.42.3.0 dev weft.1 onlink");
        assertThat(routesOn(node, "eth0")).contains("203.0.113.0/24 via 192.0.2.254 dev eth0");
        assertThat(result.deleted()).isEqualTo(2);
        assertThat(result.added() + result.replaced()).isZero();
        assertFullyProgrammed();
    }

    @Test
    void removesWeftRoutesToSubnetsNoLeaseHas() {
        overlay.reconcile(SELF, ALL);
        ip(node, "route", "add", "10.42.7.0/24", "via", "192.0.2.7", "dev", "eth0", "proto", "201");

        ReconcileResult result = overlay.reconcile(SELF, ALL);

        assertThat(weftRoutes(node)).containsExactlyInAnyOrderElementsOf(ALL_ROUTES);
        assertThat(result.deleted()).isEqualTo(1);
    }

    @Test
    void removesTheRouteNeighbourAndFdbEntryOfAPeerWhoseLeaseIsGone() {
        overlay.reconcile(SELF, ALL);

        ReconcileResult result = overlay.reconcile(SELF, List.of(SELF, VXLAN_3));

        assertThat(neighbours(node)).containsExactly("10.42.3.0 lladdr 0e:00:00:00:00:03 PERMANENT");
        assertThat(fdb(node)).containsExactly("0e:00:00:00:00:03 dst 198.51.100.3 self permanent");
        assertThat(weftRoutes(node)).containsExactly("10.42.3.0/24 via 10.42.3.0 dev weft.1 onlink");
        assertThat(result.deleted()).as("node-2's neighbour, fdb entry and route; node-4's route").isEqualTo(4);
        assertThat(result.added() + result.replaced()).isZero();
    }

    @Test
    void removesForeignPermanentNeighboursAndFdbEntriesOnTheDevice() {
        overlay.reconcile(SELF, ALL);
        ip(node, "neigh", "add", "10.42.9.0", "lladdr", "0e:00:00:00:00:09", "dev", "weft.1", "nud", "permanent");
        Sandbox.run(List.of("bridge", "-n", node.name(), "fdb", "add", "0e:00:00:00:00:09", "dev", "weft.1",
                "dst", "198.51.100.9", "self", "permanent"));

        ReconcileResult result = overlay.reconcile(SELF, ALL);

        assertFullyProgrammed();
        assertThat(result.deleted()).isEqualTo(2);
    }

    @Test
    void replacesNeighbourAndFdbEntryWhenAPeersVtepMacChanges() {
        overlay.reconcile(SELF, ALL);
        Lease newMac = lease("node-2", "10.42.2.0/24", "198.51.100.2", "0e:00:00:00:00:22");

        ReconcileResult result = overlay.reconcile(SELF, List.of(SELF, newMac, VXLAN_3, DIRECT_4));

        assertThat(neighbours(node)).containsExactlyInAnyOrder(
                "10.42.2.0 lladdr 0e:00:00:00:00:22 PERMANENT", "10.42.3.0 lladdr 0e:00:00:00:00:03 PERMANENT");
        assertThat(fdb(node)).containsExactlyInAnyOrder(
                "0e:00:00:00:00:22 dst 198.51.100.2 self permanent", "0e:00:00:00:00:03 dst 198.51.100.3 self permanent");
        assertThat(weftRoutes(node)).containsExactlyInAnyOrderElementsOf(ALL_ROUTES);
        assertThat(result.replaced()).as("the neighbour").isEqualTo(1);
        assertThat(result.added()).as("the fdb entry of the new MAC").isEqualTo(1);
        assertThat(result.deleted()).as("the fdb entry of the old MAC").isEqualTo(1);
    }

    @Test
    void pointsTheFdbEntryAtAPeersNewPublicIp() {
        overlay.reconcile(SELF, ALL);
        Lease moved = lease("node-2", "10.42.2.0/24", "198.51.100.22", "0e:00:00:00:00:02");

        ReconcileResult result = overlay.reconcile(SELF, List.of(SELF, moved, VXLAN_3, DIRECT_4));

        assertThat(fdb(node)).containsExactlyInAnyOrder(
                "0e:00:00:00:00:02 dst 198.51.100.22 self permanent", "0e:00:00:00:00:03 dst 198.51.100.3 self permanent");
        assertThat(result.replaced()).isEqualTo(1);
        assertThat(result.added() + result.deleted()).isZero();
    }

    @Test
    void switchesAPeerToADirectRouteWhenItComesOntoTheUnderlaysSubnet() {
        overlay.reconcile(SELF, ALL);
        Lease nowDirect = lease("node-2", "10.42.2.0/24", "192.0.2.2", "0e:00:00:00:00:02");

        ReconcileResult result = overlay.reconcile(SELF, List.of(SELF, nowDirect, VXLAN_3, DIRECT_4));

        assertThat(weftRoutes(node)).containsExactlyInAnyOrder("10.42.2.0/24 via 192.0.2.2 dev eth0",
                "10.42.3.0/24 via 10.42.3.0 dev weft.1 onlink", "10.42.4.0/24 via 192.0.2.4 dev eth0");
        assertThat(neighbours(node)).containsExactly("10.42.3.0 lladdr 0e:00:00:00:00:03 PERMANENT");
        assertThat(fdb(node)).containsExactly("0e:00:00:00:00:03 dst 198.51.100.3 self permanent");
        assertThat(result.replaced()).as("the route").isEqualTo(1);
        assertThat(result.deleted()).as("the neighbour and fdb entry").isEqualTo(2);
        assertThat(result.directPeers()).isEqualTo(2);
    }

    @Test
    void programsTheOtherPeersWhenTheKernelRefusesOneAndThenReportsTheRefusal() {
        // a multicast VTEP MAC: a VXLAN device takes no such fdb entry by replace
        Lease broken = lease("node-5", "10.42.5.0/24", "198.51.100.5", "01:00:5e:00:00:05");

        assertThatThrownBy(() -> overlay.reconcile(SELF, List.of(SELF, broken, VXLAN_2, VXLAN_3, DIRECT_4)))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.operation()).isEqualTo("RTM_NEWNEIGH"))
                .hasMessageStartingWith("RTM_NEWNEIGH 01:00:5e:00:00:05 dev ");

        assertThat(fdb(node)).containsExactlyInAnyOrderElementsOf(ALL_FDB);
        assertThat(neighbours(node)).containsAll(ALL_NEIGHBOURS);
        assertThat(weftRoutes(node)).containsAll(ALL_ROUTES);
    }

    @Test
    void concurrentPassesRunOneAtATime() throws Exception {
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<ReconcileResult>> passes = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                passes.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return overlay.reconcile(SELF, ALL);
                }));
            }
            int changes = 0;
            for (Future<ReconcileResult> pass : passes) {
                changes += pass.get(30, TimeUnit.SECONDS).changes();
            }

            assertThat(changes).as("one pass did everything, the others nothing").isEqualTo(9);
        } finally {
            pool.shutdownNow();
        }
        assertFullyProgrammed();
    }

    @Test
    void refusesToRunAfterClose() {
        overlay.close();

        assertThatThrownBy(() -> overlay.reconcile(SELF, ALL)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(KernelView.hasDevice(node)).isFalse();
    }
}
