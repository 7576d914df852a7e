package io.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.lab.LabNode;
import io.weft.lab.LabPod;
import io.weft.lab.trace.LabView;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A lab as {@code weft lab up} describes it in {@code DIR/lab.json}: {@code nodes} as {@link LabNode}s and
 * {@code pods} as {@link LabPod}s, by their record component names; other keys are ignored. Stands in
 * for the lab's own loader until the lab module has one.
 */
record LabDirectory(List<LabNode> nodes, List<LabPod> pods) implements LabView {
    static final String FILE = "lab.json";

    /** Reads {@code dir/lab.json}; an {@link IllegalArgumentException} naming the file and the field when it is missing or wrong. */
    static LabDirectory read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no lab at " + dir + " (" + file + " does not exist): start one with weft lab up,"
                    + " or trace on a real node with --src-netns", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not readable JSON: " + e.getMessage(), e);
        }
        List<LabNode> nodes = new ArrayList<>();
        for (JsonNode node : array(json, "nodes", file)) {
            nodes.add(new LabNode(text(node, "name", file), text(node, "netns", file), text(node, "underlayIp", file),
                    path(node, "runDir"), path(node, "stateDir"), path(node, "cniBinDir"), path(node, "cniConfDir")));
        }
        List<LabPod> pods = new ArrayList<>();
        for (JsonNode pod : array(json, "pods", file)) {
            pods.add(new LabPod(text(pod, "name", file), text(pod, "node", file), text(pod, "netns", file), text(pod, "ip", file)));
        }
        return new LabDirectory(List.copyOf(nodes), List.copyOf(pods));
    }

    private static JsonNode array(JsonNode json, String field, Path file) {
        JsonNode array = json.path(field);
        if (!array.isArray()) {
            throw new IllegalArgumentException(file + ": \"" + field + "\" is missing or not an array");
        }
        return array;
    }

    private static String text(JsonNode json, String field, Path file) {
        JsonNode value = json.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException(file + ": \"" + field + "\" is missing or not a string in " + json);
        }
        return value.asText();
    }

    /** A directory the trace does not use: kept when present, null otherwise. */
    private static Path path(JsonNode json, String field) {
        JsonNode value = json.path(field);
        return value.isTextual() ? Path.of(value.asText()) : null;
    }
}
