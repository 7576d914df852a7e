package io.weft.lab;

import io.weft.cni.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code lab.json}, written and read by hand rather than by data binding: the file is read by people
 * too, so paths stay plain strings, and a damaged file is reported with the field that is wrong.
 */
final class LabFile {
    private static final ObjectMapper JSON = Json.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private LabFile() {}

    static byte[] encode(Lab lab) {
        ObjectNode root = JSON.createObjectNode();
        root.put("prefix", lab.prefix());
        root.put("dir", lab.dir().toString());
        root.put("state", lab.state().name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode options = root.putObject("options");
        options.put("nodes", lab.options().nodes());
        options.put("podsPerNode", lab.options().podsPerNode());
        options.put("store", lab.options().store().label());
        options.put("twoNics", lab.options().twoNics());
        options.put("subnets", lab.options().subnets().label());
        root.put("fabricNetns", lab.fabricNetns());
        lab.routerNetns().ifPresent(router -> root.put("routerNetns", router));
        lab.etcd().ifPresent(etcd -> {
            ObjectNode node = root.putObject("etcd");
            node.put("netns", etcd.netns());
            node.put("endpoint", etcd.endpoint());
            node.put("pid", etcd.pid());
        });
        ArrayNode nodes = root.putArray("nodes");
        for (LabNode node : lab.nodes()) {
            ObjectNode entry = nodes.addObject();
            entry.put("name", node.name());
            entry.put("netns", node.netns());
            entry.put("underlayIp", node.underlayIp());
            entry.put("runDir", node.runDir().toString());
            entry.put("stateDir", node.stateDir().toString());
            entry.put("cniBinDir", node.cniBinDir().toString());
            entry.put("cniConfDir", node.cniConfDir().toString());
            Long pid = lab.agentPids().get(node.name());
            if (pid != null) {
                entry.put("agentPid", pid);
            }
        }
        ArrayNode pods = root.putArray("pods");
        for (LabPod pod : lab.pods()) {
            ObjectNode entry = pods.addObject();
            entry.put("name", pod.name());
            entry.put("node", pod.node());
            entry.put("netns", pod.netns());
            entry.put("ip", pod.ip());
        }
        return JSON.writeValueAsBytes(root);
    }

    static Lab decode(Path file, byte[] content) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JacksonException e) {
            throw new IOException(file + " is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + " is not a lab description: not a JSON object");
        }
        Fields fields = new Fields(file);
        JsonNode options = fields.object(root, "options");
        LabOptions labOptions;
        try {
            labOptions = new LabOptions(fields.integer(options, "options.nodes"), fields.integer(options, "options.podsPerNode"),
                    LabOptions.Store.parse("options.store", fields.text(options, "options.store")),
                    fields.bool(options, "options.twoNics"),
                    LabOptions.Subnets.parse("options.subnets", fields.text(options, "options.subnets")));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        Lab.State state = switch (fields.text(root, "state")) {
            case "starting" -> Lab.State.STARTING;
            case "up" -> Lab.State.UP;
            default -> throw fields.wrong("state", "is not starting or up");
        };
        Optional<LabEtcd> etcd = Optional.empty();
        if (root.has("etcd")) {
            JsonNode node = fields.object(root, "etcd");
            etcd = Optional.of(new LabEtcd(fields.text(node, "etcd.netns"), fields.text(node, "etcd.endpoint"), fields.number(node, "etcd.pid")));
        }
        List<LabNode> nodes = new ArrayList<>();
        Map<String, Long> agentPids = new LinkedHashMap<>();
        JsonNode nodeArray = fields.array(root, "nodes");
        for (int i = 0; i < nodeArray.size(); i++) {
            JsonNode node = nodeArray.get(i);
            String at = "nodes[" + i + "].";
            LabNode labNode = new LabNode(fields.text(node, at + "name"), fields.text(node, at + "netns"),
                    fields.text(node, at + "underlayIp"), fields.path(node, at + "runDir"), fields.path(node, at + "stateDir"),
                    fields.path(node, at + "cniBinDir"), fields.path(node, at + "cniConfDir"));
            nodes.add(labNode);
            if (node.has("agentPid")) {
                agentPids.put(labNode.name(), fields.number(node, at + "agentPid"));
            }
        }
        List<LabPod> pods = new ArrayList<>();
        JsonNode podArray = fields.array(root, "pods");
        for (int i = 0; i < podArray.size(); i++) {
            JsonNode pod = podArray.get(i);
            String at = "pods[" + i + "].";
            pods.add(new LabPod(fields.text(pod, at + "name"), fields.text(pod, at + "node"), fields.text(pod, at + "netns"),
                    fields.text(pod, at + "ip")));
        }
        return new Lab(fields.text(root, "prefix"), fields.path(root, "dir"), labOptions, state, fields.text(root, "fabricNetns"),
                root.has("routerNetns") ? Optional.of(fields.text(root, "routerNetns")) : Optional.empty(),
                etcd, nodes, pods, agentPids);
    }

    /** Reads required fields; a missing or mistyped one is an error naming it by its path in the file. */
    private record Fields(Path file) {
        private JsonNode field(JsonNode parent, String name) throws LabFileException {
            JsonNode value = parent.get(name.substring(name.lastIndexOf('.') + 1));
            if (value == null || value.isNull()) {
                throw missing(name);
            }
            return value;
        }

        String text(JsonNode parent, String name) throws LabFileException {
            JsonNode value = field(parent, name);
            if (!value.isString() || value.asString().isEmpty()) {
                throw wrong(name, "is not a non-empty string");
            }
            return value.asString();
        }

        Path path(JsonNode parent, String name) throws LabFileException {
            String text = text(parent, name);
            if (!text.startsWith("/")) {
                throw wrong(name, "\"" + text + "\" is not an absolute path");
            }
            return Path.of(text);
        }

        int integer(JsonNode parent, String name) throws LabFileException {
            JsonNode value = field(parent, name);
            if (!value.canConvertToInt() || !value.isIntegralNumber()) {
                throw wrong(name, "is not a whole number");
            }
            return value.intValue();
        }

        long number(JsonNode parent, String name) throws LabFileException {
            JsonNode value = field(parent, name);
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() <= 0) {
                throw wrong(name, "is not a process id");
            }
            return value.longValue();
        }

        boolean bool(JsonNode parent, String name) throws LabFileException {
            JsonNode value = field(parent, name);
            if (!value.isBoolean()) {
                throw wrong(name, "is not true or false");
            }
            return value.booleanValue();
        }

        JsonNode object(JsonNode parent, String name) throws LabFileException {
            JsonNode value = field(parent, name);
            if (!value.isObject()) {
                throw wrong(name, "is not an object");
            }
            return value;
        }

        JsonNode array(JsonNode parent, String name) throws LabFileException {
            JsonNode value = field(parent, name);
            if (!value.isArray()) {
                throw wrong(name, "is not an array");
            }
            return value;
        }

        LabFileException missing(String name) {
            return new LabFileException(file + ": " + name + " is missing");
        }

        LabFileException wrong(String name, String why) {
            return new LabFileException(file + ": " + name + " " + why);
        }
    }

    /** A damaged {@code lab.json}; an {@link IOException} to callers of {@link Lab#load}. */
    static final class LabFileException extends IOException {
        private static final long serialVersionUID = 1L;

        LabFileException(String message) {
            super(message);
        }
    }
}
