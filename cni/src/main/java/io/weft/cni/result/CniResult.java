package io.weft.cni.result;

import io.weft.cni.CniException;
import io.weft.cni.CniVersion;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The result of an ADD (spec "Success"): the interfaces made, the addresses given to them, the routes
 * and DNS settings. Rendered in the request's version: before 1.0.0 every IP also says its
 * {@code version} ("4" or "6").
 *
 * @param dns passed through from the configuration as it is, or null
 */
public record CniResult(List<Interface> interfaces, List<IpConfig> ips, List<RouteConfig> routes, JsonNode dns) {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
    }

    /**
     * An interface the plugin made or uses.
     *
     * @param mac always set by Weft (podman refuses a sandboxed interface without a parseable one); null when read from a result without it
     * @param sandbox the pod's namespace path ({@code CNI_NETNS}) for an interface inside it, null for one on the node
     */
    public record Interface(String name, MacAddress mac, String sandbox) {}

    /**
     * An address given to an interface.
     *
     * @param address the address with the subnet's prefix length, e.g. {@code 10.42.1.5/24}
     * @param gateway the subnet's gateway, or null
     * @param interfaceIndex the index into {@link #interfaces()} of the interface holding it, or -1 for none
     */
    public record IpConfig(IpPrefix address, InetAddress gateway, int interfaceIndex) {}

    /** A route to install in the pod, e.g. the default route {@code 0.0.0.0/0} via the gateway. */
    public record RouteConfig(IpPrefix destination, InetAddress gateway) {}

    public ObjectNode toJson(CniVersion version) {
        ObjectNode json = NODES.objectNode().put("cniVersion", version.toString());
        ArrayNode interfaceArray = json.putArray("interfaces");
        for (Interface each : interfaces) {
            ObjectNode entry = interfaceArray.addObject().put("name", each.name());
            if (each.mac() != null) {
                entry.put("mac", each.mac().toString());
            }
            if (each.sandbox() != null) {
                entry.put("sandbox", each.sandbox());
            }
        }
        ArrayNode ipArray = json.putArray("ips");
        for (IpConfig ip : ips) {
            ObjectNode entry = ipArray.addObject();
            if (!version.atLeast(CniVersion.V1_0_0)) {
                entry.put("version", ip.address().isIpv4() ? "4" : "6");
            }
            entry.put("address", ip.address().toString());
            if (ip.gateway() != null) {
                entry.put("gateway", IpPrefix.formatAddress(ip.gateway()));
            }
            if (ip.interfaceIndex() >= 0) {
                entry.put("interface", ip.interfaceIndex());
            }
        }
        ArrayNode routeArray = json.putArray("routes");
        for (RouteConfig route : routes) {
            ObjectNode entry = routeArray.addObject().put("dst", route.destination().toString());
            if (route.gateway() != null) {
                entry.put("gw", IpPrefix.formatAddress(route.gateway()));
            }
        }
        if (dns != null) {
            json.set("dns", dns.deepCopy());
        }
        return json;
    }

    /**
     * Reads a result (a CHECK's {@code prevResult}) of any supported version. A {@link CniException}
     * (7) naming the field, e.g. {@code prevResult.ips[0].address}, when it cannot be read.
     */
    public static CniResult parse(JsonNode json, String field) {
        if (!json.isObject()) {
            throw invalid(field, json, "an object");
        }
        List<Interface> interfaces = new ArrayList<>();
        JsonNode interfaceArray = array(json, field, "interfaces");
        for (int i = 0; i < interfaceArray.size(); i++) {
            JsonNode entry = interfaceArray.get(i);
            String at = field + ".interfaces[" + i + "]";
            JsonNode mac = entry.path("mac");
            interfaces.add(new Interface(text(entry, at, "name"),
                    mac.isMissingNode() || !mac.isNull() && mac.asString("").isEmpty() ? null : parse(at + ".mac", mac, MacAddress::parse),
                    entry.path("sandbox").asString("").isEmpty() ? null : entry.get("sandbox").asString()));
        }
        List<IpConfig> ips = new ArrayList<>();
        JsonNode ipArray = array(json, field, "ips");
        for (int i = 0; i < ipArray.size(); i++) {
            JsonNode entry = ipArray.get(i);
            String at = field + ".ips[" + i + "]";
            IpPrefix address = parse(at + ".address", entry.path("address"), IpPrefix::parse);
            InetAddress gateway = entry.has("gateway") ? parse(at + ".gateway", entry.get("gateway"), IpPrefix::parseAddress) : null;
            JsonNode index = entry.path("interface");
            if (!index.isMissingNode() && (!index.isIntegralNumber() || !index.canConvertToInt() || index.asInt() < 0 || index.asInt() >= interfaces.size())) {
                throw invalid(at + ".interface", index, "an index into interfaces (0.." + (interfaces.size() - 1) + ")");
            }
            ips.add(new IpConfig(address, gateway, index.isMissingNode() ? -1 : index.asInt()));
        }
        List<RouteConfig> routes = new ArrayList<>();
        JsonNode routeArray = array(json, field, "routes");
        for (int i = 0; i < routeArray.size(); i++) {
            JsonNode entry = routeArray.get(i);
            String at = field + ".routes[" + i + "]";
            routes.add(new RouteConfig(parse(at + ".dst", entry.path("dst"), IpPrefix::parse),
                    entry.has("gw") ? parse(at + ".gw", entry.get("gw"), IpPrefix::parseAddress) : null));
        }
        JsonNode dns = json.get("dns");
        return new CniResult(interfaces, ips, routes, dns == null || dns.isNull() ? null : dns);
    }

    /**
     * A result passed through unchanged but for its version (the loopback plugin with a
     * {@code prevResult}): {@code cniVersion} set, {@code ips[].version} present exactly before 1.0.0.
     */
    public static ObjectNode inVersion(ObjectNode result, CniVersion version) {
        ObjectNode copy = result.deepCopy();
        copy.put("cniVersion", version.toString());
        for (JsonNode ip : copy.path("ips")) {
            if (ip instanceof ObjectNode entry) {
                if (version.atLeast(CniVersion.V1_0_0)) {
                    entry.remove("version");
                } else if (!entry.has("version")) {
                    entry.put("version", entry.path("address").asString("").contains(":") ? "6" : "4");
                }
            }
        }
        return copy;
    }

    private static JsonNode array(JsonNode json, String field, String key) {
        JsonNode value = json.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return NODES.arrayNode();
        }
        if (!value.isArray()) {
            throw invalid(field + "." + key, value, "an array");
        }
        return value;
    }

    private static String text(JsonNode entry, String at, String key) {
        JsonNode value = entry.path(key);
        if (!value.isString() || value.asString().isEmpty()) {
            throw invalid(at + "." + key, value, "a non-empty string");
        }
        return value.asString();
    }

    private static <T> T parse(String at, JsonNode value, Function<String, T> parser) {
        if (!value.isString()) {
            throw invalid(at, value, "a string");
        }
        try {
            return parser.apply(value.asString());
        } catch (IllegalArgumentException e) {
            throw new CniException(CniException.INVALID_CONFIG, at + " " + value + " is not valid: " + e.getMessage());
        }
    }

    private static CniException invalid(String at, JsonNode value, String expected) {
        return new CniException(CniException.INVALID_CONFIG, at + " "
                + (value.isMissingNode() ? "is missing" : value + " is not valid") + ": expected " + expected);
    }
}
