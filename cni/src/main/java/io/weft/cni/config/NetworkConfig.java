package io.weft.cni.config;

import io.weft.cni.CniException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.Set;

/**
 * Weft's network configuration, the plugin's entry in the conflist. Every key has a default, so
 * {@code {"type":"weft"}} is a whole configuration; the MTU comes from {@code subnet.env} unless set here.
 *
 * @param name the network's name (the runtime's); IP reservations live in {@code dataDir/name}
 * @param bridge the node's bridge, {@code cni0}
 * @param subnetFile where the agent writes the node's pod subnet
 * @param dataDir the root of the IP reservations
 * @param socket the agent's socket, read by the forwarder (here for completeness and validation)
 * @param hairpinMode whether a pod may reach itself through a service address (the bridge sends a frame back out of its port)
 * @param mtu the pods' MTU, or 0 to take {@code WEFT_MTU} from the subnet file
 * @param dns passed through to the result unchanged, or null
 */
public record NetworkConfig(String name, String bridge, Path subnetFile, Path dataDir, Path socket,
                            boolean hairpinMode, int mtu, JsonNode dns) {
    public static final String DEFAULT_BRIDGE = "cni0";
    public static final Path DEFAULT_SUBNET_FILE = Path.of("/run/weft/subnet.env");
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/weft/ipam");
    public static final Path DEFAULT_SOCKET = Path.of("/run/weft/cni.sock");
    private static final int MIN_MTU = 68; // the least IPv4 allows (RFC 791)
    private static final int MAX_MTU = 65535;
    /** Keys of the reference bridge plugin whose job Weft does itself: accepting them would mislead. */
    private static final Set<String> UNSUPPORTED = Set.of("ipam");

    /**
     * Reads the configuration of a request whose {@code name} is already checked; a {@link CniException}
     * naming the field when a value is wrong (7) or when it asks for something Weft does not do (2).
     */
    public static NetworkConfig parse(ObjectNode config) {
        for (String key : UNSUPPORTED) {
            if (config.has(key)) {
                throw new CniException(CniException.UNSUPPORTED_FIELD, "unsupported field " + key + "=" + config.get(key)
                        + ": Weft allocates pod addresses itself, from the node's subnet; remove it");
            }
        }
        JsonNode type = config.path("type");
        if (!type.isString() || type.asString().isEmpty()) {
            throw invalid("type", type, "a plugin name such as \"weft\"");
        }
        return new NetworkConfig(config.get("name").asString(), bridge(config), path(config, "subnetFile", DEFAULT_SUBNET_FILE),
                path(config, "dataDir", DEFAULT_DATA_DIR), path(config, "socket", DEFAULT_SOCKET),
                bool(config, "hairpinMode", true), mtu(config), dns(config));
    }

    /** The MTU to give pods: this configuration's, else the subnet file's. */
    public int effectiveMtu(SubnetEnv subnet) {
        return mtu > 0 ? mtu : subnet.mtu();
    }

    /** Where this network's IP reservations are: {@code dataDir/name}. */
    public Path networkDir() {
        return dataDir.resolve(name);
    }

    private static String bridge(ObjectNode config) {
        JsonNode value = config.path("bridge");
        if (value.isMissingNode()) {
            return DEFAULT_BRIDGE;
        }
        String name = value.asString("");
        if (!value.isString() || name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
            throw invalid("bridge", value, "an interface name of 1 to 15 characters without '/', ':' or whitespace");
        }
        return name;
    }

    private static Path path(ObjectNode config, String key, Path fallback) {
        JsonNode value = config.path(key);
        if (value.isMissingNode()) {
            return fallback;
        }
        if (!value.isString() || !value.asString().startsWith("/") || value.asString().indexOf('\0') >= 0) {
            throw invalid(key, value, "an absolute path");
        }
        return Path.of(value.asString());
    }

    private static boolean bool(ObjectNode config, String key, boolean fallback) {
        JsonNode value = config.path(key);
        if (value.isMissingNode()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw invalid(key, value, "true or false");
        }
        return value.booleanValue();
    }

    private static int mtu(ObjectNode config) {
        JsonNode value = config.path("mtu");
        if (value.isMissingNode()) {
            return 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < MIN_MTU || value.asLong() > MAX_MTU) {
            throw invalid("mtu", value, "an integer from " + MIN_MTU + " to " + MAX_MTU);
        }
        return value.intValue();
    }

    private static JsonNode dns(ObjectNode config) {
        JsonNode value = config.path("dns");
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw invalid("dns", value, "an object {nameservers, domain, search, options}");
        }
        return value;
    }

    private static CniException invalid(String key, JsonNode value, String expected) {
        return new CniException(CniException.INVALID_CONFIG, key + " "
                + (value.isMissingNode() ? "is missing" : value + " is not valid") + ": expected " + expected);
    }
}
