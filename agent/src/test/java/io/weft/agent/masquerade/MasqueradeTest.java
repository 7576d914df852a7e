package io.weft.agent.masquerade;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The table in a node namespace, observed with {@code nft list} and with traffic: two pods on the node
 * (10.42.1.2, 10.42.2.2) and an "outside" namespace at 192.168.50.2 on the node's eth0 (192.168.50.1),
 * which has no route back to the pods.
 */
class MasqueradeTest {
    private static final IpPrefix PODS = IpPrefix.parse("10.42.0.0/16");

    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private Nft nft;

    @BeforeEach
    void node() {
        node = sandbox.namespace();
        nft = Nft.in(node);
    }

    @AfterEach
    void cleanUp() {
        sandbox.close();
    }

    private String listTable() {
        return Sandbox.run(List.of("ip", "netns", "exec", node.name(), "nft", "list", "table", "ip", "weft"));
    }

    private List<String> tables() {
        return Sandbox.run(List.of("ip", "netns", "exec", node.name(), "nft", "list", "tables")).lines().map(String::strip).toList();
    }

    private static List<String> rules(String listing) {
        return listing.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    @Test
    void appliesTheTableWithPodTrafficLeftAloneAndTheRestMasqueraded() {
        new Masquerade(nft, PODS).apply();

        assertThat(rules(listTable())).containsSubsequence(
                "chain postrouting {",
                "type nat hook postrouting priority srcnat; policy accept;",
                "meta mark & 0x00004000 == 0x00004000 return comment \"kube-proxy masquerades what it marked\"",
                "ip saddr 10.42.0.0/16 ip daddr 10.42.0.0/16 return comment \"pod to pod\"",
                "ip saddr 10.42.0.0/16 ip daddr 224.0.0.0/4 return comment \"multicast\"",
                "ip saddr 10.42.0.0/16 masquerade fully-random comment \"pod to outside\"",
                "chain forward {",
                "type filter hook forward priority filter; policy accept;",
                "ip saddr 10.42.0.0/16 accept",
                "ip daddr 10.42.0.0/16 accept");
    }

    @Test
    void applyingAgainReplacesRatherThanAdds() {
        Masquerade masquerade = new Masquerade(nft, PODS);
        masquerade.apply();
        String once = listTable();

        masquerade.apply();

        assertThat(listTable()).isEqualTo(once);
        assertThat(tables()).containsExactly("table ip weft");
    }

    @Test
    void ensureRestoresATableChangedOrDeletedByHand() {
        Masquerade masquerade = new Masquerade(nft, PODS);
        masquerade.apply();
        String applied = listTable();
        assertThat(masquerade.ensure()).isFalse();

        Sandbox.run(List.of("ip", "netns", "exec", node.name(), "nft", "flush", "chain", "ip", "weft", "postrouting"));
        assertThat(masquerade.ensure()).isTrue();
        assertThat(listTable()).isEqualTo(applied);

        Sandbox.run(List.of("ip", "netns", "exec", node.name(), "nft", "delete", "table", "ip", "weft"));
        assertThat(masquerade.ensure()).isTrue();
        assertThat(listTable()).isEqualTo(applied);
        assertThat(masquerade.ensure()).isFalse();
    }

    @Test
    void checkTouchesNothing() {
        new Masquerade(nft, PODS).check();

        assertThat(tables()).isEmpty();
    }

    @Test
    void removeDeletesTheTableAndIsHarmlessWhenItIsGone() {
        new Masquerade(nft, PODS).apply();

        Masquerade.remove(nft);
        Masquerade.remove(nft);

        assertThat(tables()).isEmpty();
    }

    @Test
    void aMissingNftIsReportedWithItsCommandLine() {
        Nft missing = new Nft(List.of("/nonexistent/nft"));

        assertThatThrownBy(() -> new Masquerade(missing, PODS).check())
                .isInstanceOf(Nft.NftException.class)
                .hasMessageStartingWith("/nonexistent/nft --check -f - cannot be run");
    }

    @Test
    void podReachesTheOutsideAsTheNodeAndOtherPodsAsItself() throws Exception {
        NetNamespace outside = sandbox.namespace();
        NetNamespace pod1 = sandbox.namespace();
        NetNamespace pod2 = sandbox.namespace();
        try (Netlink nodeLinks = Netlink.open(node)) {
            link(nodeLinks, "eth0", outside, "192.168.50.1/24", "192.168.50.2/24", null);
            link(nodeLinks, "vpod1", pod1, "10.42.1.1/24", "10.42.1.2/24", "10.42.1.1");
            link(nodeLinks, "vpod2", pod2, "10.42.2.1/24", "10.42.2.2/24", "10.42.2.1");
        }
        node.sysctl().set("net.ipv4.ip_forward", "1");
        new Masquerade(nft, PODS).apply();

        assertThat(peerSeenBy(outside, "192.168.50.2", pod1)).isEqualTo(IpPrefix.parseAddress("192.168.50.1"));
        assertThat(peerSeenBy(pod2, "10.42.2.2", pod1)).isEqualTo(IpPrefix.parseAddress("10.42.1.2"));
    }

    /** A veth from the node into {@code far}, addressed on both ends, the far end routing by default via {@code gateway}. */
    private static void link(Netlink nodeLinks, String name, NetNamespace far, String nodeAddress, String farAddress, String gateway) {
        nodeLinks.links().add(LinkSpec.veth(name, "eth0", far));
        nodeLinks.addresses().add(nodeLinks.links().get(name).index(), IpPrefix.parse(nodeAddress));
        nodeLinks.links().setUp(name);
        try (Netlink farLinks = Netlink.open(far)) {
            farLinks.links().setUp("lo");
            int eth0 = farLinks.links().get("eth0").index();
            farLinks.addresses().add(eth0, IpPrefix.parse(farAddress));
            farLinks.links().setUp("eth0");
            if (gateway != null) {
                farLinks.routes().add(Route.to(IpPrefix.parse("0.0.0.0/0")).via(IpPrefix.parseAddress(gateway)));
            }
        }
    }

    /** Connects from {@code client}'s namespace to a server listening in {@code server}'s; returns the source address it saw. */
    private static InetAddress peerSeenBy(NetNamespace server, String serverAddress, NetNamespace client) throws IOException {
        InetAddress address = IpPrefix.parseAddress(serverAddress);
        try (ServerSocket listener = server.call(() -> new ServerSocket(0, 1, address))) {
            listener.setSoTimeout(10_000);
            InetSocketAddress target = new InetSocketAddress(address, listener.getLocalPort());
            try (Socket connected = client.call(() -> connect(target)); Socket accepted = listener.accept()) {
                assertThat(connected.isConnected()).isTrue();
                return accepted.getInetAddress();
            }
        }
    }

    private static Socket connect(InetSocketAddress target) {
        Socket socket = new Socket();
        try {
            socket.connect(target, 10_000);
            return socket;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the connect failure is what matters
            }
            throw new UncheckedIOException("connecting to " + target, e);
        }
    }
}
