package io.weft.agent.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.weft.cni.CniHandler;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentMetricsTest {
    private final AgentMetrics metrics = new AgentMetrics();

    private String text() throws IOException {
        return PrometheusTextFormatWriter.create().toDebugString(metrics.registry().scrape());
    }

    @Test
    void aHandlerThatThrowsIsCountedAsAnErrorAndTheThrowPassesOn() throws IOException {
        CniHandler failing = metrics.counting(invocation -> {
            throw new IllegalStateException("boom");
        });

        assertThatThrownBy(() -> failing.handle(new CniInvocation(Map.of("CNI_COMMAND", "DEL"), new byte[0], "weft")))
                .hasMessage("boom");

        assertThat(text()).contains("weft_cni_requests_total{command=\"DEL\",result=\"error\"} 1.0");
    }

    @Test
    void unknownCommandsShareOneLabelValue() throws IOException {
        CniHandler counted = metrics.counting(invocation -> new CniResponse(1, new byte[0]));

        counted.handle(new CniInvocation(Map.of("CNI_COMMAND", "add"), new byte[0], "weft"));
        counted.handle(new CniInvocation(Map.of("CNI_COMMAND", "X".repeat(100)), new byte[0], "weft"));
        counted.handle(new CniInvocation(Map.of(), new byte[0], "weft"));

        assertThat(text()).contains("weft_cni_requests_total{command=\"invalid\",result=\"error\"} 3.0")
                .doesNotContain("XXXX");
    }
}
