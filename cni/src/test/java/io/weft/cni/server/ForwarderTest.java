package io.weft.cni.server;

import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;
import io.weft.cni.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real static forwarder, run as a runtime runs it, against a {@link CniServer} in this JVM. */
class ForwarderTest {
    private static final ObjectMapper JSON = Json.mapper();
    /** A thread per task: the common pool may have a single worker, and these tasks block. */
    private static final Executor THREADS = task -> Thread.ofVirtual().start(task);
    private static final Map<String, String> CNI_ENV = Map.of(
            "CNI_COMMAND", "ADD",
            "CNI_CONTAINERID", "c0ffee",
            "CNI_NETNS", "/run/netns/pod-1",
            "CNI_IFNAME", "eth0",
            "CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=a b",
            "CNI_PATH", "/opt/cni/bin");

    @TempDir
    Path dir;
    private Path weft;
    private Path socket;
    private final List<CniInvocation> received = new ArrayList<>();
    private CniServer server;

    private record Run(int exitCode, byte[] stdout, String stderr) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        JsonNode error() throws IOException {
            return JSON.readTree(stdout);
        }
    }

    @BeforeEach
    void installForwarder() throws IOException {
        var binary = Forwarder.forThisArchitecture();
        assumeTrue(binary.isPresent(), "the C forwarder was not built (no gcc at build time): " + Forwarder.resourceName());
        weft = dir.resolve("bin/weft");
        Files.createDirectories(weft.getParent());
        Files.write(weft, binary.get());
        Files.setPosixFilePermissions(weft, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(weft.resolveSibling("loopback"), Path.of("weft"));
        socket = dir.resolve("agent.sock");
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** An agent that records each invocation and echoes its stdin, with the exit code the test asks for. */
    private void startEchoAgent(int exitCode) throws IOException {
        server = CniServer.start(socket, invocation -> {
            synchronized (received) {
                received.add(invocation);
            }
            return new CniResponse(exitCode, invocation.stdin());
        });
    }

    private static Run run(Path program, Map<String, String> env, byte[] stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException refused) {
                // the forwarder stops reading an oversized stdin
            }
        }, THREADS);
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()), THREADS);
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()), THREADS);
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(program + " did not finish within 10 s");
        }
        feeding.join();
        return new Run(process.exitValue(), stdout.join(), new String(stderr.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] config(String socketKey) {
        return ("{\"cniVersion\":\"0.4.0\",\"name\":\"weft\",\"type\":\"weft\",\n  " + socketKey + "}").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] config() {
        return config("\"socket\" : \"" + socket + "\"");
    }

    private static Map<String, String> withNonCniVariables(Map<String, String> cni) {
        Map<String, String> env = new LinkedHashMap<>(cni);
        env.put("HOME", "/root");
        env.put("CNIX", "no underscore");
        env.put("cni_command", "lower case");
        return env;
    }

    @Test
    void forwardsOnlyTheCniEnvironmentTheStdinAndTheProgramNameAndReturnsTheAnswer() throws Exception {
        startEchoAgent(3);
        byte[] stdin = config();

        Run run = run(weft, withNonCniVariables(CNI_ENV), stdin);

        assertThat(received).hasSize(1);
        CniInvocation invocation = received.getFirst();
        assertThat(invocation.environment()).isEqualTo(CNI_ENV);
        assertThat(invocation.stdin()).isEqualTo(stdin);
        assertThat(invocation.programName()).isEqualTo("weft");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stdout()).isEqualTo(stdin);
    }

    @Test
    void answersAsLoopbackWhenRunUnderThatName() throws Exception {
        startEchoAgent(0);

        Run run = run(weft.resolveSibling("loopback"), CNI_ENV, config());

        assertThat(run.exitCode()).isZero();
        assertThat(received).extracting(CniInvocation::programName).containsExactly("loopback");
    }

    @Test
    void copiesTheAnswerByteForByte() throws Exception {
        server = CniServer.start(socket, invocation -> new CniResponse(0, new byte[] {0, (byte) 0xff, '\n'}));

        Run run = run(weft, CNI_ENV, config());

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).containsExactly(0, 0xff, '\n');
    }

    @Test
    void execsWeftJavaBesideItWithTheSameArgvEnvironmentAndStdinWhenTheSocketIsAbsent() throws Exception {
        writeWeftJavaDouble();
        byte[] stdin = config(("\"padding\":\"" + "x".repeat(300_000) + "\",\"socket\":\"" + socket + "\""));

        Run asWeft = run(weft, withNonCniVariables(CNI_ENV), stdin, "one", "two words");
        Run asLoopback = run(weft.resolveSibling("loopback"), CNI_ENV, stdin);

        assertThat(asWeft.exitCode()).isEqualTo(5);
        String out = asWeft.stdoutText();
        assertThat(out).startsWith("args=[one][two words]\nprogram=weft\n");
        assertThat(out).contains("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=a b\n", "CNI_COMMAND=ADD\n", "CNI_IFNAME=eth0\n",
                "HOME=/root\n", "CNIX=no underscore\n");
        assertThat(out).endsWith("stdin:" + new String(stdin, StandardCharsets.UTF_8));
        assertThat(asLoopback.stdoutText()).contains("program=loopback\n");
    }

    @Test
    void execsWeftJavaWhenTheSocketRefuses() throws Exception {
        writeWeftJavaDouble();
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket)); // the file stays: connecting is refused
        }

        Run run = run(weft, CNI_ENV, config());

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.stdoutText()).contains("program=weft\n").endsWith("stdin:" + new String(config(), StandardCharsets.UTF_8));
    }

    @Test
    void namesTheMissingJavaPluginWhenNeitherPathWorks() throws Exception {
        Run run = run(weft, CNI_ENV, config());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.error().get("code").asInt()).isEqualTo(104);
        assertThat(run.error().get("cniVersion").asString()).isEqualTo("0.4.0");
        assertThat(run.error().get("msg").asString()).isEqualTo("weft forwarder: agent socket " + socket + " absent and "
                + weft.toRealPath().resolveSibling("weft-java") + " cannot run: No such file or directory");
    }

    @Test
    void refusesStdinLargerThanOneMebibyte() throws Exception {
        startEchoAgent(0);
        byte[] stdin = new byte[CniFrame.MAX_STDIN + 1];
        byte[] config = config();
        System.arraycopy(config, 0, stdin, 0, config.length);

        Run run = run(weft, CNI_ENV, stdin);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.error().get("code").asInt()).isEqualTo(104);
        assertThat(run.error().get("msg").asString()).isEqualTo("weft forwarder: stdin is larger than 1 MiB");
        assertThat(received).isEmpty();
    }

    @Test
    void refusesASocketValueItCannotReadWithoutGuessing() throws Exception {
        Run escaped = run(weft, CNI_ENV, config("\"socket\":\"/run/we\\\"ft.sock\""));
        Run relative = run(weft, CNI_ENV, config("\"socket\":\"cni.sock\""));

        for (Run run : List.of(escaped, relative)) {
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.error().get("msg").asString())
                    .isEqualTo("weft forwarder: the \"socket\" value must be an absolute path of at most 107 bytes without escapes");
        }
    }

    @Test
    void ignoresSocketPathKeysAndSocketAsAValue() throws Exception {
        startEchoAgent(0);
        byte[] stdin = config("\"prevResult\":{\"interfaces\":[{\"socketPath\":\"/elsewhere\"}]},\"x\":\"socket\",\"socket\":\"" + socket + "\"");

        Run run = run(weft, CNI_ENV, stdin);

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo(stdin);
    }

    @Test
    void reportsAnAgentThatClosesWithoutAnswering() throws Exception {
        try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            agent.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<Void> hangUp = CompletableFuture.runAsync(() -> {
                try (SocketChannel client = agent.accept()) {
                    CniFrame.readRequest(Channels.newInputStream(client)); // the whole request, then no answer
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);

            Run run = run(weft, CNI_ENV, config());
            hangUp.join();

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.error().get("msg").asString())
                    .isEqualTo("weft forwarder: agent socket " + socket + ": the agent closed the connection before a whole answer");
        }
    }

    /** A stand-in for the Java plugin: prints its argv, program name, environment and stdin, exits 5. */
    private void writeWeftJavaDouble() throws IOException {
        Path double_ = weft.resolveSibling("weft-java");
        Files.writeString(double_, """
                #!/bin/sh
                printf 'args='; for a in "$@"; do printf '[%s]' "$a"; done; echo
                echo "program=$WEFT_CNI_PROGRAM"
                env | grep -v -e '^WEFT_CNI_PROGRAM=' -e '^PWD=' -e '^SHLVL=' -e '^_=' | sort
                printf 'stdin:'; cat
                exit 5
                """);
        Files.setPosixFilePermissions(double_, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
