package io.weft.agent.overlay;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;

import static io.weft.netlink.sys.Kernel.RT_SCOPE_UNIVERSE;

/**
 * The node's interface that carries traffic between nodes: encapsulated packets leave through it from
 * {@code address}, and peers on one of its {@code connected} subnets can be routed to directly.
 *
 * @param name the interface, e.g. {@code eth0}
 * @param index its index in the node's namespace
 * @param address the local address VXLAN packets are sent from
 * @param mtu the interface's MTU, from which the overlay's is derived
 * @param connected the subnets of the interface's global addresses: peers inside them need no router
 */
public record Underlay(String name, int index, InetAddress address, int mtu, List<IpPrefix> connected) {
    public Underlay {
        if (index <= 0) {
            throw new IllegalArgumentException("underlay " + name + ": index " + index + " is not positive");
        }
        if (mtu < 68 + 70) {
            throw new IllegalArgumentException("underlay " + name + ": MTU " + mtu + " leaves no room for VXLAN");
        }
        connected = List.copyOf(connected);
    }

    /**
     * Reads interface {@code name} from the kernel, sending from its first global IPv4 address (the
     * primary one), or its first global IPv6 address when it has no IPv4.
     */
    public static Underlay of(Netlink netlink, String name) {
        Link link = netlink.links().get(name);
        List<Address> addresses = globalAddresses(netlink, link);
        InetAddress address = addresses.stream()
                .min(Comparator.comparing(a -> a.prefix().isIpv4() ? 0 : 1))
                .map(a -> a.prefix().address())
                .orElseThrow(() -> new IllegalArgumentException("underlay interface " + name + " has no global IP address"));
        return new Underlay(name, link.index(), address, link.mtu(), connected(addresses));
    }

    /** Reads interface {@code name} from the kernel, sending from {@code address}, which must be one of its own. */
    public static Underlay of(Netlink netlink, String name, InetAddress address) {
        Link link = netlink.links().get(name);
        List<Address> addresses = globalAddresses(netlink, link);
        if (addresses.stream().noneMatch(a -> a.prefix().address().equals(address))) {
            throw new IllegalArgumentException("underlay interface " + name + " does not have address "
                    + IpPrefix.formatAddress(address));
        }
        return new Underlay(name, link.index(), address, link.mtu(), connected(addresses));
    }

    /** Whether {@code peer} is on one of the connected subnets, reachable without a router. */
    public boolean connects(InetAddress peer) {
        for (IpPrefix prefix : connected) { // a loop, not a stream: asked once per peer in every pass
            if (prefix.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    /** The MTU of the VXLAN device: the underlay's less the outer headers (50 bytes over IPv4, 70 over IPv6). */
    public int vxlanMtu() {
        return mtu - (address instanceof Inet4Address ? 50 : 70);
    }

    private static List<Address> globalAddresses(Netlink netlink, Link link) {
        return netlink.addresses().list(link.index()).stream().filter(a -> a.scope() == RT_SCOPE_UNIVERSE).toList();
    }

    private static List<IpPrefix> connected(List<Address> addresses) {
        return addresses.stream().map(a -> a.prefix().network()).distinct().toList();
    }
}
