package io.weft.netlink.packet;

import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static io.weft.netlink.sys.Kernel.ETH_P_ARP;
import static io.weft.netlink.sys.Kernel.ETH_P_IP;
import static io.weft.netlink.sys.Kernel.PACKET_HOST;
import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two namespaces joined by a veth; a packet socket on one end sees what crosses it, both ways. */
class PacketSocketTest {
    private static final byte[] PAYLOAD = "packet socket test".getBytes(StandardCharsets.UTF_8);

    private final Sandbox sandbox = new Sandbox();
    private NetNamespace left;
    private NetNamespace right;
    private int leftIndex;

    @BeforeEach
    void joinTwoNamespaces() {
        left = sandbox.namespace();
        right = sandbox.namespace();
        try (Netlink netlink = Netlink.open(left)) {
            leftIndex = netlink.links().add(LinkSpec.veth("v0", "v1", right)).index();
        }
        ip(left, "addr", "add", "192.0.2.1/24", "dev", "v0");
        ip(left, "link", "set", "v0", "up");
        ip(right, "addr", "add", "192.0.2.2/24", "dev", "v1");
        ip(right, "link", "set", "v1", "up");
    }

    @AfterEach
    void cleanUp() {
        sandbox.close();
    }

    @Test
    void capturesTheArpExchangeAndTheDatagramCrossingAnInterface() {
        List<PacketSocket.Frame> frames = new ArrayList<>();
        try (PacketSocket socket = left.call(() -> PacketSocket.open(leftIndex, Duration.ofMillis(200)))) {
            left.run(() -> {
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("192.0.2.1", 0))) {
                    udp.send(new DatagramPacket(PAYLOAD, PAYLOAD.length, new InetSocketAddress("192.0.2.2", 9)));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (Optional<PacketSocket.Frame> frame = socket.receive(); frame.isPresent(); frame = socket.receive()) {
                frames.add(frame.get());
            }
        }

        assertThat(frames).allMatch(frame -> frame.ifindex() == leftIndex);
        assertThat(frames).as("who-has 192.0.2.2, sent").anyMatch(frame -> frame.protocol() == ETH_P_ARP && frame.outgoing());
        assertThat(frames).as("192.0.2.2 is-at, received")
                .anyMatch(frame -> frame.protocol() == ETH_P_ARP && frame.packetType() == PACKET_HOST);
        assertThat(frames).as("the datagram, sent, Ethernet header and all")
                .anyMatch(frame -> frame.protocol() == ETH_P_IP && frame.outgoing() && endsWith(frame.bytes(), PAYLOAD)
                        && Arrays.equals(Arrays.copyOfRange(frame.bytes(), 12, 14), HexFormat.of().parseHex("0800")));
    }

    @Test
    void receiveReturnsEmptyOnceTheTimeoutPassesWithoutAFrame() {
        left.sysctl().set("net.ipv6.conf.v0.disable_ipv6", "1"); // no neighbour discovery or MLD reports from v0
        ip(right, "link", "set", "v1", "down"); // and v0 loses its carrier: nothing crosses it
        try (PacketSocket socket = left.call(() -> PacketSocket.open(leftIndex, Duration.ofMillis(20)))) {
            assertThat(socket.receive()).isEmpty();
        }
    }

    @Test
    void reportsAnInterfaceThatIsDownAsEnetdown() {
        ip(left, "link", "set", "v0", "down");
        try (PacketSocket socket = left.call(() -> PacketSocket.open(leftIndex, Duration.ofMillis(20)))) {
            assertThatThrownBy(socket::receive).hasMessageContaining("ENETDOWN");
        }
    }

    @Test
    void refusesAnInterfaceIndexThatIsNotOne() {
        assertThatThrownBy(() -> PacketSocket.open(0, Duration.ofMillis(20)))
                .hasMessage("a packet socket needs an interface index, not 0");
        assertThatThrownBy(() -> left.call(() -> PacketSocket.open(leftIndex + 100, Duration.ofMillis(20))))
                .hasMessageContaining("bind").hasMessageContaining("ENODEV");
    }

    private static boolean endsWith(byte[] bytes, byte[] suffix) {
        return bytes.length >= suffix.length
                && Arrays.equals(Arrays.copyOfRange(bytes, bytes.length - suffix.length, bytes.length), suffix);
    }
}
