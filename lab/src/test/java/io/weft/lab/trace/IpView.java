package io.weft.lab.trace;

import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static io.weft.netlink.testing.Sandbox.bridgeJson;
import static io.weft.netlink.testing.Sandbox.ipJson;

/** What {@code ip -j} and {@code bridge -j} say, the independent view a trace's steps are checked against. */
final class IpView {
    private IpView() {}

    /** {@code ip -j -d link show NAME}. */
    static JsonNode link(NetNamespace namespace, String name) {
        return ipJson(namespace, "-d", "link", "show", name).get(0);
    }

    /** The name of the link with this index. */
    static String linkName(NetNamespace namespace, int index) {
        for (JsonNode link : ipJson(namespace, "link", "show")) {
            if (link.get("ifindex").asInt() == index) {
                return link.get("ifname").asString();
            }
        }
        throw new AssertionError("no link " + index + " in " + namespace);
    }

    /** The node end of a pod's eth0 ({@code link_index} is its index in the node's namespace). */
    static String vethOf(NetNamespace pod, NetNamespace node) {
        return linkName(node, link(pod, "eth0").get("link_index").asInt());
    }

    static String mac(NetNamespace namespace, String name) {
        return link(namespace, name).get("address").asString();
    }

    static String mtu(NetNamespace namespace, String name) {
        return link(namespace, name).get("mtu").asString();
    }

    /** {@code ip -j -4 addr show NAME}: the first address as {@code local/prefixlen}. */
    static String address(NetNamespace namespace, String name) {
        JsonNode info = ipJson(namespace, "-4", "addr", "show", name).get(0).get("addr_info").get(0);
        return info.get("local").asString() + "/" + info.get("prefixlen").asInt();
    }

    /** {@code ip -j route get ADDRESS}. */
    static JsonNode routeGet(NetNamespace namespace, String address) {
        return ipJson(namespace, "route", "get", address).get(0);
    }

    /** {@code ip -j route get ADDRESS from SOURCE iif DEV}: what the kernel does with a packet arriving on DEV. */
    static JsonNode routeGet(NetNamespace namespace, String address, String source, String input) {
        return ipJson(namespace, "route", "get", address, "from", source, "iif", input).get(0);
    }

    /** {@code ip -j neigh show dev DEV}: the lladdr of {@code address}. */
    static String neighbourMac(NetNamespace namespace, String device, String address) {
        for (JsonNode neighbour : ipJson(namespace, "neigh", "show", "dev", device)) {
            if (neighbour.get("dst").asString().equals(address)) {
                return neighbour.get("lladdr").asString();
            }
        }
        throw new AssertionError("no neighbour " + address + " on " + device + " in " + namespace);
    }

    /** {@code bridge -j fdb show dev DEV}: the dst of the entry for {@code mac}. */
    static String fdbDestination(NetNamespace namespace, String device, String mac) {
        for (JsonNode entry : bridgeJson(namespace, "fdb", "show", "dev", device)) {
            if (entry.get("mac").asString().equals(mac) && entry.has("dst")) {
                return entry.get("dst").asString();
            }
        }
        throw new AssertionError("no fdb entry " + mac + " on " + device + " in " + namespace);
    }

    /** {@code bridge fdb del MAC dev weft.1 self}: the fault an operator's typo or a crashed agent leaves. */
    static void deleteFdb(NetNamespace node, String mac) {
        Sandbox.run(List.of("bridge", "-n", node.name(), "fdb", "del", mac, "dev", "weft.1", "self"));
    }
}
