package io.weft.agent.overlay;

import io.weft.agent.lease.Lease;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.ns.NetNamespace;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.weft.netlink.testing.Sandbox.bridgeJson;
import static io.weft.netlink.testing.Sandbox.ipJson;

/**
 * What {@code ip -j} and {@code bridge -j} say about a node's overlay, as lines shaped like the
 * commands that would make each object, so a test can state the whole expected state at once.
 */
final class KernelView {
    private KernelView() {}

    static Lease lease(String node, String subnet, String publicIp, String vtepMac) {
        return new Lease(node, IpPrefix.parse(subnet), IpPrefix.parseAddress(publicIp), MacAddress.parse(vtepMac), Instant.MAX);
    }

    /** {@code ip -j -d link show weft.1}: the one device. */
    static JsonNode device(NetNamespace node) {
        JsonNode links = ipJson(node, "-d", "link", "show", "weft.1");
        if (links.size() != 1) {
            throw new AssertionError("expected one weft.1 in " + node + ", ip says " + links);
        }
        return links.get(0);
    }

    static boolean hasDevice(NetNamespace node) {
        return ipJson(node, "link", "show").findValuesAsString("ifname").contains("weft.1");
    }

    /** The device as {@code vxlan id 1 port 8472 local 192.0.2.1 dev eth0 nolearning mtu 1450 address … UP}. */
    static String deviceLine(NetNamespace node) {
        JsonNode device = device(node);
        JsonNode vxlan = device.get("linkinfo").get("info_data");
        return device.get("linkinfo").get("info_kind").asString() + " id " + vxlan.get("id").asInt()
                + " port " + vxlan.get("port").asInt() + " local " + vxlan.get("local").asString()
                + " dev " + vxlan.get("link").asString() + (vxlan.get("learning").asBoolean() ? " learning" : " nolearning")
                + " mtu " + device.get("mtu").asInt() + " address " + device.get("address").asString()
                + (texts(device.get("flags")).contains("UP") ? " UP" : " DOWN");
    }

    /** {@code ip -j addr show dev weft.1}, IPv4 only: e.g. {@code 10.42.1.0/32}. */
    static List<String> deviceAddresses(NetNamespace node) {
        List<String> lines = new ArrayList<>();
        for (JsonNode address : ipJson(node, "-4", "addr", "show", "dev", "weft.1").get(0).get("addr_info")) {
            lines.add(address.get("local").asString() + "/" + address.get("prefixlen").asInt());
        }
        return lines;
    }

    /** {@code ip -j neigh show dev weft.1}: e.g. {@code 10.42.2.0 lladdr 0e:00:00:00:00:02 PERMANENT}. */
    static List<String> neighbours(NetNamespace node) {
        List<String> lines = new ArrayList<>();
        for (JsonNode neighbour : ipJson(node, "neigh", "show", "dev", "weft.1")) {
            lines.add(neighbour.get("dst").asString() + " lladdr " + neighbour.path("lladdr").asString("-") + " "
                    + String.join(",", texts(neighbour.get("state"))));
        }
        return lines;
    }

    /** {@code bridge -j fdb show dev weft.1}: e.g. {@code 0e:00:00:00:00:02 dst 198.51.100.2 self permanent}. */
    static List<String> fdb(NetNamespace node) {
        List<String> lines = new ArrayList<>();
        for (JsonNode entry : bridgeJson(node, "fdb", "show", "dev", "weft.1")) {
            lines.add(entry.get("mac").asString() + " dst " + entry.path("dst").asString("-") + " "
                    + String.join(",", texts(entry.get("flags"))) + " " + entry.path("state").asString());
        }
        return lines;
    }

    /** {@code ip -j route show proto 201}: e.g. {@code 10.42.2.0/24 via 10.42.2.0 dev weft.1 onlink}. */
    static List<String> weftRoutes(NetNamespace node) {
        return routes(node, "proto", String.valueOf(OverlaySettings.WEFT_ROUTE_PROTOCOL));
    }

    /** The main table's routes out of {@code device}, whoever made them. */
    static List<String> routesOn(NetNamespace node, String device) {
        return routes(node).stream().filter(route -> route.contains(" dev " + device)).toList();
    }

    /** {@code ip -j route show FILTER…} (the main table), as {@code dst via gateway dev name flags}. */
    private static List<String> routes(NetNamespace node, String... filter) {
        List<String> args = new ArrayList<>(List.of("route", "show"));
        args.addAll(List.of(filter));
        List<String> lines = new ArrayList<>();
        for (JsonNode route : ipJson(node, args.toArray(String[]::new))) {
            StringBuilder line = new StringBuilder(route.get("dst").asString());
            if (route.has("gateway")) {
                line.append(" via ").append(route.get("gateway").asString());
            }
            line.append(" dev ").append(route.get("dev").asString());
            texts(route.get("flags")).forEach(flag -> line.append(' ').append(flag));
            lines.add(line.toString());
        }
        return lines;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        if (array != null) {
            array.forEach(each -> texts.add(each.asString()));
        }
        return texts;
    }
}
