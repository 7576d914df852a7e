package io.weft.lab.measure;

import io.weft.cni.json.Json;
import io.weft.netlink.ns.NetNamespace;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Throughput with iperf3: {@code iperf3 -s -1} in the server namespace, bound to the server address on
 * a port that was free there, and {@code iperf3 -c -J} in the client namespace, both started with
 * {@code nsenter --net=/run/netns/NAME}. The figure is the receiver's ({@code end.sum_received}).
 */
final class Iperf3 {
    private static final ObjectMapper JSON = Json.mapper();
    private static final Duration SERVER_START = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Beyond the test's own seconds: connecting, iperf3's parameter exchange, and its final report. */
    private static final Duration CLIENT_GRACE = Duration.ofSeconds(20);
    private static final String LISTEN = "0A"; // TCP_LISTEN in /proc/net/tcp's st column

    private Iperf3() {
    }

    static ThroughputResult measure(ThroughputPair pair, Duration duration) throws InterruptedException {
        long seconds = Math.max(1, (duration.toMillis() + 999) / 1000);
        Process server = null;
        Process client = null;
        try (NetNamespace serverNamespace = NetNamespace.open(pair.serverNetns());
             NetNamespace clientNamespace = NetNamespace.open(pair.clientNetns())) { // both exist before anything starts
            int port = freePort(serverNamespace, InetAddress.ofLiteral(pair.serverIp()));
            server = start(List.of("iperf3", "-s", "-1", "-B", pair.serverIp(), "-p", Integer.toString(port)), pair.serverNetns());
            CompletableFuture<String> serverOutput = readAsync(server.getInputStream());
            awaitListening(serverNamespace, port, server, serverOutput);
            client = start(List.of("iperf3", "-c", pair.serverIp(), "-p", Integer.toString(port),
                    "-t", Long.toString(seconds), "-J", "--connect-timeout", Long.toString(CONNECT_TIMEOUT.toMillis())),
                    pair.clientNetns());
            CompletableFuture<String> clientOutput = readAsync(client.getInputStream());
            if (!client.waitFor(seconds + CLIENT_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                client.destroyForcibly().waitFor();
                return new ThroughputResult.Failed(pair, Throughput.Tool.IPERF3,
                        "iperf3 -c did not finish within " + (seconds + CLIENT_GRACE.toSeconds()) + " s");
            }
            return result(pair, clientOutput.get(), client.exitValue());
        } catch (IOException | RuntimeException | ExecutionException e) {
            return new ThroughputResult.Failed(pair, Throughput.Tool.IPERF3, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            // neither outlives the measurement: the client would send for its seconds, the server wait for it
            if (client != null) {
                client.destroyForcibly();
            }
            if (server != null) {
                server.destroyForcibly();
            }
            throw e;
        } finally {
            stop(server);
        }
    }

    /** Reads iperf3's {@code -J} report: its error if it has one, else the receiver's sum. */
    static ThroughputResult result(ThroughputPair pair, String output, int exitCode) {
        JsonNode report;
        try {
            report = JSON.readTree(output);
        } catch (JacksonException e) {
            return new ThroughputResult.Failed(pair, Throughput.Tool.IPERF3,
                    "iperf3 -c exited " + exitCode + " without a JSON report: " + output.strip());
        }
        if (report == null || report.isMissingNode()) {
            return new ThroughputResult.Failed(pair, Throughput.Tool.IPERF3, "iperf3 -c exited " + exitCode + " and printed nothing");
        }
        if (report.hasNonNull("error")) {
            return new ThroughputResult.Failed(pair, Throughput.Tool.IPERF3, "iperf3: " + report.get("error").asString(""));
        }
        JsonNode received = report.path("end").path("sum_received");
        if (!received.path("bits_per_second").isNumber() || !received.path("bytes").isNumber() || !received.path("seconds").isNumber()) {
            return new ThroughputResult.Failed(pair, Throughput.Tool.IPERF3,
                    "iperf3 -c exited " + exitCode + " and its report has no end.sum_received {bytes, seconds, bits_per_second}");
        }
        return new ThroughputResult.Measured(pair, Throughput.Tool.IPERF3, received.get("bytes").asLong(),
                Duration.ofNanos(Math.round(received.get("seconds").asDouble() * 1e9)), received.get("bits_per_second").asDouble());
    }

    /** Whether {@code program --version} runs and exits 0. */
    static boolean runs(String program) {
        try {
            Process process = new ProcessBuilder(program, "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Process start(List<String> command, String netns) throws IOException {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + NetNamespace.NAMED_DIR.resolve(netns)));
        full.addAll(command);
        return new ProcessBuilder(full).redirectErrorStream(true).start();
    }

    /** A port nothing listens on at that address in that namespace, as the kernel picks ephemeral ones. */
    private static int freePort(NetNamespace namespace, InetAddress address) throws IOException {
        try (ServerSocketChannel probe = Sockets.serverIn(namespace, address, 0)) {
            return probe.socket().getLocalPort();
        }
    }

    /**
     * Waits until the server's socket listens, seen in the namespace's {@code /proc/net/tcp[6]}: iperf3
     * buffers its "listening" line when writing to a pipe, and a probe connection would be taken for its
     * one client.
     */
    private static void awaitListening(NetNamespace namespace, int port, Process server, CompletableFuture<String> output)
            throws IOException, InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + SERVER_START.toNanos();
        String localPort = String.format(Locale.ROOT, ":%04X", port);
        while (!namespace.call(() -> listens(localPort))) {
            if (!server.isAlive()) {
                throw new IOException("iperf3 -s exited " + server.exitValue() + ": " + output.get().strip());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("iperf3 -s did not listen on port " + port + " within " + SERVER_START.toSeconds() + " s");
            }
            Thread.sleep(10);
        }
    }

    /** Runs inside the namespace: {@code /proc/thread-self/net} is this thread's namespace's view. */
    private static boolean listens(String localPort) {
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc/thread-self/net", table);
            if (!Files.exists(file)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(file)) {
                    String[] fields = line.strip().split("\\s+");
                    if (fields.length > 3 && fields[1].endsWith(localPort) && fields[3].equals(LISTEN)) {
                        return true;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return false;
    }

    private static CompletableFuture<String> readAsync(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        });
        return text;
    }

    /** The server exits by itself after its one client; when the client never came, it is stopped. */
    private static void stop(Process server) {
        if (server == null) {
            return;
        }
        try {
            if (!server.waitFor(2, TimeUnit.SECONDS)) {
                server.destroy();
                if (!server.waitFor(2, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor();
                }
            }
        } catch (InterruptedException e) {
            server.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
