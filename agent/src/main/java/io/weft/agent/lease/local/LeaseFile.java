package io.weft.agent.lease.local;

import io.weft.agent.lease.Lease;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A lease file's content, {@code {"node":"n1","publicIp":"192.0.2.1","vtepMac":"0e:…","expiry":1767225600000}}
 * with the expiry in epoch milliseconds; the subnet is the file's name.
 */
final class LeaseFile {
    private static final ObjectMapper JSON = Json.mapper();

    private LeaseFile() {}

    static byte[] encode(Lease lease) {
        ObjectNode json = JSON.createObjectNode()
                .put("node", lease.node())
                .put("publicIp", IpPrefix.formatAddress(lease.publicIp()))
                .put("vtepMac", lease.vtepMac().toString())
                .put("expiry", lease.expiry().toEpochMilli());
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JacksonException e) {
            throw new AssertionError(e);
        }
    }

    /** The lease in {@code content}; an {@link IllegalArgumentException} saying what is wrong with it otherwise. */
    static Lease decode(IpPrefix subnet, byte[] content) {
        JsonNode json;
        try {
            json = JSON.readTree(content);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String node = text(json, "node");
        if (node.isEmpty()) {
            throw new IllegalArgumentException("node is empty");
        }
        JsonNode expiry = json.path("expiry");
        if (!expiry.canConvertToExactIntegral() || !expiry.canConvertToLong()) {
            throw new IllegalArgumentException("expiry " + expiry + " is not epoch milliseconds");
        }
        return new Lease(node, subnet, IpPrefix.parseAddress(text(json, "publicIp")), MacAddress.parse(text(json, "vtepMac")),
                Instant.ofEpochMilli(expiry.asLong()));
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.path(field);
        if (!value.isString()) {
            throw new IllegalArgumentException(field + " is " + (value.isMissingNode() ? "missing" : value + ", not a string"));
        }
        return value.asString();
    }
}
