package io.weft.cni.server;

import io.weft.cni.CniHandler;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;
import io.weft.cni.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CniServerTest {
    private static final ObjectMapper JSON = Json.mapper();

    @TempDir
    Path dir;
    private final List<CniServer> servers = new ArrayList<>();

    @AfterEach
    void closeServers() {
        servers.forEach(CniServer::close);
    }

    private CniServer start(Path socket, CniHandler handler) throws IOException {
        CniServer server = CniServer.start(socket, handler);
        servers.add(server);
        return server;
    }

    /** One connection as the forwarder makes it: the frame, then the answer. */
    private static CniResponse exchange(Path socket, byte[] request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap(request));
            channel.shutdownOutput();
            return CniFrame.readResponse(Channels.newInputStream(channel));
        }
    }

    private static byte[] request(String command) {
        return CniFrame.encodeRequest(new CniInvocation(Map.of("CNI_COMMAND", command), "{}".getBytes(StandardCharsets.UTF_8), "weft"));
    }

    private static final CniHandler ECHO = invocation ->
            CniResponse.success(invocation.programName() + " " + invocation.environment().get("CNI_COMMAND"));

    private static JsonNode json(CniResponse response) throws IOException {
        return JSON.readTree(response.stdout());
    }

    @Test
    void answersARequestWithTheHandlersResponse() throws IOException {
        CniServer server = start(dir.resolve("cni.sock"), invocation -> new CniResponse(3, invocation.stdin()));
        byte[] stdin = "{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

        CniResponse response = exchange(server.socket(), CniFrame.encodeRequest(new CniInvocation(Map.of(), stdin, "weft")));

        assertThat(response.exitCode()).isEqualTo(3);
        assertThat(response.stdout()).isEqualTo(stdin);
    }

    @Test
    void createsTheDirectoryAndASocketOnlyRootMayUse() throws IOException {
        Path socket = dir.resolve("run/weft/cni.sock");

        start(socket, ECHO);

        assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void servesConnectionsConcurrentlyOnPlatformThreads() throws Exception {
        int clients = 8;
        CyclicBarrier allInFlight = new CyclicBarrier(clients);
        CniServer server = start(dir.resolve("cni.sock"), invocation -> {
            try {
                allInFlight.await(10, TimeUnit.SECONDS); // passes only if all requests are served at once
            } catch (Exception e) {
                return new CniResponse(1, e.toString().getBytes(StandardCharsets.UTF_8));
            }
            return CniResponse.success("virtual=" + Thread.currentThread().isVirtual());
        });

        List<Future<CniResponse>> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int i = 0; i < clients; i++) {
                responses.add(pool.submit(() -> exchange(server.socket(), request("ADD"))));
            }
        }

        for (Future<CniResponse> response : responses) {
            assertThat(response.get().exitCode()).isZero();
            assertThat(response.get().stdoutText()).isEqualTo("virtual=false");
        }
    }

    @Test
    void answersAMalformedFrameWithCode104AndGoesOn() throws IOException {
        CniServer server = start(dir.resolve("cni.sock"), ECHO);

        CniResponse garbage = exchange(server.socket(), "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] whole = request("ADD");
        CniResponse truncated = exchange(server.socket(), Arrays.copyOf(whole, whole.length - 1));
        CniResponse next = exchange(server.socket(), request("DEL"));

        assertThat(garbage.exitCode()).isEqualTo(1);
        assertThat(json(garbage).get("code").asInt()).isEqualTo(104);
        assertThat(json(garbage).get("details").asString()).isEqualTo("no WEFT magic");
        assertThat(json(garbage).get("cniVersion").asString()).isEqualTo("1.0.0");
        assertThat(json(truncated).get("code").asInt()).isEqualTo(104);
        assertThat(json(truncated).get("details").asString()).isEqualTo("truncated request frame");
        assertThat(next.exitCode()).isZero();
        assertThat(next.stdoutText()).isEqualTo("weft DEL");
    }

    @Test
    void answersAThrowingHandlerWithCode104() throws IOException {
        CniServer server = start(dir.resolve("cni.sock"), invocation -> {
            throw new IllegalStateException("bug");
        });

        CniResponse response = exchange(server.socket(), request("ADD"));

        assertThat(response.exitCode()).isEqualTo(1);
        assertThat(json(response).get("code").asInt()).isEqualTo(104);
        assertThat(json(response).get("details").asString()).isEqualTo("java.lang.IllegalStateException: bug");
    }

    @Test
    void answersAnUnframeableResponseWithCode104() throws IOException {
        CniServer server = start(dir.resolve("cni.sock"), invocation -> new CniResponse(300, new byte[0]));

        CniResponse response = exchange(server.socket(), request("ADD"));

        assertThat(json(response).get("details").asString()).isEqualTo("exit code 300 is outside 0..255");
    }

    @Test
    void replacesAStaleSocketFile() throws IOException {
        Path socket = dir.resolve("cni.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket)); // closing leaves the file behind, as a killed agent does
        }
        assertThat(socket).exists();

        start(socket, ECHO);

        assertThat(exchange(socket, request("VERSION")).stdoutText()).isEqualTo("weft VERSION");
    }

    @Test
    void refusesToTakeOverALiveServerOrAFileThatIsNotASocket() throws IOException {
        Path socket = dir.resolve("cni.sock");
        start(socket, ECHO);
        Path file = Files.writeString(dir.resolve("not-a-socket"), "keep me");

        assertThatThrownBy(() -> CniServer.start(socket, ECHO)).hasMessage("another server answers on " + socket);
        assertThatThrownBy(() -> CniServer.start(file, ECHO)).hasMessage(file + " exists and is not a socket; not replacing it");
        assertThat(exchange(socket, request("ADD")).stdoutText()).isEqualTo("weft ADD");
        assertThat(file).hasContent("keep me");
    }

    @Test
    void closeRemovesTheSocketFile() throws IOException {
        CniServer server = start(dir.resolve("cni.sock"), ECHO);

        server.close();

        assertThat(server.socket()).doesNotExist();
    }

    @Test
    void closesAConnectionWhoseRequestStallsAndGoesOn() throws IOException {
        CniServer server = CniServer.start(dir.resolve("cni.sock"), ECHO, Duration.ofMillis(300));
        servers.add(server);
        byte[] whole = request("ADD");

        try (SocketChannel stalled = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
            stalled.write(ByteBuffer.wrap(whole, 0, whole.length / 2));
            ByteBuffer answer = ByteBuffer.allocate(16);

            assertThat(stalled.read(answer)).as("the server closes the connection, answering nothing").isEqualTo(-1);
        }
        assertThat(new String(exchange(server.socket(), request("DEL")).stdout(), StandardCharsets.UTF_8)).isEqualTo("weft DEL");
    }

    @Test
    void leavesNoStagingDirectoryBehind() throws IOException {
        start(dir.resolve("cni.sock"), ECHO);

        try (var entries = Files.list(dir)) {
            assertThat(entries.map(path -> path.getFileName().toString())).containsExactly("cni.sock");
        }
    }
}
