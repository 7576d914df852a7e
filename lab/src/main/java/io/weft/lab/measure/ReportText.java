package io.weft.lab.measure;

import io.weft.lab.LabPod;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/** The report as text for a terminal: tables no wider than {@value #WIDTH} columns where the data allows. */
final class ReportText {
    static final int WIDTH = 100;
    private static final String INDENT = "  ";
    private static final int MAX_ROW_LABEL = 24;

    private ReportText() {
    }

    static String render(DemoReport report) {
        StringBuilder out = new StringBuilder();
        nodes(report, out);
        pods(report, out);
        matrix(report.matrix(), out);
        throughput(report, out);
        verdict(report, out);
        return out.toString();
    }

    private static void nodes(DemoReport report, StringBuilder out) {
        out.append("Nodes\n");
        TextTable table = new TextTable(new String[]{"node", "underlay IP", "pod subnet", "VTEP MAC", "to peers"});
        for (NodeRow node : report.nodes()) {
            String modes = node.modeByPeer().entrySet().stream()
                    .map(entry -> entry.getKey() + " " + entry.getValue())
                    .collect(Collectors.joining(", "));
            table.row(node.name(), node.underlayIp(), node.subnet(), node.vtepMac(), modes.isEmpty() ? "-" : modes);
        }
        table.render(out, INDENT);
    }

    private static void pods(DemoReport report, StringBuilder out) {
        out.append("\nPods\n");
        TextTable table = new TextTable(new String[]{"#", "pod", "node", "IP"}, true);
        List<LabPod> pods = report.pods();
        for (int i = 0; i < pods.size(); i++) {
            LabPod pod = pods.get(i);
            table.row(Integer.toString(i + 1), pod.name(), pod.node(), pod.ip());
        }
        table.render(out, INDENT);
    }

    /**
     * Rows are clients, columns servers, both numbered as in the pods table; when the columns do not fit
     * in the width, the matrix is printed in blocks of columns.
     */
    private static void matrix(MatrixResult matrix, StringBuilder out) {
        List<LabPod> pods = matrix.pods();
        out.append("\nConnectivity: TCP connect + ").append(EchoProbe.ROUND_TRIPS)
                .append(" round trips, row pod to column pod; median RTT (timeout ")
                .append(duration(matrix.timeout())).append(")\n");
        List<String> labels = new ArrayList<>();
        List<List<String>> cells = new ArrayList<>();
        int cellWidth = 1;
        int numberWidth = Integer.toString(pods.size()).length();
        for (int row = 0; row < pods.size(); row++) {
            String number = Integer.toString(row + 1);
            labels.add(" ".repeat(numberWidth - number.length()) + number + " " + abbreviate(pods.get(row).name()));
            List<String> line = new ArrayList<>();
            for (LabPod to : pods) {
                String cell = matrix.result(pods.get(row).name(), to.name()).map(ReportText::cell).orElse("·");
                cellWidth = Math.max(cellWidth, cell.length());
                line.add(cell);
            }
            cells.add(line);
        }
        int labelWidth = labels.stream().mapToInt(String::length).max().orElse(0);
        int perBlock = Math.max(1, (WIDTH - INDENT.length() - labelWidth) / (cellWidth + 2));
        for (int first = 0; first < pods.size(); first += perBlock) {
            int last = Math.min(pods.size(), first + perBlock);
            String[] headers = new String[last - first + 1];
            headers[0] = "";
            for (int column = first; column < last; column++) {
                headers[column - first + 1] = Integer.toString(column + 1);
            }
            TextTable table = new TextTable(headers);
            for (int row = 0; row < pods.size(); row++) {
                String[] line = new String[headers.length];
                line[0] = labels.get(row);
                for (int column = first; column < last; column++) {
                    String cell = cells.get(row).get(column);
                    line[column - first + 1] = cell + " ".repeat(cellWidth - cell.length()); // columns all one width
                }
                table.row(line);
            }
            if (first > 0) {
                out.append('\n');
            }
            table.render(out, INDENT);
        }
        List<PairResult.Unreached> failures = matrix.failures();
        if (!failures.isEmpty()) {
            out.append("\nFailures\n");
            for (PairResult.Unreached failure : failures) {
                out.append(INDENT).append(failure.from()).append(" → ").append(failure.to()).append(": ")
                        .append(failure.reason().label()).append(" (").append(failure.detail()).append(")\n");
            }
        }
    }

    private static String cell(PairResult pair) {
        return switch (pair) {
            case PairResult.Reached reached -> "✓ " + duration(reached.rtt());
            case PairResult.Unreached unreached -> "✗ " + unreached.reason().label();
        };
    }

    private static void throughput(DemoReport report, StringBuilder out) {
        if (report.throughput().isEmpty()) {
            return;
        }
        out.append("\nThroughput: one TCP stream per path, counted by the receiver\n");
        TextTable table = new TextTable(new String[]{"path", "from netns", "to netns", "to IP", "tool", "rate", "vs underlay"},
                false, false, false, false, false, true, true);
        List<String> failures = new ArrayList<>();
        for (ThroughputResult result : report.throughput()) {
            ThroughputPair pair = result.pair();
            String tool = result.tool() == Throughput.Tool.IPERF3 ? "iperf3" : "built-in";
            String rate;
            String ratio;
            switch (result) {
                case ThroughputResult.Measured measured -> {
                    rate = rate(measured.bitsPerSecond());
                    OptionalDouble value = report.ratioToUnderlay(result);
                    ratio = pair.kind() == ThroughputPair.Kind.UNDERLAY && report.underlay().orElse(null) == result
                            ? "baseline"
                            : value.isPresent() ? String.format(Locale.ROOT, "%.2f×", value.getAsDouble()) : "-";
                }
                case ThroughputResult.Failed failed -> {
                    rate = "✗ failed";
                    ratio = "-";
                    failures.add(pair.label() + ": " + failed.reason());
                }
            }
            table.row(pair.label(), pair.clientNetns(), pair.serverNetns(), pair.serverIp(), tool, rate, ratio);
        }
        table.render(out, INDENT);
        for (String failure : failures) {
            out.append(INDENT).append(failure).append('\n');
        }
    }

    private static void verdict(DemoReport report, StringBuilder out) {
        MatrixResult matrix = report.matrix();
        int pairs = matrix.pairs().size();
        int reached = pairs - matrix.failures().size();
        long measured = report.throughput().stream().filter(ThroughputResult.Measured.class::isInstance).count();
        out.append('\n').append(report.passed() ? "PASSED" : "FAILED").append(": ")
                .append(reached).append(" of ").append(pairs).append(" pairs reached");
        if (!report.throughput().isEmpty()) {
            out.append(", ").append(measured).append(" of ").append(report.throughput().size()).append(" throughput measurements done");
        }
        out.append('\n');
    }

    static String duration(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos < 999_500) { // below that, rounding to µs would print 1000µs
            return Math.max(1, Math.round(nanos / 1e3)) + "µs";
        }
        if (nanos < 10_000_000) {
            return String.format(Locale.ROOT, "%.2fms", nanos / 1e6);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1fms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
    }

    static String rate(double bitsPerSecond) {
        if (bitsPerSecond >= 1e9) {
            return String.format(Locale.ROOT, "%.2f Gbit/s", bitsPerSecond / 1e9);
        }
        if (bitsPerSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.1f Mbit/s", bitsPerSecond / 1e6);
        }
        return String.format(Locale.ROOT, "%.0f kbit/s", bitsPerSecond / 1e3);
    }

    private static String abbreviate(String name) {
        return name.length() <= MAX_ROW_LABEL ? name : name.substring(0, MAX_ROW_LABEL - 1) + "…";
    }
}
