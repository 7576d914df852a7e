package io.weft.agent.http;

import io.weft.agent.metrics.AgentMetrics;
import io.weft.agent.overlay.ReconcileResult;
import io.weft.cni.CniHandler;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class HealthServerTest {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final AgentMetrics metrics = new AgentMetrics();
    private volatile Optional<String> notLive = Optional.empty();
    private volatile Optional<String> notReady = Optional.of("waiting for the lease: node node-1 has no podCIDR yet");
    private HealthServer server;

    @BeforeEach
    void start() throws IOException {
        HealthServer.Health health = new HealthServer.Health() {
            @Override
            public Optional<String> notLive() {
                return notLive;
            }

            @Override
            public Optional<String> notReady() {
                return notReady;
            }
        };
        server = HealthServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), health, metrics.registry());
    }

    @AfterEach
    void stop() {
        server.close();
        client.close();
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        HttpRequest request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path);
    }

    @Test
    void readyzSaysWhatTheAgentWaitsForUntilItIsReady() throws Exception {
        HttpResponse<String> waiting = get("/readyz");
        assertThat(waiting.statusCode()).isEqualTo(503);
        assertThat(waiting.body()).isEqualTo("waiting for the lease: node node-1 has no podCIDR yet\n");

        notReady = Optional.empty();

        HttpResponse<String> ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready\n");
    }

    @Test
    void healthzIsFineWhileNotReadyAndFailsWhenALoopDied() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);

        notLive = Optional.of("the netlink subscription stopped");

        HttpResponse<String> dead = get("/healthz");
        assertThat(dead.statusCode()).isEqualTo(503);
        assertThat(dead.body()).isEqualTo("the netlink subscription stopped\n");
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        metrics.reconciled(new ReconcileResult(3, 1, 2, 4, 1, Duration.ofMillis(2)));
        metrics.leaseRenewed();
        metrics.leaseRenewalFailed();
        CniHandler counted = metrics.counting(invocation -> invocation.environment().get("CNI_COMMAND").equals("ADD")
                ? new CniResponse(1, "{\"code\":100}".getBytes()) : CniResponse.success("{}"));
        counted.handle(new CniInvocation(Map.of("CNI_COMMAND", "VERSION"), new byte[0], "weft"));
        counted.handle(new CniInvocation(Map.of("CNI_COMMAND", "ADD"), new byte[0], "weft"));

        HttpResponse<String> scrape = get("/metrics");

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(scrape.body()).contains(
                "weft_peers{mode=\"vxlan\"} 4.0",
                "weft_peers{mode=\"direct\"} 1.0",
                "weft_reconcile_runs_total{result=\"ok\"} 1.0",
                "weft_reconcile_runs_total{result=\"error\"} 0.0",
                "weft_reconcile_changes_total{change=\"added\"} 3.0",
                "weft_reconcile_changes_total{change=\"deleted\"} 2.0",
                "weft_reconcile_duration_seconds_count 1",
                "weft_lease_renewals_total 1.0",
                "weft_lease_renewal_failures_total 1.0",
                "weft_cni_requests_total{command=\"ADD\",result=\"error\"} 1.0",
                "weft_cni_requests_total{command=\"VERSION\",result=\"ok\"} 1.0",
                "weft_cni_request_duration_seconds_count{command=\"ADD\"} 1",
                "weft_cni_request_duration_seconds_bucket{command=\"VERSION\",le=\"10.0\"} 1");
    }

    @Test
    void answersHeadWithoutBodyAndRefusesOtherMethodsAndPaths() throws Exception {
        HttpResponse<String> head = send("HEAD", "/healthz");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();

        HttpResponse<String> post = send("POST", "/readyz");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");

        assertThat(get("/healthzz").statusCode()).isEqualTo(404);
    }
}
