package io.weft.lab.topology;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;

import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * Makes a {@link Topology} real, with netlink only: the namespaces, the bridges, the veth pairs, their
 * addresses and routes. Every name is under the lab's prefix; nothing is made in the calling namespace.
 */
public final class Wiring {
    private static final IpPrefix DEFAULT_ROUTE = IpPrefix.parse("0.0.0.0/0");

    private final Topology topology;
    private final Consumer<String> progress;

    public Wiring(Topology topology, Consumer<String> progress) {
        this.topology = topology;
        this.progress = progress;
    }

    /** The fabric (switch, management bridge), the router with {@code --subnets split}, then every node. */
    public void build() {
        try (NetNamespace fabric = NetNamespace.create(topology.fabric()); Netlink fabricLinks = Netlink.open(fabric)) {
            loopbackUp(fabricLinks);
            bridge(fabricLinks, Topology.SWITCH, Topology.FABRIC_ADDRESS);
            if (topology.options().twoNics()) {
                bridge(fabricLinks, Topology.MANAGEMENT_SWITCH, Topology.MANAGEMENT_GATEWAY);
            }
            progress.accept("fabric " + fabric.name() + ": switch " + Topology.FABRIC_ADDRESS
                    + (topology.options().twoNics() ? ", management bridge " + Topology.MANAGEMENT_GATEWAY : ""));
            if (topology.router().isPresent()) {
                router(topology.router().get(), fabric, fabricLinks);
            }
            for (Topology.NodePlan node : topology.nodes()) {
                node(node, fabric, fabricLinks);
            }
        }
    }

    /** A router namespace with ip_forward on and its uplink on the switch; the nodes' legs come with the nodes. */
    private void router(String name, NetNamespace fabric, Netlink fabricLinks) {
        try (NetNamespace router = NetNamespace.create(name); Netlink routerLinks = Netlink.open(router)) {
            loopbackUp(routerLinks);
            router.sysctl().set("net.ipv4.ip_forward", "1");
            routerLinks.links().add(LinkSpec.veth("uplink", "router", fabric));
            up(routerLinks, "uplink", Topology.ROUTER_UPLINK);
            port(fabricLinks, "router", Topology.SWITCH);
            // the fabric answers the nodes behind the router (etcd's clients)
            fabricLinks.routes().add(Route.to(Topology.UNDERLAY.network()).via(Topology.ROUTER_UPLINK.address()));
            progress.accept("router " + name + ": uplink " + Topology.ROUTER_UPLINK + ", ip_forward on");
        }
    }

    private void node(Topology.NodePlan plan, NetNamespace fabric, Netlink fabricLinks) {
        try (NetNamespace node = NetNamespace.create(plan.netns()); Netlink nodeLinks = Netlink.open(node)) {
            loopbackUp(nodeLinks);
            if (plan.routerLeg().isPresent()) {
                try (NetNamespace router = NetNamespace.open(topology.router().orElseThrow()); Netlink routerLinks = Netlink.open(router)) {
                    routerLinks.links().add(LinkSpec.veth(plan.name(), Topology.CLUSTER_NIC, node));
                    up(routerLinks, plan.name(), plan.routerLeg().get());
                }
            } else {
                fabricLinks.links().add(LinkSpec.veth(plan.name(), Topology.CLUSTER_NIC, node));
                port(fabricLinks, plan.name(), Topology.SWITCH);
            }
            up(nodeLinks, Topology.CLUSTER_NIC, plan.cluster());
            if (plan.management().isPresent()) {
                String port = "m-" + plan.name();
                fabricLinks.links().add(LinkSpec.veth(port, Topology.MANAGEMENT_NIC, node));
                port(fabricLinks, port, Topology.MANAGEMENT_SWITCH);
                up(nodeLinks, Topology.MANAGEMENT_NIC, plan.management().get());
            }
            nodeLinks.routes().add(Route.to(DEFAULT_ROUTE).via(plan.defaultGateway()));
            plan.underlayVia().ifPresent(via -> nodeLinks.routes().add(Route.to(Topology.UNDERLAY.network()).via(via)));
            progress.accept("node " + plan.name() + " (" + plan.netns() + "): " + Topology.CLUSTER_NIC + " " + plan.cluster()
                    + plan.management().map(address -> ", " + Topology.MANAGEMENT_NIC + " " + address).orElse("")
                    + ", default via " + format(plan.defaultGateway()));
        }
    }

    private static void bridge(Netlink links, String name, IpPrefix address) {
        links.links().add(LinkSpec.bridge(name));
        up(links, name, address);
    }

    private static void port(Netlink links, String port, String bridge) {
        links.links().setMaster(port, links.links().get(bridge).index());
        links.links().setUp(port);
    }

    private static void up(Netlink links, String name, IpPrefix address) {
        links.addresses().add(links.links().get(name).index(), address);
        links.links().setUp(name);
    }

    private static void loopbackUp(Netlink links) {
        links.links().setUp("lo");
    }

    private static String format(InetAddress address) {
        return IpPrefix.formatAddress(address);
    }
}
