package io.weft.lab.doctor;

import io.weft.agent.lease.Lease;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.agent.overlay.PeerPlan;
import io.weft.agent.overlay.Underlay;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.neigh.Neighbour;
import io.weft.netlink.route.Route;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.weft.netlink.sys.Kernel.RTPROT_KERNEL;
import static io.weft.netlink.sys.Kernel.RT_TABLE_MAIN;

/**
 * The store against the kernel: {@code weft.1} as the agent makes it, and per peer exactly the
 * neighbour, FDB entry and route (or the direct route) the agent's reconciler plans ({@link PeerPlan}),
 * nothing missing, nothing wrong, nothing stale.
 */
final class PeersCheck implements Check {
    private static final String UNREPAIRED = " A running agent puts this right within one pass (it watches the device and "
            + "its routes): finding it means the agent is not running, or its passes fail (its log and /readyz say why)";

    @Override
    public String name() {
        return "peers";
    }

    @Override
    public CheckResult run(NodeView node) {
        OverlaySettings settings = node.target().overlay();
        String device = settings.deviceName();
        Optional<Lease> self = node.self();
        if (self.isEmpty()) {
            return problem(new Finding("the store has no lease for node " + node.target().node(),
                    "without a subnet the agent sets nothing up, and no peer routes this node's pods",
                    "check that the agent runs with this --node-name and store (its /readyz says what it waits for; "
                            + "with --store kubernetes, that the node has a podCIDR)"));
        }
        Optional<Link> link = node.overlayDevice();
        if (link.isEmpty()) {
            return problem(new Finding(device + " is missing",
                    "nothing reaches other nodes' pods from here, nor this node's pods from elsewhere." + UNREPAIRED,
                    "start the agent (weft agent with the node's flags): it creates " + device));
        }
        if (!(link.get().kind() instanceof LinkKind.Vxlan vxlan)) {
            return problem(new Finding(device + " is a " + link.get().kind().typeName() + " device, not VXLAN",
                    "someone else made an interface of this name; the agent replaces it with its VXLAN device." + UNREPAIRED,
                    "ip link del " + device + ", then start the agent"));
        }
        List<Finding> findings = new ArrayList<>(deviceFindings(node, link.get(), vxlan, self.get()));
        Underlay underlay;
        try {
            underlay = Underlay.of(node.netlink(), node.nameOf(vxlan.underlayIndex()), vxlan.local());
        } catch (RuntimeException e) {
            findings.add(new Finding(device + " sends from " + (vxlan.local() == null ? "no address" : IpPrefix.formatAddress(vxlan.local()))
                    + " through " + node.nameOf(vxlan.underlayIndex()) + ", which no longer fits: " + e.getMessage(),
                    "peers send to the address in this node's lease; encapsulated packets leave from an address or "
                            + "interface that is gone (the underlay's address changed)",
                    "restart the agent: it picks the underlay again and makes " + device + " anew"));
            return CheckResult.of(name(), "", findings);
        }
        PeerPlan plan = PeerPlan.of(self.get(), node.target().leases(), link.get().index(), underlay, settings);
        Map<InetAddress, Lease> byGateway = node.target().leases().stream()
                .collect(Collectors.toMap(lease -> lease.subnet().address(), Function.identity(), (a, b) -> b));
        Map<MacAddress, Lease> byMac = node.target().leases().stream()
                .collect(Collectors.toMap(Lease::vtepMac, Function.identity(), (a, b) -> b));
        Map<IpPrefix, Lease> bySubnet = node.target().leases().stream()
                .collect(Collectors.toMap(Lease::subnet, Function.identity(), (a, b) -> b));

        neighbourFindings(node, plan, link.get().index(), byGateway, findings);
        fdbFindings(node, plan, link.get().index(), byMac, findings);
        routeFindings(node, plan, link.get().index(), bySubnet, findings);
        return CheckResult.of(name(), device + " (VNI " + vxlan.vni() + ", port " + vxlan.port() + ", MAC " + link.get().mac()
                + ") and " + describe(plan, bySubnet, underlay), findings);
    }

    private CheckResult problem(Finding finding) {
        return CheckResult.of(name(), "", List.of(finding));
    }

    /** The settings the agent gives the device, the ones peers rely on. */
    private static List<Finding> deviceFindings(NodeView node, Link link, LinkKind.Vxlan vxlan, Lease self) {
        OverlaySettings settings = node.target().overlay();
        List<Finding> findings = new ArrayList<>();
        if (vxlan.vni() != settings.vni() || vxlan.port() != settings.port()) {
            findings.add(new Finding(link.name() + " has VNI " + vxlan.vni() + " and port " + vxlan.port() + ", not VNI "
                    + settings.vni() + " and port " + settings.port(),
                    "every node sends with VNI " + settings.vni() + " to port " + settings.port() + "; this device neither "
                            + "receives nor sends that." + UNREPAIRED,
                    "start the agent: it makes the device again with the right settings"));
        }
        if (!link.up()) {
            findings.add(new Finding(link.name() + " is down", "no packet enters or leaves the overlay." + UNREPAIRED,
                    "ip link set " + link.name() + " up"));
        }
        if (!Objects.equals(link.mac(), self.vtepMac())) {
            findings.add(new Finding(link.name() + " has MAC " + link.mac() + ", but this node's lease gives peers "
                    + self.vtepMac(),
                    "peers address their frames to the lease's MAC, and " + link.name() + " drops frames for another "
                            + "MAC: nothing from other nodes reaches this node's pods (systemd-networkd's "
                            + "MACAddressPolicy=random is a known cause)." + UNREPAIRED,
                    "start the agent: it sets the MAC saved in " + node.target().vtepMacFile() + " and publishes it; "
                            + "by hand: ip link set " + link.name() + " address " + self.vtepMac()));
        }
        return findings;
    }

    private static void neighbourFindings(NodeView node, PeerPlan plan, int index, Map<InetAddress, Lease> byGateway,
                                          List<Finding> findings) {
        String device = node.overlayName();
        Map<InetAddress, Neighbour> present = node.netlink().neighbours().list(index).stream()
                .collect(Collectors.toMap(Neighbour::address, Function.identity(), (a, b) -> a));
        for (Neighbour wanted : plan.neighbours().values()) {
            Neighbour actual = present.get(wanted.address());
            String peer = peer(byGateway.get(wanted.address()));
            String command = "ip neigh replace " + IpPrefix.formatAddress(wanted.address()) + " lladdr " + wanted.mac()
                    + " dev " + device + " nud permanent";
            if (actual == null) {
                findings.add(new Finding("no neighbour entry for " + peer + ": " + IpPrefix.formatAddress(wanted.address())
                                + " lladdr " + wanted.mac() + " on " + device,
                        "the route to the peer's pods goes via " + IpPrefix.formatAddress(wanted.address()) + "; without the entry "
                                + "the kernel asks for its MAC on " + device + ", where nobody answers, and drops the packets."
                                + UNREPAIRED,
                        "start the agent, or by hand: " + command));
            } else if (!actual.permanent() || !wanted.mac().equals(actual.mac())) {
                findings.add(new Finding("the neighbour entry for " + peer + " is " + actual.address().getHostAddress()
                                + " lladdr " + actual.mac() + (actual.permanent() ? "" : " (not permanent)")
                                + ", not lladdr " + wanted.mac() + " permanent",
                        "frames to the peer carry a MAC its " + device + " does not have, or the entry may expire." + UNREPAIRED,
                        "start the agent, or by hand: " + command));
            }
        }
        for (Neighbour neighbour : present.values()) {
            if (neighbour.permanent() && !plan.neighbours().containsKey(neighbour.address())) {
                findings.add(new Finding("stale neighbour entry " + IpPrefix.formatAddress(neighbour.address()) + " lladdr "
                                + neighbour.mac() + " on " + device + ": no peer in the store has that subnet",
                        "left from a node that is gone (or made by hand); harmless alone, but it keeps a dead VTEP's MAC."
                                + UNREPAIRED,
                        "start the agent, or by hand: ip neigh del " + IpPrefix.formatAddress(neighbour.address()) + " dev " + device));
            }
        }
    }

    private static void fdbFindings(NodeView node, PeerPlan plan, int index, Map<MacAddress, Lease> byMac, List<Finding> findings) {
        String device = node.overlayName();
        Map<MacAddress, List<FdbEntry>> present = node.netlink().fdb().list(index).stream()
                .collect(Collectors.groupingBy(FdbEntry::mac));
        for (FdbEntry wanted : plan.fdb().values()) {
            List<FdbEntry> actual = present.getOrDefault(wanted.mac(), List.of());
            String peer = peer(byMac.get(wanted.mac()));
            String command = "bridge fdb replace " + wanted.mac() + " dev " + device + " dst "
                    + IpPrefix.formatAddress(wanted.destination()) + " self permanent";
            if (actual.isEmpty()) {
                findings.add(new Finding("no FDB entry for " + peer + ": " + wanted.mac() + " dst "
                                + IpPrefix.formatAddress(wanted.destination()) + " on " + device,
                        device + " does not know which node has MAC " + wanted.mac() + ", and with learning off and no "
                                + "default destination it sends the encapsulated packets nowhere: traffic to the peer's pods is "
                                + "dropped." + UNREPAIRED,
                        "start the agent, or by hand: " + command));
            } else if (actual.size() > 1 || !actual.getFirst().permanent()
                    || !Objects.equals(actual.getFirst().destination(), wanted.destination())) {
                findings.add(new Finding("the FDB entries for " + peer + " are " + actual.stream().map(PeersCheck::fdbText).toList()
                                + ", not " + fdbText(wanted) + " alone",
                        "encapsulated packets for the peer go to another address (or to several, the extra ones lost)."
                                + UNREPAIRED,
                        "start the agent, or by hand: bridge fdb del " + wanted.mac() + " dev " + device + " self; " + command));
            }
        }
        for (Map.Entry<MacAddress, List<FdbEntry>> entry : present.entrySet()) {
            if (!plan.fdb().containsKey(entry.getKey())) {
                findings.add(new Finding("stale FDB entry " + entry.getValue().stream().map(PeersCheck::fdbText).toList()
                                + " on " + device + ": no peer reached through VXLAN has that MAC",
                        "left from a node that is gone or whose MAC changed (or made by hand)." + UNREPAIRED,
                        "start the agent, or by hand: bridge fdb del " + entry.getKey() + " dev " + device + " self"));
            }
        }
    }

    private static void routeFindings(NodeView node, PeerPlan plan, int index, Map<IpPrefix, Lease> bySubnet, List<Finding> findings) {
        int protocol = node.target().overlay().routeProtocol();
        List<Route> main = node.netlink().routes().list().stream().filter(route -> route.table() == RT_TABLE_MAIN).toList();
        Map<IpPrefix, List<Route>> weft = main.stream().filter(route -> route.protocol() == protocol)
                .collect(Collectors.groupingBy(Route::destination));
        for (Route wanted : plan.routes().values()) {
            List<Route> actual = weft.getOrDefault(wanted.destination(), List.of());
            String peer = peer(bySubnet.get(wanted.destination()));
            if (actual.isEmpty()) {
                findings.add(new Finding("no route to " + peer + "'s pods: " + routeText(node, wanted),
                        "packets to " + wanted.destination() + " follow the default route (or none) and never reach the peer."
                                + UNREPAIRED,
                        "start the agent, or by hand: ip route replace " + routeText(node, wanted)));
            } else if (!actual.contains(wanted)) {
                findings.add(new Finding("the route to " + peer + "'s pods is " + actual.stream().map(r -> routeText(node, r)).toList()
                                + ", not " + routeText(node, wanted),
                        "packets to the peer's pods take a path the store does not describe." + UNREPAIRED,
                        "start the agent, or by hand: ip route replace " + routeText(node, wanted)));
            }
        }
        for (Route route : main) {
            Route wanted = plan.routes().get(route.destination());
            boolean staleWeft = route.protocol() == protocol && (wanted == null || (!wanted.equals(route) && wanted.metric() != route.metric()));
            boolean foreign = route.outputIndex() == index && route.protocol() != protocol && route.protocol() != RTPROT_KERNEL;
            if (staleWeft) {
                findings.add(new Finding("stale route " + routeText(node, route) + ": no peer in the store has "
                                + route.destination(),
                        "left from a node that is gone (its lease expired or was removed while the agent was not running); "
                                + "traffic to " + route.destination() + " goes to a node that no longer has those pods." + UNREPAIRED,
                        "start the agent, or by hand: ip route del " + routeText(node, route)));
            } else if (foreign) {
                findings.add(new Finding("route " + routeText(node, route) + " out of " + node.overlayName()
                                + " is not Weft's (protocol " + route.protocol() + ")",
                        node.overlayName() + " carries only the routes the store describes; this one sends traffic into the "
                                + "overlay that no peer expects (the agent deletes it)." + UNREPAIRED,
                        "ip route del " + routeText(node, route)));
            }
        }
    }

    private static String peer(Lease lease) {
        return lease == null ? "an unknown peer"
                : "peer " + lease.node() + " (" + lease.subnet() + " at " + IpPrefix.formatAddress(lease.publicIp()) + ")";
    }

    private static String fdbText(FdbEntry entry) {
        return entry.mac() + (entry.destination() == null ? "" : " dst " + IpPrefix.formatAddress(entry.destination()))
                + (entry.permanent() ? " permanent" : "");
    }

    /** As {@code ip route} takes it, with interface names. */
    private static String routeText(NodeView node, Route route) {
        StringBuilder text = new StringBuilder(route.destination().toString());
        if (route.gateway() != null) {
            text.append(" via ").append(IpPrefix.formatAddress(route.gateway()));
        }
        if (route.outputIndex() != 0) {
            text.append(" dev ").append(node.nameOf(route.outputIndex()));
        }
        if (route.onlink()) {
            text.append(" onlink");
        }
        text.append(" proto ").append(route.protocol());
        if (route.metric() != 0) {
            text.append(" metric ").append(Integer.toUnsignedString(route.metric()));
        }
        return text.toString();
    }

    private static String describe(PeerPlan plan, Map<IpPrefix, Lease> bySubnet, Underlay underlay) {
        List<String> peers = new ArrayList<>();
        for (Route route : plan.routes().values()) {
            Lease lease = bySubnet.get(route.destination());
            boolean direct = route.outputIndex() == underlay.index();
            peers.add(lease.node() + (direct ? " direct" : " via VXLAN"));
        }
        int count = plan.routes().size();
        return count + (count == 1 ? " peer" : " peers") + " as the store has them" + (peers.isEmpty() ? "" : ": " + String.join(", ", peers));
    }
}
