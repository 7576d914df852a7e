package io.weft.lab.topology;

import io.weft.lab.LabDown;
import io.weft.lab.LabOptions;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The topology made real in namespaces (no agents): who reaches whom, and which NIC carries the default route. */
class WiringTest {
    private static final String PREFIX = "wtest-" + ProcessHandle.current().pid() + "-wire";

    @TempDir
    Path dir;

    private final List<String> progress = new ArrayList<>();

    @AfterEach
    void removeEverything() throws Exception {
        new LabDown(dir.resolve("lab"), PREFIX, progress::add).down();
        assertThat(LabDown.namespacesOf(PREFIX)).isEmpty();
    }

    @Test
    void splitNodesReachEachOtherThroughTheRouterAndTheFabricAndDefaultToManagement() throws Exception {
        Topology topology = new Topology(PREFIX, new LabOptions(2, 0, LabOptions.Store.LOCAL, true, LabOptions.Subnets.SPLIT));
        new Wiring(topology, progress::add).build();

        assertThat(LabDown.namespacesOf(PREFIX)).containsExactlyInAnyOrder(PREFIX + "-fabric", PREFIX + "-router",
                PREFIX + "-node1", PREFIX + "-node2");
        try (NetNamespace node1 = NetNamespace.open(PREFIX + "-node1"); NetNamespace node2 = NetNamespace.open(PREFIX + "-node2");
             NetNamespace fabric = NetNamespace.open(PREFIX + "-fabric")) {
            JsonNode defaultRoute = Sandbox.ipJson(node1, "route", "show", "default");
            assertThat(defaultRoute.get(0).get("dev").asString()).isEqualTo("eth1");
            assertThat(defaultRoute.get(0).get("gateway").asString()).isEqualTo("10.201.0.254");
            assertThat(Sandbox.ipJson(node1, "route", "get", "10.200.2.1").get(0).get("dev").asString()).isEqualTo("eth0");
            assertThat(Sandbox.ipJson(node1, "-4", "addr", "show", "dev", "eth0").findValuesAsString("local")).containsExactly("10.200.1.1");

            assertThat(talk(node1, node2, "10.200.2.1")).isEqualTo("10.200.1.1");
            assertThat(talk(node2, fabric, "10.200.0.253")).as("etcd's address, from behind the router").isEqualTo("10.200.2.1");
            assertThat(talk(node1, node2, "10.201.0.2")).as("over the management network").isEqualTo("10.201.0.1");
        }
    }

    @Test
    void sameSubnetNodesShareTheSwitch() throws Exception {
        Topology topology = new Topology(PREFIX, new LabOptions(2, 0, LabOptions.Store.LOCAL, false, LabOptions.Subnets.SAME));
        new Wiring(topology, progress::add).build();

        assertThat(LabDown.namespacesOf(PREFIX)).hasSize(3);
        try (NetNamespace node1 = NetNamespace.open(PREFIX + "-node1"); NetNamespace node2 = NetNamespace.open(PREFIX + "-node2");
             NetNamespace fabric = NetNamespace.open(PREFIX + "-fabric")) {
            assertThat(Sandbox.ipJson(fabric, "link", "show", "master", "switch").findValuesAsString("ifname"))
                    .containsExactlyInAnyOrder("node1", "node2");
            assertThat(Sandbox.ipJson(node2, "route", "get", "10.200.0.1").get(0).has("gateway")).as("one hop, no router").isFalse();
            assertThat(talk(node2, node1, "10.200.0.1")).isEqualTo("10.200.0.2");
        }
    }

    /** A TCP connection from {@code client} to a listener in {@code server}; returns the source address the server saw. */
    private static String talk(NetNamespace client, NetNamespace server, String address) throws Exception {
        ServerSocket listener = server.call(() -> new ServerSocket(7100, 1, InetAddress.getByName(address)));
        try (listener) {
            CompletableFuture<String> heard = CompletableFuture.supplyAsync(() -> {
                try (Socket accepted = listener.accept(); InputStream in = accepted.getInputStream()) {
                    in.readAllBytes();
                    return accepted.getInetAddress().getHostAddress();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            client.run(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, 7100), 5_000);
                    try (OutputStream out = socket.getOutputStream()) {
                        out.write("hello".getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return heard.get(10, TimeUnit.SECONDS);
        }
    }
}
