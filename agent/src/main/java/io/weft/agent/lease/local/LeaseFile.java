package io.weft.agent.lease.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.agent.lease.Lease;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;

import java.io.IOException;
import java.time.Instant;

/**
 * A lease file's content, {@code {"node":"n1","publicIp":"192.0.2.1","vtepMac":"0e:…","expiry":1767225600000}}
 * with the expiry in epoch milliseconds; the subnet is the file's name.
 */
final class LeaseFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LeaseFile() {}

    static byte[] encode(Lease lease) {
        ObjectNode json = JSON.createObjectNode()
                .put("node", lease.node())
                .put("publicIp", IpPrefix.formatAddress(lease.publicIp()))
                .put("vtepMac", lease.vtepMac().toString())
                .put("expiry", lease.expiry().toEpochMilli());
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    /** The lease in {@code content}; an {@link IllegalArgumentException} saying what is wrong with it otherwise. */
    static Lease decode(IpPrefix subnet, byte[] content) {
        JsonNode json;
        try {
            json = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new AssertionError("reading JSON from memory", e);
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
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " is " + (value.isMissingNode() ? "missing" : value + ", not a string"));
        }
        return value.asText();
    }
}
