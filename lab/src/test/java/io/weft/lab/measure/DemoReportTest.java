package io.weft.lab.measure;

import io.weft.lab.LabPod;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rendering and reading back reports made by hand: no namespaces. */
class DemoReportTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void aThreeNodeLabFitsInAHundredColumnsWithEveryNodePodAndPair() {
        DemoReport report = report(3, 2, new Random(1));

        String text = report.text();

        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(100));
        for (NodeRow node : report.nodes()) {
            assertThat(text).contains(node.name(), node.underlayIp(), node.subnet(), node.vtepMac());
        }
        for (LabPod pod : report.pods()) {
            assertThat(text).contains(pod.name(), pod.ip());
        }
        assertThat(text).contains("node2 vxlan").contains("✓ 85µs").contains("PASSED: 30 of 30 pairs reached");
        String header = text.lines().filter(line -> line.strip().startsWith("1  ") && line.contains("6")).findFirst().orElseThrow();
        List<Integer> columns = new ArrayList<>();
        for (int i = 0; i < header.length(); i++) {
            if (header.charAt(i) != ' ') {
                columns.add(i);
            }
        }
        assertThat(columns).as("6 columns, one width: " + header).hasSize(6);
        for (int i = 2; i < columns.size(); i++) {
            assertThat(columns.get(i) - columns.get(i - 1)).isEqualTo(columns.get(1) - columns.get(0));
        }
    }

    @Test
    void aMatrixTooWideForTheTerminalIsPrintedInBlocksOfColumns() {
        DemoReport report = report(4, 4, new Random(2)); // 16 pods

        String text = report.text();

        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(100));
        long headers = text.lines().filter(line -> line.strip().matches("1 +2 +3 .*|\\d+( +\\d+)+")).count();
        assertThat(headers).as("column blocks").isGreaterThan(1);
        assertThat(text).contains("   1 node1-pod1").contains("  16 node4-pod4");
    }

    @Test
    void aFailedPairIsCrossedListedWithItsReasonAndFailsTheReport() {
        DemoReport passing = report(2, 1, new Random(3));
        List<PairResult> pairs = new ArrayList<>(passing.matrix().pairs());
        pairs.set(0, new PairResult.Unreached("node1-pod1", "node2-pod1", FailureReason.TIMEOUT, "no answer from 10.42.2.2:7 within 2000 ms"));
        DemoReport failing = new DemoReport(passing.nodes(), new MatrixResult(passing.pods(), pairs, TIMEOUT), passing.throughput());

        assertThat(passing.passed()).isTrue();
        assertThat(failing.passed()).isFalse();
        assertThat(failing.text()).contains("✗ timeout")
                .contains("node1-pod1 → node2-pod1: timeout (no answer from 10.42.2.2:7 within 2000 ms)")
                .contains("FAILED: 1 of 2 pairs reached");
    }

    @Test
    void aFailedThroughputMeasurementFailsTheReportAndHasNoRatio() {
        DemoReport passing = report(2, 1, new Random(4));
        ThroughputResult crossNode = passing.throughput().get(1);
        ThroughputResult.Failed failed = new ThroughputResult.Failed(crossNode.pair(), Throughput.Tool.IPERF3, "iperf3: unable to connect to server");
        DemoReport failing = new DemoReport(passing.nodes(), passing.matrix(),
                List.of(passing.throughput().get(0), failed, passing.throughput().get(2)));

        assertThat(failing.passed()).isFalse();
        assertThat(failing.ratioToUnderlay(failed)).isEmpty();
        assertThat(failing.text()).contains("✗ failed").contains("cross-node: iperf3: unable to connect to server")
                .contains("2 of 3 throughput measurements done");
    }

    @Test
    void ratiosAreToTheUnderlayMeasurement() {
        ThroughputPair underlayPair = new ThroughputPair("underlay", ThroughputPair.Kind.UNDERLAY, "n1", "n2", "192.0.2.2");
        ThroughputPair podPair = new ThroughputPair("cross-node", ThroughputPair.Kind.CROSS_NODE, "p1", "p2", "10.42.2.2");
        ThroughputResult underlay = new ThroughputResult.Measured(underlayPair, Throughput.Tool.IPERF3, 1, Duration.ofSeconds(1), 20e9);
        ThroughputResult pods = new ThroughputResult.Measured(podPair, Throughput.Tool.IPERF3, 1, Duration.ofSeconds(1), 15e9);
        DemoReport report = new DemoReport(List.of(), new MatrixResult(List.of(), List.of(), TIMEOUT), List.of(pods, underlay));

        assertThat(report.ratioToUnderlay(pods)).hasValue(0.75);
        assertThat(report.text()).contains("15.00 Gbit/s        0.75×").contains("20.00 Gbit/s     baseline");
        DemoReport withoutUnderlay = new DemoReport(List.of(), report.matrix(), List.of(pods));
        assertThat(withoutUnderlay.ratioToUnderlay(pods)).isEmpty();
    }

    @Test
    void jsonReadsBackToTheSameReportForRandomReports() {
        Random random = new Random(5);
        for (int round = 0; round < 50; round++) {
            DemoReport report = report(1 + random.nextInt(4), 1 + random.nextInt(3), random);

            assertThat(DemoReport.fromJson(report.json())).as("round " + round).isEqualTo(report);
        }
    }

    @Test
    void readingJsonNamesTheFieldThatIsMissingOrWrong() {
        String json = report(2, 1, new Random(6)).json();

        assertThatThrownBy(() -> DemoReport.fromJson(json.replace("\"vtepMac\"", "\"mac\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vtepMac");
        assertThatThrownBy(() -> DemoReport.fromJson(json.replace("\"reached\" : true", "\"reached\" : \"yes\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reached");
        assertThatThrownBy(() -> DemoReport.fromJson(json.replace("\"iperf3\"", "\"netperf\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tool").hasMessageContaining("netperf");
        assertThatThrownBy(() -> DemoReport.fromJson("{\"nodes\": ["))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
    }

    @Test
    void socketErrorsAreNamedByTheirKind() {
        InetSocketAddress server = new InetSocketAddress("10.42.1.2", 7);

        assertThat(EchoProbe.unreached("a", "b", server, TIMEOUT, new SocketTimeoutException("Connect timed out")))
                .isEqualTo(new PairResult.Unreached("a", "b", FailureReason.TIMEOUT, "no answer from 10.42.1.2:7 within 2000 ms"));
        assertThat(EchoProbe.unreached("a", "b", server, TIMEOUT, new ConnectException("Connection refused")).reason())
                .isEqualTo(FailureReason.REFUSED);
        assertThat(EchoProbe.unreached("a", "b", server, TIMEOUT, new NoRouteToHostException("No route to host")).reason())
                .isEqualTo(FailureReason.NO_ROUTE);
        assertThat(EchoProbe.unreached("a", "b", server, TIMEOUT, new SocketException("Network is unreachable")).reason())
                .isEqualTo(FailureReason.NO_ROUTE);
        assertThat(EchoProbe.unreached("a", "b", server, TIMEOUT, new SocketException("Connection reset")))
                .isEqualTo(new PairResult.Unreached("a", "b", FailureReason.ERROR, "10.42.1.2:7: SocketException: Connection reset"));
    }

    @Test
    void durationsAndRatesReadNaturally() {
        assertThat(ReportText.duration(Duration.ofNanos(85_400))).isEqualTo("85µs");
        assertThat(ReportText.duration(Duration.ofNanos(999_700))).isEqualTo("1.00ms");
        assertThat(ReportText.duration(Duration.ofNanos(2_345_000))).isEqualTo("2.35ms");
        assertThat(ReportText.duration(Duration.ofMillis(250))).isEqualTo("250.0ms");
        assertThat(ReportText.duration(Duration.ofSeconds(2))).isEqualTo("2.00s");
        assertThat(ReportText.rate(31.234e9)).isEqualTo("31.23 Gbit/s");
        assertThat(ReportText.rate(940.2e6)).isEqualTo("940.2 Mbit/s");
        assertThat(ReportText.rate(12_000)).isEqualTo("12 kbit/s");
    }

    /** A lab of {@code nodes} × {@code podsPerNode}, every pair reached, node 2 over VXLAN and the rest direct. */
    private static DemoReport report(int nodes, int podsPerNode, Random random) {
        List<NodeRow> rows = new ArrayList<>();
        List<LabPod> pods = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) {
            Map<String, String> modes = new java.util.HashMap<>();
            for (int peer = 1; peer <= nodes; peer++) {
                if (peer != n) {
                    modes.put("node" + peer, peer == 2 || n == 2 ? "vxlan" : "direct");
                }
            }
            rows.add(new NodeRow("node" + n, "192.0.2." + n, "10.42." + n + ".0/24", "0e:00:00:00:00:0" + n, modes));
            for (int p = 1; p <= podsPerNode; p++) {
                pods.add(new LabPod("node" + n + "-pod" + p, "node" + n, "weft-node" + n + "-pod" + p, "10.42." + n + "." + (p + 1)));
            }
        }
        List<PairResult> pairs = new ArrayList<>();
        for (LabPod from : pods) {
            for (LabPod to : pods) {
                if (from != to) {
                    boolean first = pairs.isEmpty();
                    pairs.add(new PairResult.Reached(from.name(), to.name(),
                            Duration.ofNanos(1 + random.nextInt(2_000_000)),
                            first ? Duration.ofNanos(85_123) : Duration.ofNanos(1 + random.nextInt(2_000_000))));
                }
            }
        }
        Duration elapsed = Duration.ofNanos(1_000_000_000L + random.nextInt(100_000_000));
        List<ThroughputResult> throughput = List.of(
                new ThroughputResult.Measured(new ThroughputPair("same-node", ThroughputPair.Kind.SAME_NODE,
                        "weft-node1-pod1", "weft-node1-pod2", "10.42.1.3"), Throughput.Tool.IPERF3,
                        random.nextLong(1L << 40), elapsed, random.nextDouble() * 40e9),
                new ThroughputResult.Measured(new ThroughputPair("cross-node", ThroughputPair.Kind.CROSS_NODE,
                        "weft-node1-pod1", "weft-node2-pod1", "10.42.2.2"), Throughput.Tool.BUILT_IN,
                        random.nextLong(1L << 40), elapsed, random.nextDouble() * 40e9),
                new ThroughputResult.Measured(new ThroughputPair("underlay", ThroughputPair.Kind.UNDERLAY,
                        "weft-node1", "weft-node2", "192.0.2.2"), Throughput.Tool.IPERF3,
                        random.nextLong(1L << 40), elapsed, 1 + random.nextDouble() * 40e9));
        return new DemoReport(rows, new MatrixResult(pods, pairs, TIMEOUT), throughput);
    }
}
