package io.weft.lab.trace;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.neigh.Neighbour;
import io.weft.netlink.ns.Sysctl;
import io.weft.netlink.route.Route;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.weft.netlink.sys.Kernel.RT_SCOPE_HOST;

/**
 * What one namespace's kernel holds, read through netlink as a trace asks for it. Each table is dumped
 * once and kept, so that all steps of one trace see one state of it; route lookups and sysctls ask the kernel each time.
 */
final class KernelState {
    private final String name;
    private final Path netns;
    private final Netlink netlink;
    private final Sysctl sysctl;
    private final boolean pod;
    private List<Link> links;
    private List<Address> addresses;
    private List<Neighbour> neighbours;
    private final Map<Integer, List<FdbEntry>> fdb = new HashMap<>();
    private final Map<Integer, List<FdbEntry>> bridgeFdb = new HashMap<>();

    KernelState(String name, Path netns, Netlink netlink, Sysctl sysctl, boolean pod) {
        this.name = name;
        this.netns = netns;
        this.netlink = netlink;
        this.sysctl = sysctl;
        this.pod = pod;
    }

    /** The node or pod this namespace belongs to. */
    String name() {
        return name;
    }

    Path netns() {
        return netns;
    }

    /** Whether this is a pod's namespace rather than a node's. */
    boolean pod() {
        return pod;
    }

    List<Link> links() {
        if (links == null) {
            links = netlink.links().list();
        }
        return links;
    }

    /** The link of this index, or null. */
    Link link(int index) {
        return links().stream().filter(link -> link.index() == index).findFirst().orElse(null);
    }

    /** The addresses of a link, with their prefix lengths. */
    List<IpPrefix> addresses(int index) {
        return addresses().stream().filter(a -> a.linkIndex() == index).map(Address::prefix).toList();
    }

    /** The link that has {@code address}, not counting loopback and host-scope addresses. */
    Optional<Link> linkWith(InetAddress address) {
        return addresses().stream()
                .filter(a -> a.scope() != RT_SCOPE_HOST && a.prefix().address().equals(address))
                .map(a -> link(a.linkIndex())).filter(java.util.Objects::nonNull).findFirst();
    }

    Optional<Neighbour> neighbour(int index, InetAddress address) {
        if (neighbours == null) {
            neighbours = netlink.neighbours().list();
        }
        return neighbours.stream().filter(n -> n.linkIndex() == index && n.address().equals(address)).findFirst();
    }

    /** The VXLAN device's own FDB entries for {@code mac}. */
    List<FdbEntry> fdb(int index, io.weft.netlink.MacAddress mac) {
        return fdb.computeIfAbsent(index, netlink.fdb()::list).stream().filter(e -> e.mac().equals(mac)).toList();
    }

    /** The bridge's entry for {@code mac}: the port it is behind. */
    Optional<FdbEntry> bridgeFdb(int bridgeIndex, io.weft.netlink.MacAddress mac) {
        return bridgeFdb.computeIfAbsent(bridgeIndex, netlink.fdb()::listOfBridge).stream()
                .filter(e -> e.mac().equals(mac)).findFirst();
    }

    /** Where the kernel would send a packet this namespace sends to {@code destination} ({@code RTM_GETROUTE}). */
    Route lookup(InetAddress destination) {
        return netlink.routes().lookup(destination);
    }

    /**
     * What the kernel does with a packet from {@code source} to {@code destination} arriving on {@code input}
     * ({@code RTM_GETROUTE} with {@code RTA_IIF}): forwarding, iif rules and reverse-path filtering count.
     */
    Route lookup(InetAddress destination, InetAddress source, Link input) {
        return netlink.routes().lookup(destination, source, input.index());
    }

    /** A setting of this namespace, e.g. {@code net/ipv4/conf/weft.1/rp_filter}; read when asked, not kept. */
    String sysctl(String key) {
        return sysctl.get(key);
    }

    private List<Address> addresses() {
        if (addresses == null) {
            addresses = netlink.addresses().list();
        }
        return addresses;
    }
}
