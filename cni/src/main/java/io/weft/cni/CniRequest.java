package io.weft.cni;

import io.weft.cni.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One CNI request, parsed and checked once, the way the Go skel does it for every reference plugin:
 * the environment ({@code CNI_*}, checked per command, errors with code 4 naming the variable), the
 * configuration on stdin (6 when it is not a JSON object), its {@code cniVersion} (1 unless Weft
 * speaks it exactly; absent means 0.1.0) and its {@code name} (7). Commands never see a bad request.
 *
 * @param containerId {@code CNI_CONTAINERID}, empty for GC, STATUS and VERSION
 * @param netns {@code CNI_NETNS}, a path; empty when not given (allowed for DEL)
 * @param ifName {@code CNI_IFNAME}, empty for GC, STATUS and VERSION
 * @param args {@code CNI_ARGS} as keys and values, parsed leniently: runtimes send keys Weft has no use for
 * @param version the request's {@code cniVersion}, which the answer repeats
 * @param config the whole configuration object from stdin; read it, never change it
 */
public record CniRequest(CniCommand command, String containerId, String netns, String ifName,
                         Map<String, String> args, CniVersion version, ObjectNode config) {
    /** The spec's rule for container ids and network names. */
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");
    private static final int MAX_IFNAME = 15;
    private static final ObjectMapper JSON = Json.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public CniRequest {
        args = Map.copyOf(args);
    }

    /** Parses and validates an invocation; a {@link CniException} with the spec's code when it is not a valid request. */
    public static CniRequest parse(CniInvocation invocation) {
        Map<String, String> environment = invocation.environment();
        CniCommand command = command(environment);
        if (command == CniCommand.VERSION) {
            // As the Go skel: nothing else is read. libcni sends CNI_NETNS=dummy, CNI_IFNAME=dummy and
            // CNI_PATH=dummy with VERSION (placeholders for old skels) when podman validates a conflist.
            return new CniRequest(command, "", "", "", Map.of(), versionToAnswer(invocation.stdin()),
                    JsonNodeFactory.instance.objectNode());
        }
        for (String variable : command.requiredVariables()) {
            if (environment.getOrDefault(variable, "").isEmpty()) {
                throw new CniException(CniException.INVALID_ENVIRONMENT, variable + " is not set; " + command + " needs it");
            }
        }
        String containerId = environment.getOrDefault("CNI_CONTAINERID", "");
        if (!containerId.isEmpty() && !ID.matcher(containerId).matches()) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID \"" + containerId
                    + "\" is not a container id: letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
        String netns = environment.getOrDefault("CNI_NETNS", "");
        if (!netns.isEmpty() && !netns.startsWith("/")) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_NETNS \"" + netns + "\" is not an absolute path");
        }
        String ifName = environment.getOrDefault("CNI_IFNAME", "");
        if (!ifName.isEmpty()) {
            checkIfName(ifName);
        }
        Map<String, String> args = args(environment.getOrDefault("CNI_ARGS", ""));
        ObjectNode config = decode(invocation.stdin());
        CniVersion version = version(config);
        if (!version.atLeast(command.introducedIn())) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "config version " + version + " does not allow "
                    + command + ", which came with " + command.introducedIn());
        }
        JsonNode name = config.path("name");
        if (!name.isString() || !ID.matcher(name.asString()).matches()) {
            throw new CniException(CniException.INVALID_CONFIG, "name " + (name.isMissingNode() ? "is missing" : name
                    + " is not a network name: letters, digits, '_', '.' and '-', starting with a letter or digit"));
        }
        return new CniRequest(command, containerId, netns, ifName, args, version, config);
    }

    /**
     * The version an error about {@code stdin} should carry: the one it asks for when Weft speaks it,
     * else the latest. Used when the request could not be parsed as a whole.
     */
    public static CniVersion versionToAnswer(byte[] stdin) {
        try {
            JsonNode requested = JSON.readTree(stdin).path("cniVersion");
            return CniVersion.parse(requested.asString()).filter(CniVersion::isSupported).orElse(CniVersion.LATEST);
        } catch (RuntimeException e) {
            return CniVersion.LATEST;
        }
    }

    /** The network's name, from the configuration. */
    public String networkName() {
        return config.get("name").asString();
    }

    /** {@code prevResult}, the previous plugin's (or the cached ADD) result, when the runtime sent one. */
    public Optional<ObjectNode> prevResult() {
        return config.get("prevResult") instanceof ObjectNode result ? Optional.of(result) : Optional.empty();
    }

    private static CniCommand command(Map<String, String> environment) {
        String name = environment.getOrDefault("CNI_COMMAND", "");
        if (name.isEmpty()) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_COMMAND is not set");
        }
        try {
            return CniCommand.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_COMMAND \"" + name + "\" is not one of "
                    + Arrays.stream(CniCommand.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    private static void checkIfName(String ifName) {
        if (ifName.length() > MAX_IFNAME || ifName.equals(".") || ifName.equals("..")
                || ifName.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_IFNAME \"" + ifName + "\" is not an interface name: 1 to "
                    + MAX_IFNAME + " characters, not \".\" or \"..\", no '/', ':' or whitespace");
        }
    }

    /** {@code K=V;K2=V2}; parts without '=' are skipped, as runtimes add keys freely ({@code IgnoreUnknown=1}). */
    private static Map<String, String> args(String text) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String part : text.split(";")) {
            int equals = part.indexOf('=');
            if (equals > 0) {
                args.putIfAbsent(part.substring(0, equals), part.substring(equals + 1));
            }
        }
        return args;
    }

    private static ObjectNode decode(byte[] stdin) {
        JsonNode config;
        try {
            config = JSON.readTree(stdin);
        } catch (JacksonException e) {
            throw new CniException(CniException.DECODE_FAILURE, "the network configuration on stdin is not JSON: "
                    + e.getOriginalMessage());
        }
        if (!(config instanceof ObjectNode object)) {
            throw new CniException(CniException.DECODE_FAILURE, "the network configuration on stdin is not a JSON object"
                    + (config == null || config.isMissingNode() ? " (stdin is empty)" : ""));
        }
        return object;
    }

    private static CniVersion version(ObjectNode config) {
        JsonNode field = config.path("cniVersion");
        if (!field.isMissingNode() && !field.isString()) {
            throw new CniException(CniException.INVALID_CONFIG, "cniVersion " + field + " is not a string");
        }
        String text = field.isMissingNode() ? CniVersion.V0_1_0.toString() : field.asString();
        return CniVersion.parse(text).filter(CniVersion::isSupported).orElseThrow(() -> new CniException(
                CniException.INCOMPATIBLE_VERSION, "incompatible CNI versions",
                "config is \"" + text + "\", plugin supports " + CniVersion.SUPPORTED.stream()
                        .map(v -> "\"" + v + "\"").collect(Collectors.joining(", ", "[", "]"))));
    }
}
