package io.weft.cli;

import io.weft.agent.Agent;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.ns.NetNamespace;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static io.weft.netlink.testing.Sandbox.bridgeJson;
import static io.weft.netlink.testing.Sandbox.ipJson;

/**
 * What {@code ip} and {@code bridge} show of a node's overlay: Weft's routes (protocol 201) and the
 * neighbour and FDB entries on {@code weft.1} by which the kernel reaches a VXLAN peer, read
 * independently of the agent.
 */
final class OverlayEntries {
    private OverlayEntries() {}

    /** The destinations of Weft's routes in {@code node}. */
    static List<String> routes(NetNamespace node) {
        return ipJson(node, "route", "show", "proto", "201").findValuesAsString("dst");
    }

    /**
     * Whether {@code node} reaches the peer holding {@code subnet} through VXLAN: a route to the subnet
     * via its own first address onlink on {@code weft.1}, that address's neighbour entry with the
     * peer's VTEP MAC, and the FDB entry sending that MAC to the peer's public IP.
     */
    static boolean reachesThroughVxlan(NetNamespace node, IpPrefix subnet, MacAddress vtepMac, String publicIp) {
        String gateway = IpPrefix.formatAddress(subnet.address());
        boolean route = false;
        for (JsonNode entry : ipJson(node, "route", "show", "proto", "201")) {
            route |= entry.path("dst").asString().equals(subnet.toString()) && entry.path("gateway").asString().equals(gateway)
                    && entry.path("dev").asString().equals(Agent.OVERLAY_DEVICE) && hasFlag(entry, "onlink");
        }
        boolean neighbour = false;
        for (JsonNode entry : ipJson(node, "neigh", "show", "dev", Agent.OVERLAY_DEVICE)) {
            neighbour |= entry.path("dst").asString().equals(gateway) && entry.path("lladdr").asString().equals(vtepMac.toString());
        }
        boolean fdb = false;
        for (JsonNode entry : bridgeJson(node, "fdb", "show", "dev", Agent.OVERLAY_DEVICE)) {
            fdb |= entry.path("mac").asString().equals(vtepMac.toString()) && entry.path("dst").asString().equals(publicIp);
        }
        return route && neighbour && fdb;
    }

    /** Whether {@code node} holds none of the route, neighbour and FDB entries for the peer holding {@code subnet}. */
    static boolean forgot(NetNamespace node, IpPrefix subnet, MacAddress vtepMac) {
        return !routes(node).contains(subnet.toString())
                && !ipJson(node, "neigh", "show", "dev", Agent.OVERLAY_DEVICE).findValuesAsString("lladdr").contains(vtepMac.toString())
                && !bridgeJson(node, "fdb", "show", "dev", Agent.OVERLAY_DEVICE).findValuesAsString("mac").contains(vtepMac.toString());
    }

    private static boolean hasFlag(JsonNode entry, String flag) {
        for (JsonNode set : entry.path("flags")) {
            if (set.asString().equals(flag)) {
                return true;
            }
        }
        return false;
    }
}
