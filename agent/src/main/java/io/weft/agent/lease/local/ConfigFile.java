package io.weft.agent.lease.local;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.sys.WholeFiles;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The store's {@code config}, {@code {"network":"10.42.0.0/16","subnetLen":24}} as in etcd: the first agent
 * writes it, every later one must agree with it, since the subnets on file were cut from it.
 */
final class ConfigFile {
    /** Its name in the store's directory. */
    static final String NAME = "config";
    private static final ObjectMapper JSON = Json.mapper();

    private ConfigFile() {}

    /** Writes {@code network} to {@code file} if absent, else checks that the file holds the same network. Under the lock. */
    static void ensure(Path file, ClusterNetwork network) {
        Optional<byte[]> existing = WholeFiles.read(file);
        if (existing.isEmpty()) {
            LocalLeaseStore.FILES.create(file, encode(network));
            return;
        }
        ClusterNetwork stored = decode(file, existing.get());
        if (!stored.equals(network)) {
            throw new IllegalArgumentException("the lease store " + file.getParent() + " holds network " + stored.network()
                    + " with subnetLen " + stored.subnetLength() + " (" + file + "), but this agent's network is "
                    + network.network() + " with subnetLen " + network.subnetLength()
                    + ": use the store's network, or another store directory");
        }
    }

    static byte[] encode(ClusterNetwork network) {
        try {
            return JSON.writeValueAsBytes(JSON.createObjectNode()
                    .put("network", network.network().toString())
                    .put("subnetLen", network.subnetLength()));
        } catch (JacksonException e) {
            throw new AssertionError(e);
        }
    }

    private static ClusterNetwork decode(Path file, byte[] content) {
        try {
            JsonNode json = JSON.readTree(content);
            JsonNode network = json.path("network");
            JsonNode subnetLen = json.path("subnetLen");
            if (!network.isString() || !subnetLen.isInt()) {
                throw new IllegalArgumentException("expected {\"network\":\"10.42.0.0/16\",\"subnetLen\":24}");
            }
            return new ClusterNetwork(IpPrefix.parse(network.asString()), subnetLen.asInt());
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the lease store's config " + file + " is unreadable: " + e.getMessage(), e);
        }
    }
}
