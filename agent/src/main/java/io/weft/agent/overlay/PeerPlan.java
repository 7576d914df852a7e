package io.weft.agent.overlay;

import io.weft.agent.lease.Lease;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.neigh.Neighbour;
import io.weft.netlink.route.Route;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kernel objects the peers need, keyed as the kernel keys them. A peer reached through VXLAN
 * needs a permanent neighbour (its subnet's network address → its VTEP MAC, on the device), an FDB
 * entry (its VTEP MAC → its public IP) and a route to its subnet via that network address, onlink;
 * a peer routed to directly needs only a route to its subnet via its public IP out of the underlay.
 * Public so that {@code weft doctor} compares the kernel with the very plan the reconciler makes.
 *
 * @param neighbours by address: the permanent neighbour entries on the device
 * @param fdb by VTEP MAC: the FDB entries on the device
 * @param routes by destination: a route per peer, protocol {@link OverlaySettings#routeProtocol()}
 * @param vxlanPeers how many peers are reached through VXLAN
 * @param directPeers how many are routed to directly
 */
public record PeerPlan(Map<InetAddress, Neighbour> neighbours, Map<MacAddress, FdbEntry> fdb, Map<IpPrefix, Route> routes,
                int vxlanPeers, int directPeers) {

    /**
     * The plan for {@code leases} seen from {@code self}'s node. Self is skipped (by node name, and any
     * lease of its subnet: a route there would steal the node's own pods); of two leases of one subnet the later wins.
     */
    public static PeerPlan of(Lease self, Collection<Lease> leases, int deviceIndex, Underlay underlay, OverlaySettings settings) {
        Map<IpPrefix, Lease> peers = new LinkedHashMap<>();
        for (Lease lease : leases) {
            if (!lease.node().equals(self.node()) && !lease.subnet().equals(self.subnet())) {
                peers.put(lease.subnet(), lease);
            }
        }
        Map<InetAddress, Neighbour> neighbours = new LinkedHashMap<>();
        Map<MacAddress, FdbEntry> fdb = new LinkedHashMap<>();
        Map<IpPrefix, Route> routes = new LinkedHashMap<>();
        int direct = 0;
        for (Lease peer : peers.values()) {
            Route route = Route.to(peer.subnet()).protocol(settings.routeProtocol());
            if (settings.directRouting() == DirectRouting.AUTO && directlyReachable(peer, underlay)) {
                routes.put(peer.subnet(), route.via(peer.publicIp()).dev(underlay.index()));
                direct++;
            } else {
                InetAddress gateway = peer.subnet().address();
                neighbours.put(gateway, Neighbour.permanent(deviceIndex, gateway, peer.vtepMac()));
                fdb.put(peer.vtepMac(), FdbEntry.permanent(deviceIndex, peer.vtepMac(), peer.publicIp()));
                routes.put(peer.subnet(), route.via(gateway).dev(deviceIndex).onlink(true));
            }
        }
        return new PeerPlan(neighbours, fdb, routes, peers.size() - direct, direct);
    }

    /**
     * On a connected subnet of the underlay, and of the subnet's family: a route to an IPv4 subnet via
     * an IPv6 gateway would need {@code RTA_VIA}, which Weft does not make.
     */
    private static boolean directlyReachable(Lease peer, Underlay underlay) {
        return (peer.publicIp() instanceof Inet4Address) == peer.subnet().isIpv4() && underlay.connects(peer.publicIp());
    }
}
