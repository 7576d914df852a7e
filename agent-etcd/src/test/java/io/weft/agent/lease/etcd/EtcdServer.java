package io.weft.agent.lease.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real etcd for tests, on loopback ports nobody else uses, with a data directory of its own that
 * outlives {@link #stop} (so a restart finds its data) and is deleted by {@link #close}. Its log goes
 * to a file in that directory and is quoted when it fails to start.
 */
public final class EtcdServer implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/etcd");
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final Path directory;
    private final int clientPort;
    private final int peerPort;
    private final Thread killOnExit;
    private volatile Process process;

    private EtcdServer(Path directory, int clientPort, int peerPort) {
        this.directory = directory;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        // a JVM killed mid-test must not leave etcd running
        this.killOnExit = new Thread(() -> {
            if (process != null) {
                process.destroyForcibly();
            }
        });
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    public static EtcdServer start() throws IOException {
        int[] ports = freePorts();
        EtcdServer server = new EtcdServer(Files.createTempDirectory("weft-etcd-"), ports[0], ports[1]);
        try {
            server.restart();
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + clientPort);
    }

    /** Starts etcd again on the same data directory and ports; returns once it reports itself healthy. */
    public void restart() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("etcd is already running");
        }
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        process = new ProcessBuilder(List.of(BINARY.toString(),
                "--name", "weft-test",
                "--data-dir", directory.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "weft-test=" + peer,
                "--logger=zap", "--log-outputs=stderr"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                .start();
        awaitHealthy();
    }

    /** Kills etcd (SIGKILL, as a crash would), keeping its data. */
    public void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitHealthy() throws IOException {
        URI health = URI.create(endpoint() + "/health");
        Instant deadline = Instant.now().plus(STARTUP);
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (Instant.now().isBefore(deadline)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("etcd exited with " + process.exitValue() + ":\n" + logTail());
                }
                try {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() == 200 && answer.body().contains("\"health\":\"true\"")) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for etcd", e);
        }
        throw new IllegalStateException("etcd not healthy within " + STARTUP.toSeconds() + " s:\n" + logTail());
    }

    private Path log() {
        return directory.resolve("etcd.log");
    }

    private String logTail() throws IOException {
        List<String> lines = Files.readAllLines(log());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static int[] freePorts() throws IOException {
        try (ServerSocket first = new ServerSocket(0); ServerSocket second = new ServerSocket(0)) {
            return new int[] {first.getLocalPort(), second.getLocalPort()};
        }
    }

    @Override
    public void close() {
        stop();
        Runtime.getRuntime().removeShutdownHook(killOnExit);
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
