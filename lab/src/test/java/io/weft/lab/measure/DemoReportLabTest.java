package io.weft.lab.measure;

import io.weft.cni.json.Json;
import io.weft.lab.LabPod;
import io.weft.netlink.Netlink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The report of real measurements in the four-pod namespaces: complete as text, and its JSON reads back. */
class DemoReportLabTest {
    private final FourPods lab = new FourPods();

    @AfterEach
    void tearDown() {
        lab.close();
    }

    @Test
    void reportsEveryNodeAndPodAndReadsItsJsonBack() throws Exception {
        String bridgeMac;
        try (Netlink links = Netlink.open(lab.node)) {
            bridgeMac = links.links().get("br0").mac().toString();
        }
        List<NodeRow> nodes = List.of(new NodeRow("node", "10.1.0.1", "10.1.0.0/24", bridgeMac,
                Map.of("pod3-side", "routed", "pod4-side", "none")));
        MatrixResult matrix = ConnectivityMatrix.measure(lab.all(), Duration.ofSeconds(1));
        Duration oneSecond = Duration.ofSeconds(1);
        List<ThroughputResult> throughput = List.of(
                Throughput.measure(new ThroughputPair("bridged", ThroughputPair.Kind.SAME_NODE,
                        lab.bridged1.netns(), lab.bridged2.netns(), lab.bridged2.ip()), oneSecond, Throughput.Tool.BUILT_IN),
                Throughput.measure(new ThroughputPair("routed", ThroughputPair.Kind.CROSS_NODE,
                        lab.bridged1.netns(), lab.routed.netns(), lab.routed.ip()), oneSecond),
                Throughput.measure(new ThroughputPair("node→pod", ThroughputPair.Kind.UNDERLAY,
                        lab.node.name(), lab.bridged1.netns(), lab.bridged1.ip()), oneSecond));
        DemoReport report = new DemoReport(nodes, matrix, throughput);

        String text = report.text();
        System.out.println(text); // docs/demo.md shows a run of this
        for (LabPod pod : lab.all()) {
            assertThat(text).contains(pod.name(), pod.ip());
        }
        assertThat(text).contains("node", "10.1.0.1", bridgeMac, "pod3-side routed").contains("FAILED");
        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(ReportText.WIDTH));

        String json = report.json();
        assertThat(DemoReport.fromJson(json)).isEqualTo(report);
        JsonNode tree = Json.mapper().readTree(json);
        assertThat(tree.get("passed").asBoolean()).isFalse();
        assertThat(tree.get("nodes").get(0).get("vtepMac").asString()).isEqualTo(bridgeMac);
        assertThat(tree.get("pods")).hasSize(4);
        assertThat(tree.get("matrix").get("pairs")).hasSize(12);
        assertThat(tree.get("matrix").get("failureCount").asInt()).isEqualTo(6);
        JsonNode first = tree.get("matrix").get("pairs").get(0);
        assertThat(first.get("from").asString()).isEqualTo("pod1");
        assertThat(first.get("to").asString()).isEqualTo("pod2");
        assertThat(first.get("reached").asBoolean()).isTrue();
        assertThat(first.get("rttMicros").decimalValue()).isPositive();
        assertThat(tree.get("throughput")).hasSize(3).allSatisfy(node -> {
            assertThat(node.get("measured").asBoolean()).isTrue();
            assertThat(node.get("bitsPerSecond").asDouble()).isPositive();
        });
        assertThat(tree.get("throughput").get(2).get("ratioToUnderlay").asDouble()).isEqualTo(1.0);
    }
}
