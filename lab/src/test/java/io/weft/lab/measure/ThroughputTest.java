package io.weft.lab.measure;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

class ThroughputTest {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private final FourPods lab = new FourPods();

    @AfterEach
    void tearDown() {
        lab.close();
    }

    @ParameterizedTest
    @EnumSource(Throughput.Tool.class)
    void aStreamBetweenTwoNamespacesCarriesData(Throughput.Tool tool) throws InterruptedException {
        assumeIperf3IfAsked(tool);
        ThroughputPair pair = new ThroughputPair("routed", ThroughputPair.Kind.CROSS_NODE,
                lab.bridged1.netns(), lab.routed.netns(), lab.routed.ip());

        ThroughputResult result = Throughput.measure(pair, ONE_SECOND, tool);

        assertThat(result).isInstanceOfSatisfying(ThroughputResult.Measured.class, measured -> {
            assertThat(measured.tool()).isEqualTo(tool);
            assertThat(measured.pair()).isEqualTo(pair);
            assertThat(measured.bitsPerSecond()).isPositive();
            assertThat(measured.bytes()).isPositive();
            assertThat(measured.elapsed()).isPositive();
        });
    }

    @ParameterizedTest
    @EnumSource(Throughput.Tool.class)
    void aPathThatDoesNotWorkGivesAFailureWithItsReasonNotAnException(Throughput.Tool tool) throws InterruptedException {
        assumeIperf3IfAsked(tool);
        ThroughputPair pair = new ThroughputPair("to nowhere", ThroughputPair.Kind.CROSS_NODE,
                lab.bridged1.netns(), lab.isolated.netns(), lab.isolated.ip());

        ThroughputResult result = Throughput.measure(pair, ONE_SECOND, tool);

        assertThat(result).isInstanceOfSatisfying(ThroughputResult.Failed.class,
                failed -> assertThat(failed.reason()).containsIgnoringCase("unreachable"));
    }

    @Test
    void readsTheReceiverSumOfAnIperf3ReportAndItsError() {
        ThroughputPair pair = new ThroughputPair("p", ThroughputPair.Kind.UNDERLAY, "a", "b", "192.0.2.1");
        String report = """
                {"start":{},"intervals":[],"end":{
                  "sum_sent":{"start":0,"end":1.0,"seconds":1.0,"bytes":2000,"bits_per_second":16000},
                  "sum_received":{"start":0,"end":1.25,"seconds":1.25,"bytes":1000,"bits_per_second":6400}}}""";

        assertThat(Iperf3.result(pair, report, 0)).isEqualTo(new ThroughputResult.Measured(
                pair, Throughput.Tool.IPERF3, 1000, Duration.ofMillis(1250), 6400));
        assertThat(Iperf3.result(pair, "{\"start\":{},\"end\":{},\"error\":\"unable to connect to server\"}", 1))
                .isEqualTo(new ThroughputResult.Failed(pair, Throughput.Tool.IPERF3, "iperf3: unable to connect to server"));
        assertThat(Iperf3.result(pair, "iperf3: parameter error", 1)).isInstanceOfSatisfying(ThroughputResult.Failed.class,
                failed -> assertThat(failed.reason()).contains("exited 1").contains("parameter error"));
    }

    private static void assumeIperf3IfAsked(Throughput.Tool tool) {
        if (tool == Throughput.Tool.IPERF3) {
            assumeThat(Throughput.Tool.available()).as("iperf3 installed").isEqualTo(Throughput.Tool.IPERF3);
        }
    }
}
