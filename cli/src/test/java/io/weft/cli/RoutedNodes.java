package io.weft.cli;

import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;

import static io.weft.netlink.testing.Sandbox.ip;

/**
 * Node namespaces each alone on an underlay /24 of its own, joined by one router namespace: no node
 * shares a subnet with another, so the agents reach each other's pods through VXLAN.
 */
final class RoutedNodes {
    private final Sandbox sandbox;
    private final NetNamespace router;
    private int ports;

    RoutedNodes(Sandbox sandbox) {
        this.sandbox = sandbox;
        this.router = sandbox.namespace();
        router.sysctl().set("net.ipv4.ip_forward", "1");
    }

    /** A node whose {@code eth0} has {@code address}/24 and a default route via the router's {@code gateway}. */
    NetNamespace node(String address, String gateway) {
        NetNamespace node = sandbox.namespace();
        String port = "eth" + ports++;
        ip(router, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", node.name());
        ip(router, "addr", "add", gateway + "/24", "dev", port);
        ip(router, "link", "set", port, "up");
        ip(node, "link", "set", "lo", "up");
        ip(node, "addr", "add", address + "/24", "dev", "eth0");
        ip(node, "link", "set", "eth0", "up");
        ip(node, "route", "add", "default", "via", gateway);
        return node;
    }
}
