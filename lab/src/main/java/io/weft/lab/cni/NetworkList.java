package io.weft.lab.cni;

import io.weft.cni.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A network configuration list as libcni loads it: the first file of the conf dir in name order
 * ending {@code .conflist}, {@code .conf} or {@code .json} (a single-plugin {@code .conf} becomes a
 * list of one), and each plugin's stdin built the way libcni builds it, with the list's {@code name}
 * and {@code cniVersion} and, for all but the first plugin on ADD, the previous plugin's result.
 *
 * @param name       the network's name
 * @param cniVersion the list's version, also given to every plugin
 * @param plugins    the plugins' own configurations, in chain order
 * @param file       where it was read from
 */
record NetworkList(String name, String cniVersion, List<ObjectNode> plugins, Path file) {
    private static final ObjectMapper JSON = Json.mapper();

    static NetworkList load(Path confDir) throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(confDir)) {
            file = files.filter(Files::isRegularFile)
                    .filter(path -> Stream.of(".conflist", ".conf", ".json").anyMatch(path.getFileName().toString()::endsWith))
                    .sorted()
                    .findFirst()
                    .orElseThrow(() -> new IOException("no network configuration (*.conflist, *.conf, *.json) in " + confDir));
        }
        return parse(file, Files.readAllBytes(file));
    }

    static NetworkList parse(Path file, byte[] content) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JacksonException e) {
            throw new IOException(file + " is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + " is not a network configuration: not a JSON object");
        }
        String name = text(file, root, "name");
        String cniVersion = text(file, root, "cniVersion");
        List<ObjectNode> plugins = new ArrayList<>();
        if (root.has("plugins")) {
            JsonNode list = root.get("plugins");
            if (!list.isArray() || list.isEmpty()) {
                throw new IOException(file + ": plugins is not a non-empty array");
            }
            for (int i = 0; i < list.size(); i++) {
                if (!list.get(i).isObject()) {
                    throw new IOException(file + ": plugins[" + i + "] is not an object");
                }
                plugins.add((ObjectNode) list.get(i));
                text(file, list.get(i), "type");
            }
        } else {
            text(file, root, "type"); // a single plugin's .conf
            plugins.add((ObjectNode) root);
        }
        return new NetworkList(name, cniVersion, plugins, file);
    }

    /** The plugin's executable name. */
    static String type(ObjectNode plugin) {
        return plugin.get("type").asString();
    }

    /** What plugin {@code plugin} reads on stdin: its config, the list's name and version, and {@code prevResult} when given. */
    byte[] stdin(ObjectNode plugin, JsonNode prevResult) throws IOException {
        ObjectNode config = plugin.deepCopy();
        config.put("name", name);
        config.put("cniVersion", cniVersion);
        if (prevResult != null) {
            config.set("prevResult", prevResult);
        }
        return JSON.writeValueAsBytes(config);
    }

    /** The loopback network a runtime attaches first ({@code lo}), as containerd does, with {@code settings} added. */
    static NetworkList loopback(String cniVersion, Map<String, String> settings) {
        ObjectNode plugin = JSON.createObjectNode().put("type", "loopback");
        settings.forEach(plugin::put);
        return new NetworkList("cni-loopback", cniVersion, List.of(plugin), Path.of("(built in)"));
    }

    private static String text(Path file, JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw new IOException(file + ": " + field + " is missing or not a string");
        }
        return value.asString();
    }
}
