package io.weft.lab.doctor;

import io.weft.cni.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Weft's conflist must be the network the runtime uses. libcni lists {@code *.conf}, {@code *.conflist}
 * and {@code *.json} in the config dir and the runtimes (containerd, CRI-O, podman) take the first by
 * name; a file of another network sorting before Weft's wins, and one that does not parse makes
 * containerd load none.
 */
final class ConflistCheck implements Check {
    private static final List<String> EXTENSIONS = List.of(".conf", ".conflist", ".json");
    private static final ObjectMapper JSON = Json.mapper();

    @Override
    public String name() {
        return "conflist";
    }

    @Override
    public CheckResult run(NodeView node) {
        Path dir = node.target().cniConfDir();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(file -> EXTENSIONS.stream().anyMatch(file.getFileName().toString()::endsWith))
                    .filter(Files::isRegularFile)
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            files = List.of();
        }
        Optional<Path> ours = files.stream().filter(ConflistCheck::isWeft).findFirst();
        if (ours.isEmpty()) {
            return CheckResult.of(name(), "", List.of(new Finding(
                    "no CNI config of Weft in " + dir + (files.isEmpty() ? " (no config at all)" : " (only " + names(files) + ")"),
                    "the runtime has no Weft network to put pods in: pods stay ContainerCreating (\"network plugin "
                            + "not initialized\"), or get another network",
                    "weft install --cni-conf-dir " + dir + ", or run the agent with --install-cni --cni-conf-dir " + dir)));
        }
        List<Path> before = files.subList(0, files.indexOf(ours.get()));
        List<Finding> findings = new ArrayList<>();
        for (Path other : before) {
            findings.add(new Finding(
                    other.getFileName() + " sorts before " + ours.get().getFileName() + " in " + dir
                            + (parses(other) ? "" : ", and does not parse"),
                    "the runtime loads the first config by name, so new pods get " + (parses(other)
                            ? "the network of " + other.getFileName() + " (" + networkName(other) + "), not Weft's"
                            : "no network at all: containerd refuses to load a config dir whose first file is broken"),
                    "move it out of the way if Weft is this node's network: mv " + other + " " + other + ".disabled "
                            + "(only .conf, .conflist and .json are read); the runtime picks the change up by itself"));
        }
        return CheckResult.of(name(), ours.get().getFileName() + " is the first of " + files.size() + " in " + dir, findings);
    }

    /** A conflist with a plugin of type {@code weft}, or a single {@code .conf} of that type. */
    private static boolean isWeft(Path file) {
        JsonNode config = read(file);
        if (config == null) {
            return false;
        }
        if ("weft".equals(config.path("type").asString(""))) {
            return true;
        }
        for (JsonNode plugin : config.path("plugins")) {
            if ("weft".equals(plugin.path("type").asString(""))) {
                return true;
            }
        }
        return false;
    }

    private static boolean parses(Path file) {
        return read(file) != null;
    }

    private static String networkName(Path file) {
        JsonNode config = read(file);
        return config == null ? "unnamed" : "\"" + config.path("name").asString("unnamed") + "\"";
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return node != null && node.isObject() ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private static String names(List<Path> files) {
        return String.join(", ", files.stream().map(file -> file.getFileName().toString()).toList());
    }
}
