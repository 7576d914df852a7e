package io.weft.lab.doctor;

import io.weft.cni.json.Json;
import io.weft.lab.doctor.CheckResult.Status;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link Doctor} found on one node: every check's result, in the order they ran.
 *
 * @param node the node's name
 * @param results one per check
 */
public record DoctorReport(String node, List<CheckResult> results) {
    private static final ObjectMapper JSON = Json.mapper();
    private static final int WIDTH = 100;

    public DoctorReport {
        Objects.requireNonNull(node, "node");
        results = List.copyOf(results);
    }

    /** No check found a problem (skipped ones are not problems). */
    public boolean healthy() {
        return problems().isEmpty();
    }

    /** Every finding of every check. */
    public List<Finding> problems() {
        return results.stream().flatMap(result -> result.findings().stream()).toList();
    }

    /** The result of the check of this name. */
    public CheckResult result(String check) {
        return results.stream().filter(result -> result.check().equals(check)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no check named " + check));
    }

    /**
     * For a terminal: one line per check ({@code ✓} passed, {@code ✗} problem, {@code –} skipped); a problem
     * has a {@code ✗} line per finding, each followed by its why and fix.
     */
    public String text() {
        int nameWidth = results.stream().mapToInt(result -> result.check().length()).max().orElse(0);
        StringBuilder out = new StringBuilder("node " + node + "\n");
        for (CheckResult result : results) {
            String head = "  " + mark(result.status()) + " " + pad(result.check(), nameWidth) + "  ";
            String indent = " ".repeat(head.length());
            if (result.status() != Status.PROBLEM) {
                wrap(out, head, indent, result.detail());
                continue;
            }
            String again = "  " + mark(Status.PROBLEM) + " " + pad("", nameWidth) + "  ";
            boolean first = true;
            for (Finding finding : result.findings()) {
                wrap(out, first ? head : again, indent, finding.problem());
                wrap(out, indent + "  why: ", indent + "       ", finding.why());
                wrap(out, indent + "  fix: ", indent + "       ", finding.fix());
                first = false;
            }
        }
        int count = problems().size();
        out.append(count == 0 ? "no problems found\n" : count + (count == 1 ? " problem" : " problems") + " found\n");
        return out.toString();
    }

    /** The reports of several nodes as one JSON document: {@code {"healthy":…,"nodes":[{"node":…,"checks":[…]}]}}. */
    public static String json(List<DoctorReport> reports) {
        ObjectNode root = JSON.createObjectNode();
        root.put("healthy", reports.stream().allMatch(DoctorReport::healthy));
        ArrayNode nodes = root.putArray("nodes");
        for (DoctorReport report : reports) {
            ObjectNode node = nodes.addObject();
            node.put("node", report.node());
            node.put("healthy", report.healthy());
            ArrayNode checks = node.putArray("checks");
            for (CheckResult result : report.results()) {
                ObjectNode check = checks.addObject();
                check.put("check", result.check());
                check.put("status", result.status().name().toLowerCase(Locale.ROOT));
                check.put("detail", result.detail());
                ArrayNode findings = check.putArray("findings");
                for (Finding finding : result.findings()) {
                    findings.addObject().put("problem", finding.problem()).put("why", finding.why()).put("fix", finding.fix());
                }
            }
        }
        return root.toPrettyString() + "\n";
    }

    private static String mark(Status status) {
        return switch (status) {
            case OK -> "✓";
            case PROBLEM -> "✗";
            case SKIPPED -> "–";
        };
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }

    /** Words of {@code text} in lines of at most {@link #WIDTH}, the first after {@code first}, the rest after {@code rest}. */
    private static void wrap(StringBuilder out, String first, String rest, String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(first);
        int start = first.length();
        for (String word : text.split(" ")) {
            if (line.length() > start && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(rest);
                start = rest.length();
            }
            if (line.length() > start) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        lines.forEach(l -> out.append(l).append('\n'));
    }
}
