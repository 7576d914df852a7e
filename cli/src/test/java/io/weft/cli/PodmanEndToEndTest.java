package io.weft.cli;

import io.weft.cni.CniInvocation;
import io.weft.cni.CniPlugin;
import io.weft.cni.CniResponse;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.ipam.Attachment;
import io.weft.cni.ipam.IpAllocator;
import io.weft.cni.ipam.Reservation;
import io.weft.cni.json.Json;
import io.weft.cni.server.CniServer;
import io.weft.cni.server.Forwarder;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The plugin under a real CNI client: podman 4.3 (libcni 1.1.2, spec 1.0.0) execs the static
 * forwarder that {@link CniInstaller} put in its plugin dir, the forwarder hands ADD and DEL to a
 * {@link CniServer} in this JVM, and the plugin attaches the containers to {@code cni0} in a node
 * namespace of the test's own. podman's VERSION calls (it validates the conflist each time it loads
 * it) carry no {@code socket} key, so they reach the installed {@code weft-java} instead. Nothing
 * outside the test's directory and namespaces is configured (see {@link Podman}).
 */
class PodmanEndToEndTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final String NETWORK = "weft";
    private static final IpPrefix SUBNET = IpPrefix.parse("10.42.1.1/24");
    private static final int PORT = 8080;
    private static final String GREETING = "hello from container a";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern INET = Pattern.compile("inet (\\S+)/");
    /** Where libcni 1.1 keeps each attachment's ADD result for DEL; podman offers no way to move it. */

    @TempDir
    Path dir;
    private Path dataDir;
    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private CniPlugin plugin;
    private CniServer server;
    private Podman podman;
    /** Every call podman made, with the plugin's answer. */
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    /**
     * One CNI call as the plugin saw and answered it, and the ports of {@code cni0} right after it
     * (the only moment a short-lived container's veth can be observed from outside).
     */
    private record Call(Map<String, String> environment, JsonNode config, CniResponse response, List<String> bridgePorts) {
        String command() {
            return environment.get("CNI_COMMAND");
        }

        String containerId() {
            return environment.get("CNI_CONTAINERID");
        }

        JsonNode result() {
            try {
                return JSON.readTree(response.stdout());
            } catch (JacksonException e) {
                throw new AssertionError("not JSON: " + response.stdoutText(), e);
            }
        }
    }

    @BeforeEach
    void startNodeAgentAndPodman() throws IOException {
        assumeTrue(Podman.executable().isPresent(), "podman is not on PATH (.ci/run installs podman, runc, busybox-static)");
        Optional<byte[]> forwarder = Forwarder.forThisArchitecture();
        assumeTrue(forwarder.isPresent(), "the C forwarder was not built (no gcc at build time): " + Forwarder.resourceName());

        Path subnetFile = dir.resolve("run/subnet.env");
        new SubnetEnv(IpPrefix.parse("10.42.0.0/16"), SUBNET, 1450, true).write(subnetFile);
        Path socket = dir.resolve("run/cni.sock");
        dataDir = dir.resolve("ipam");
        Path pluginDir = dir.resolve("cni/bin");
        Path networkConfigDir = dir.resolve("cni/net.d");
        new CniInstaller(testClassPath(), forwarder, false, line -> {})
                .install(pluginDir, networkConfigDir, NETWORK, new CniInstaller.PluginPaths(Optional.of(socket.toString()),
                        Optional.of(subnetFile.toString()), Optional.of(dataDir.toString())));

        node = sandbox.namespace();
        Sandbox.ip(node, "link", "set", "lo", "up");
        plugin = CniPlugin.forNamespace(node);
        server = CniServer.start(socket, this::recordCall);
        podman = Podman.inNode(dir.resolve("podman"), node, pluginDir, networkConfigDir);
    }

    /**
     * What {@code weft install} would install from a distribution, from this JVM and the test class
     * path instead: {@code weft-java} runs the plugin's current classes.
     */
    private Distribution testClassPath() throws IOException {
        List<Path> classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of).toList();
        return new Distribution(Path.of(System.getProperty("java.home"), "bin", "java"), classPath,
                Files.createDirectories(dir.resolve("lib")));
    }

    private CniResponse recordCall(CniInvocation invocation) {
        CniResponse response = plugin.handle(invocation);
        List<String> ports = Sandbox.ipJson(node, "link", "show", "master", "cni0").findValuesAsString("ifname");
        calls.add(new Call(invocation.environment(), JSON.readTree(invocation.stdin()), response, ports));
        return response;
    }

    @AfterEach
    void removeEverything() {
        List<String> podNamespaces = calls.stream().map(call -> call.environment().get("CNI_NETNS")).toList();
        List<String> containers = calls.stream().map(Call::containerId).distinct().toList();
        try {
            if (podman != null) {
                podman.removeAll();
            }
        } finally {
            try {
                if (server != null) {
                    server.close();
                }
            } finally {
                try {
                    if (plugin != null) {
                        plugin.close();
                    }
                } finally {
                    sandbox.close();
                }
            }
        }
        if (podman != null) {
            assertLeftNothing(podNamespaces, containers);
            podman.deleteFiles();
        }
    }

    private void assertLeftNothing(List<String> podNamespaces, List<String> containers) {
        assertThat(podman.processes()).as("podman, conmon or runc processes left").isEmpty();
        List<String> namespaces = NetNamespace.listNamed();
        assertThat(namespaces).as("network namespaces left").doesNotContain(node.name());
        assertThat(podNamespaces).as("pod namespaces left").noneMatch(path -> namespaces.contains(Path.of(path).getFileName().toString()));
        assertThat(lines(Path.of("/proc/self/mounts"))).as("mounts left").noneMatch(line -> line.contains(dir.toString()));
        assertThat(fileNames(Podman.LIBCNI_RESULTS)).as("libcni's cached results left").noneMatch(name -> containers.stream().anyMatch(name::contains));
    }

    @Test
    void twoContainersTalkOverTcpThroughTheBridgeAndRemovingThemReleasesTheirAddresses() {
        String a = podman.succeed(podmanRun(List.of("-d"), "while true; do echo '" + GREETING + "' | nc -l -p " + PORT + "; done"));
        InetAddress addressA = IpPrefix.parseAddress(podman.inspect(a, "{{(index .NetworkSettings.Networks \"" + NETWORK + "\").IPAddress}}"));
        long pidA = Long.parseLong(podman.inspect(a, "{{.State.Pid}}"));
        await("container a listening on " + PORT, () -> listening(pidA, PORT));

        Podman.Result client = podman.run(podmanRun(List.of("--rm"),
                "ip -4 -o addr show eth0 && nc " + addressA.getHostAddress() + " " + PORT));

        assertThat(client.exitCode()).as("container b: %s", client.stderr()).isZero();
        assertThat(client.stdout()).contains(GREETING);
        Matcher inet = INET.matcher(client.stdout());
        assertThat(inet.find()).as(client.stdout()).isTrue();
        InetAddress addressB = IpPrefix.parseAddress(inet.group(1));
        assertThat(List.of(addressA, addressB)).allMatch(SUBNET::contains).doesNotContain(SUBNET.address());
        assertThat(addressA).isNotEqualTo(addressB);

        List<Call> adds = calls.stream().filter(call -> call.command().equals("ADD")).toList();
        assertThat(adds).extracting(Call::containerId).hasSize(2).startsWith(a);
        String b = adds.get(1).containerId();
        assertThat(addressIn(adds.get(0))).isEqualTo(addressA);
        assertThat(addressIn(adds.get(1))).isEqualTo(addressB);
        assertThat(Sandbox.ipJson(node, "-d", "link", "show", "cni0").get(0).at("/linkinfo/info_kind").asString()).isEqualTo("bridge");
        for (Call add : adds) {
            assertThat(add.bridgePorts()).as("ports of cni0 after ADD of %s", add.containerId()).contains(hostVeth(add));
        }
        assertThat(bridgePorts()).as("ports of cni0 while only a runs").containsExactly(hostVeth(adds.get(0)));
        assertThat(reservations()).as("reservations once podman run --rm returned")
                .containsExactly(new Reservation(addressA, new Attachment(a, "eth0")));

        podman.succeed("rm", "--force", "--time", "0", a);

        assertThat(reservations()).as("reservations after podman rm -f").isEmpty();
        assertThat(Sandbox.ipJson(node, "link", "show", "type", "veth")).as("veths in the node namespace").isEmpty();
        assertThat(calls.stream().filter(call -> call.command().equals("DEL")).map(Call::containerId).distinct())
                .containsExactlyInAnyOrder(a, b);
        assertThat(calls).allSatisfy(call -> assertThat(call.response().exitCode()).as(call.response().stdoutText()).isZero());
    }

    /** {@code podman run OPTIONS --network weft … /bin/sh -c SCRIPT}. */
    private List<String> podmanRun(List<String> options, String script) {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(options);
        args.addAll(podman.runOptions(NETWORK));
        args.addAll(List.of("/bin/sh", "-c", script));
        return args;
    }

    private static InetAddress addressIn(Call add) {
        return IpPrefix.parse(add.result().get("ips").get(0).get("address").asString()).address();
    }

    private static String hostVeth(Call add) {
        return add.result().get("interfaces").get(1).get("name").asString();
    }

    private List<String> bridgePorts() {
        return Sandbox.ipJson(node, "link", "show", "master", "cni0").findValuesAsString("ifname");
    }

    private List<Reservation> reservations() {
        return new IpAllocator(dataDir.resolve(NETWORK), SUBNET).list();
    }

    /** Whether a TCP socket listens on {@code port} in the network namespace of process {@code pid} (busybox nc listens on ::). */
    private static boolean listening(long pid, int port) {
        String local = String.format(":%04X", port);
        return Stream.of("tcp", "tcp6").flatMap(table -> lines(Path.of("/proc", Long.toString(pid), "net", table)).stream().skip(1))
                .map(line -> line.strip().split("\\s+"))
                .anyMatch(fields -> fields[1].endsWith(local) && fields[3].equals("0A")); // TCP_LISTEN
    }

    private static List<String> fileNames(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
