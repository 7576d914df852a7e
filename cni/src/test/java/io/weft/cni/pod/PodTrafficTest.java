package io.weft.cni.pod;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two pods on one node's bridge talk over TCP, each socket opened inside its pod's namespace. */
class PodTrafficTest {
    private static final int PORT = 8080;

    @RegisterExtension
    final PodNetworkFixture fixture = new PodNetworkFixture("10.42.1.1/24");
    private final ExecutorService threads = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().factory());

    @AfterEach
    void cleanUp() {
        threads.shutdownNow();
    }

    @Test
    void twoPodsOnOneBridgeReachEachOtherOverTcp() throws Exception {
        NetNamespace server = fixture.sandbox.namespace();
        NetNamespace client = fixture.sandbox.namespace();
        InetAddress serverAddress = address(fixture.attach("server", server).get("ips").get(0).get("address").asString());
        InetAddress clientAddress = address(fixture.attach("client", client).get("ips").get(0).get("address").asString());
        CountDownLatch listening = new CountDownLatch(1);

        Future<String> served = threads.submit(() -> server.call(() -> {
            try (ServerSocket listener = new ServerSocket()) {
                listener.bind(new InetSocketAddress(serverAddress, PORT));
                listening.countDown();
                listener.setSoTimeout(10_000);
                try (Socket connection = listener.accept()) {
                    String greeting = new DataInputStream(connection.getInputStream()).readUTF();
                    new DataOutputStream(connection.getOutputStream()).writeUTF("hello " + greeting);
                    return connection.getInetAddress().getHostAddress();
                }
            }
        }));
        assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();
        String answer = threads.submit(() -> client.call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(serverAddress, PORT), 10_000);
                socket.setSoTimeout(10_000);
                new DataOutputStream(socket.getOutputStream()).writeUTF("from the client pod");
                return new DataInputStream(socket.getInputStream()).readUTF();
            }
        })).get(20, TimeUnit.SECONDS);

        assertThat(answer).isEqualTo("hello from the client pod");
        assertThat(served.get(20, TimeUnit.SECONDS)).isEqualTo(clientAddress.getHostAddress());
    }

    private static InetAddress address(String prefix) {
        return IpPrefix.parse(prefix).address();
    }
}
