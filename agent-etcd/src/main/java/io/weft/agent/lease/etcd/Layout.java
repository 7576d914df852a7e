package io.weft.agent.lease.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.net.InetAddress;
import java.time.Instant;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Where Weft's records live in etcd and what they hold, in Flannel's key layout with Weft's fields:
 * the network config at {@code <prefix>/config} ({@code {"network":"10.42.0.0/16","subnetLen":24}})
 * and one key per lease, {@code <prefix>/subnets/10.42.1.0-24}
 * ({@code {"node":"n1","publicIp":"192.168.1.10","vtepMac":"0e:…"}}).
 */
final class Layout {
    private static final ObjectMapper JSON = Json.mapper();

    private final String prefix;
    private final SubnetRange subnets;

    Layout(String prefix, ClusterNetwork network) {
        this.prefix = prefix;
        this.subnets = new SubnetRange(network);
    }

    SubnetRange subnets() {
        return subnets;
    }

    ByteSequence configKey() {
        return bytes(prefix + "/config");
    }

    /** The prefix all lease keys share, for gets and watches. */
    ByteSequence leasePrefix() {
        return bytes(prefix + "/subnets/");
    }

    ByteSequence key(IpPrefix subnet) {
        return bytes(prefix + "/subnets/" + IpPrefix.formatAddress(subnet.address()) + "-" + subnet.length());
    }

    /** The subnet a lease key names, or {@code null} for a key that names none of this network's subnets. */
    IpPrefix subnet(ByteSequence key) {
        if (!key.startsWith(leasePrefix())) {
            return null;
        }
        String name = key.substring(leasePrefix().size()).toString(UTF_8);
        int dash = name.lastIndexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            IpPrefix subnet = IpPrefix.parse(name.substring(0, dash) + "/" + name.substring(dash + 1));
            return subnets.contains(subnet) ? subnet : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static ByteSequence leaseValue(String node, InetAddress publicIp, MacAddress vtepMac) {
        return json(JSON.createObjectNode()
                .put("node", node)
                .put("publicIp", IpPrefix.formatAddress(publicIp))
                .put("vtepMac", vtepMac.toString()));
    }

    /** The lease a key-value holds. */
    Lease lease(KeyValue record, Instant expiry) {
        IpPrefix subnet = subnet(record.getKey());
        if (subnet == null) {
            throw new IllegalArgumentException(record.getKey() + " is not a lease key of " + subnets.network().network());
        }
        JsonNode value = tree(record.getValue());
        return new Lease(text(value, "node"), subnet, IpPrefix.parseAddress(text(value, "publicIp")),
                MacAddress.parse(text(value, "vtepMac")), expiry);
    }

    static ByteSequence networkValue(ClusterNetwork network) {
        return json(JSON.createObjectNode()
                .put("network", network.network().toString())
                .put("subnetLen", network.subnetLength()));
    }

    static ClusterNetwork network(ByteSequence value) {
        JsonNode config = tree(value);
        if (!config.path("subnetLen").isInt()) {
            throw new IllegalArgumentException("\"subnetLen\" is missing or not a number in " + value);
        }
        return new ClusterNetwork(IpPrefix.parse(text(config, "network")), config.get("subnetLen").intValue());
    }

    private static JsonNode tree(ByteSequence value) {
        try {
            JsonNode tree = JSON.readTree(value.getBytes());
            if (tree == null || !tree.isObject()) {
                throw new IllegalArgumentException("not a JSON object: " + value);
            }
            return tree;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + value, e);
        }
    }

    private static String text(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing or not a string in " + object);
        }
        return value.stringValue();
    }

    private static ByteSequence json(JsonNode value) {
        try {
            return ByteSequence.from(JSON.writeValueAsBytes(value));
        } catch (JacksonException e) {
            throw new AssertionError(e);
        }
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }
}
