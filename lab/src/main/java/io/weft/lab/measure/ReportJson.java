package io.weft.lab.measure;

import io.weft.cni.json.Json;
import io.weft.lab.LabPod;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The report's JSON. Durations are decimal numbers in the unit their name ends with ({@code rttMicros},
 * {@code timeoutMillis}, {@code seconds}), written from whole nanoseconds so that reading them back
 * gives the same durations; enum values are lower-case words ({@code same-node}, {@code built-in}).
 */
final class ReportJson {
    private static final ObjectMapper JSON = Json.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS) // durations read back exactly
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN) // 2000, not 2E+3
            .build();
    private static final int MICROS = 3;
    private static final int MILLIS = 6;
    private static final int SECONDS = 9;

    private ReportJson() {
    }

    static String write(DemoReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("passed", report.passed());
        ArrayNode nodes = root.putArray("nodes");
        for (NodeRow row : report.nodes()) {
            ObjectNode node = nodes.addObject()
                    .put("name", row.name())
                    .put("underlayIp", row.underlayIp())
                    .put("subnet", row.subnet())
                    .put("vtepMac", row.vtepMac());
            ObjectNode modes = node.putObject("modeByPeer");
            row.modeByPeer().forEach(modes::put);
        }
        ArrayNode pods = root.putArray("pods");
        for (LabPod pod : report.pods()) {
            pods.addObject().put("name", pod.name()).put("node", pod.node()).put("netns", pod.netns()).put("ip", pod.ip());
        }
        MatrixResult matrix = report.matrix();
        ObjectNode matrixNode = root.putObject("matrix")
                .put("timeoutMillis", decimal(matrix.timeout(), MILLIS))
                .put("pairCount", matrix.pairs().size())
                .put("failureCount", matrix.failures().size());
        ArrayNode pairs = matrixNode.putArray("pairs");
        for (PairResult pair : matrix.pairs()) {
            ObjectNode node = pairs.addObject().put("from", pair.from()).put("to", pair.to());
            switch (pair) {
                case PairResult.Reached reached -> node.put("reached", true)
                        .put("connectMicros", decimal(reached.connect(), MICROS))
                        .put("rttMicros", decimal(reached.rtt(), MICROS));
                case PairResult.Unreached unreached -> node.put("reached", false)
                        .put("reason", unreached.reason().label())
                        .put("detail", unreached.detail());
            }
        }
        ArrayNode throughput = root.putArray("throughput");
        for (ThroughputResult result : report.throughput()) {
            ThroughputPair pair = result.pair();
            ObjectNode node = throughput.addObject()
                    .put("label", pair.label())
                    .put("kind", word(pair.kind()))
                    .put("clientNetns", pair.clientNetns())
                    .put("serverNetns", pair.serverNetns())
                    .put("serverIp", pair.serverIp())
                    .put("tool", word(result.tool()));
            switch (result) {
                case ThroughputResult.Measured measured -> {
                    node.put("measured", true)
                            .put("bitsPerSecond", measured.bitsPerSecond())
                            .put("bytes", measured.bytes())
                            .put("seconds", decimal(measured.elapsed(), SECONDS));
                    OptionalDouble ratio = report.ratioToUnderlay(result);
                    if (ratio.isPresent()) {
                        node.put("ratioToUnderlay", ratio.getAsDouble());
                    } else {
                        node.putNull("ratioToUnderlay");
                    }
                }
                case ThroughputResult.Failed failed -> node.put("measured", false).put("reason", failed.reason());
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JacksonException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }

    static DemoReport read(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        List<NodeRow> nodes = new ArrayList<>();
        for (JsonNode node : array(root, "nodes")) {
            Map<String, String> modes = new LinkedHashMap<>();
            JsonNode modeByPeer = field(node, "modeByPeer", "nodes[]");
            modeByPeer.properties().forEach(entry -> modes.put(entry.getKey(), entry.getValue().asString("")));
            nodes.add(new NodeRow(text(node, "name", "nodes[]"), text(node, "underlayIp", "nodes[]"),
                    text(node, "subnet", "nodes[]"), text(node, "vtepMac", "nodes[]"), modes));
        }
        List<LabPod> pods = new ArrayList<>();
        for (JsonNode node : array(root, "pods")) {
            pods.add(new LabPod(text(node, "name", "pods[]"), text(node, "node", "pods[]"),
                    text(node, "netns", "pods[]"), text(node, "ip", "pods[]")));
        }
        JsonNode matrixNode = field(root, "matrix", "report");
        List<PairResult> pairs = new ArrayList<>();
        for (JsonNode node : array(matrixNode, "pairs")) {
            String from = text(node, "from", "matrix.pairs[]");
            String to = text(node, "to", "matrix.pairs[]");
            pairs.add(bool(node, "reached", "matrix.pairs[]")
                    ? new PairResult.Reached(from, to, duration(node, "connectMicros", MICROS), duration(node, "rttMicros", MICROS))
                    : new PairResult.Unreached(from, to, FailureReason.ofLabel(text(node, "reason", "matrix.pairs[]")),
                    text(node, "detail", "matrix.pairs[]")));
        }
        MatrixResult matrix = new MatrixResult(pods, pairs, duration(matrixNode, "timeoutMillis", MILLIS));
        List<ThroughputResult> throughput = new ArrayList<>();
        for (JsonNode node : array(root, "throughput")) {
            String where = "throughput[]";
            ThroughputPair pair = new ThroughputPair(text(node, "label", where),
                    constant(ThroughputPair.Kind.class, text(node, "kind", where), "kind"),
                    text(node, "clientNetns", where), text(node, "serverNetns", where), text(node, "serverIp", where));
            Throughput.Tool tool = constant(Throughput.Tool.class, text(node, "tool", where), "tool");
            throughput.add(bool(node, "measured", where)
                    ? new ThroughputResult.Measured(pair, tool, field(node, "bytes", where).asLong(0),
                    duration(node, "seconds", SECONDS), field(node, "bitsPerSecond", where).asDouble(0))
                    : new ThroughputResult.Failed(pair, tool, text(node, "reason", where)));
        }
        return new DemoReport(nodes, matrix, throughput);
    }

    /** Whole nanoseconds as a decimal number of microseconds (scale 3), milliseconds (6) or seconds (9): exact both ways. */
    private static BigDecimal decimal(Duration duration, int scale) {
        return BigDecimal.valueOf(duration.toNanos(), scale).stripTrailingZeros();
    }

    private static Duration duration(JsonNode node, String name, int scale) {
        JsonNode value = field(node, name, "a duration");
        if (!value.isNumber()) {
            throw new IllegalArgumentException(name + " must be a number, got " + value);
        }
        return Duration.ofNanos(value.decimalValue().movePointRight(scale).longValue());
    }

    private static String word(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String word, String field) {
        for (E value : type.getEnumConstants()) {
            if (word(value).equals(word)) {
                return value;
            }
        }
        throw new IllegalArgumentException("throughput[]: unknown " + field + " \"" + word + "\"");
    }

    private static JsonNode field(JsonNode node, String name, String where) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(where + ": missing field \"" + name + "\"");
        }
        return value;
    }

    private static String text(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (!value.isString()) {
            throw new IllegalArgumentException(where + ": \"" + name + "\" must be a string, got " + value);
        }
        return value.asString();
    }

    private static boolean bool(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(where + ": \"" + name + "\" must be true or false, got " + value);
        }
        return value.booleanValue();
    }

    private static Iterable<JsonNode> array(JsonNode node, String name) {
        JsonNode value = field(node, name, "report");
        if (!value.isArray()) {
            throw new IllegalArgumentException("\"" + name + "\" must be an array");
        }
        return value;
    }
}
