package io.weft.agent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The agent's HTTP endpoints, on the JDK's own server: {@code /healthz} (200 while the agent's loops
 * run; a liveness probe restarts it otherwise), {@code /readyz} (200 once the node can take pods; 503
 * with the reason until then) and {@code /metrics} (Prometheus text format). GET and HEAD only.
 */
public final class HealthServer implements AutoCloseable {
    private static final String TEXT = "text/plain; charset=utf-8";

    /** What the endpoints report. */
    public interface Health {
        /** Why the agent is not live (a loop of its died), or empty while it is. */
        Optional<String> notLive();

        /** Why the agent is not ready (what it is still waiting for), or empty once it is. */
        Optional<String> notReady();
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Health health;
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter metricsWriter = PrometheusTextFormatWriter.create();

    private HealthServer(HttpServer server, Health health, PrometheusRegistry registry) {
        this.server = server;
        this.health = health;
        this.registry = registry;
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::serve);
    }

    /** Listens on {@code address} (port 0: any free port, see {@link #address}). */
    public static HealthServer start(InetSocketAddress address, Health health, PrometheusRegistry registry) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + address + " for /healthz, /readyz and /metrics: " + e.getMessage(), e);
        }
        HealthServer endpoints = new HealthServer(server, health, registry);
        server.start();
        return endpoints;
    }

    /** Where it listens, with the port the kernel chose. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, TEXT, "only GET and HEAD\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/healthz" -> respond(exchange, health.notLive(), "ok\n");
                case "/readyz" -> respond(exchange, health.notReady(), "ready\n");
                case "/metrics" -> {
                    var body = new ByteArrayOutputStream();
                    metricsWriter.write(body, registry.scrape());
                    respond(exchange, 200, PrometheusTextFormatWriter.CONTENT_TYPE, body.toByteArray());
                }
                default -> respond(exchange, 404, TEXT, "not found: try /healthz, /readyz or /metrics\n");
            }
        }
    }

    private static void respond(HttpExchange exchange, Optional<String> problem, String fine) throws IOException {
        if (problem.isPresent()) {
            respond(exchange, 503, TEXT, problem.get() + "\n");
        } else {
            respond(exchange, 200, TEXT, fine);
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        respond(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops listening at once; a scrape in flight is cut. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
