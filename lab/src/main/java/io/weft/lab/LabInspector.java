package io.weft.lab;

import io.weft.agent.Agent;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.cni.config.SubnetEnv;
import io.weft.lab.topology.Topology;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.weft.netlink.sys.Kernel.AF_INET;

/**
 * What each lab node's kernel says about the overlay, read through netlink: its underlay address and
 * subnet, its pod subnet ({@code subnet.env}), the MAC of {@code weft.1} (its VTEP), and how it reaches
 * each peer: a Weft route (protocol 201) out of {@code weft.1} is VXLAN, one through the underlay is
 * direct routing.
 */
public final class LabInspector {
    private LabInspector() {}

    /** How a node reaches a peer's pods. */
    public enum Mode {
        VXLAN, DIRECT;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One node, as its kernel has it now.
     *
     * @param name           the node's name
     * @param underlayIp     its cluster NIC's address
     * @param underlaySubnet the subnet of that address, e.g. {@code 10.200.0.0/24}
     * @param podSubnet      its pod subnet, once its agent wrote {@code subnet.env}
     * @param vtepMac        the MAC of {@code weft.1}, once the agent made it
     * @param peers          how it reaches each other node, by node name (a subnet no lab node holds is named by itself)
     */
    public record NodeView(String name, String underlayIp, String underlaySubnet, Optional<String> podSubnet, Optional<String> vtepMac,
                           Map<String, Mode> peers) {
        public NodeView {
            peers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peers));
        }
    }

    /** Every node of the lab, in order. */
    public static List<NodeView> inspect(Lab lab) {
        Map<String, String> holders = new HashMap<>(); // pod subnet -> node name
        Map<String, Optional<String>> subnets = new LinkedHashMap<>();
        for (LabNode node : lab.nodes()) {
            Optional<String> subnet = podSubnet(node);
            subnets.put(node.name(), subnet);
            subnet.ifPresent(s -> holders.put(s, node.name()));
        }
        return lab.nodes().stream().map(node -> inspect(node, subnets.get(node.name()), holders)).toList();
    }

    private static NodeView inspect(LabNode node, Optional<String> podSubnet, Map<String, String> holders) {
        if (!NetNamespace.exists(node.netns())) { // a lab half made or half removed
            return new NodeView(node.name(), node.underlayIp(), "?", podSubnet, Optional.empty(), Map.of());
        }
        try (NetNamespace namespace = NetNamespace.open(node.netns()); Netlink netlink = Netlink.open(namespace)) {
            Optional<Link> cluster = netlink.links().find(Topology.CLUSTER_NIC);
            Optional<IpPrefix> underlay = cluster.flatMap(link -> netlink.addresses().list(link.index()).stream()
                    .map(Address::prefix).filter(IpPrefix::isIpv4).findFirst());
            Optional<Link> vtep = netlink.links().find(Agent.OVERLAY_DEVICE);
            Map<String, Mode> peers = new java.util.TreeMap<>();
            for (Route route : netlink.routes().list(AF_INET)) {
                if (route.protocol() != OverlaySettings.WEFT_ROUTE_PROTOCOL) {
                    continue;
                }
                String destination = route.destination().toString();
                Mode mode = vtep.isPresent() && route.outputIndex() == vtep.get().index() ? Mode.VXLAN : Mode.DIRECT;
                peers.put(holders.getOrDefault(destination, destination), mode);
            }
            return new NodeView(node.name(), node.underlayIp(), underlay.map(prefix -> prefix.network().toString()).orElse("?"),
                    podSubnet, vtep.map(Link::mac).map(Object::toString), peers);
        }
    }

    private static Optional<String> podSubnet(LabNode node) {
        try {
            return Optional.of(SubnetEnv.read(node.runDir().resolve("subnet.env")).subnet().network().toString());
        } catch (IOException | RuntimeException notYet) {
            return Optional.empty();
        }
    }
}
