package io.weft.agent.overlay;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.weft.netlink.IpPrefix.parseAddress;
import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnderlayTest {
    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private Netlink netlink;
    private int index;

    @BeforeEach
    void createInterface() {
        node = sandbox.namespace();
        netlink = Netlink.open(node);
        index = netlink.links().add(LinkSpec.veth("eth0", "eth0p", null).withMtu(9000)).index();
        ip(node, "link", "set", "eth0p", "up");
        ip(node, "link", "set", "eth0", "up"); // which gives it an IPv6 link-local address
    }

    @AfterEach
    void cleanUp() {
        netlink.close();
        sandbox.close();
    }

    @Test
    void readsIndexMtuPrimaryIpv4AddressAndConnectedSubnets() {
        ip(node, "addr", "add", "192.0.2.1/24", "dev", "eth0");
        ip(node, "addr", "add", "192.0.2.9/24", "dev", "eth0");
        ip(node, "addr", "add", "203.0.113.5/28", "dev", "eth0");
        ip(node, "addr", "add", "2001:db8::1/64", "dev", "eth0", "nodad");

        Underlay underlay = Underlay.of(netlink, "eth0");

        assertThat(underlay.name()).isEqualTo("eth0");
        assertThat(underlay.index()).isEqualTo(index);
        assertThat(underlay.mtu()).isEqualTo(9000);
        assertThat(underlay.address()).isEqualTo(parseAddress("192.0.2.1"));
        assertThat(underlay.connected()).as("link-local fe80::/64 left out").containsExactlyInAnyOrder(
                IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("203.0.113.0/28"), IpPrefix.parse("2001:db8::/64"));
        assertThat(underlay.vxlanMtu()).isEqualTo(8950);
    }

    @Test
    void connectsPeersOnItsSubnetsOnly() {
        ip(node, "addr", "add", "192.0.2.1/24", "dev", "eth0");

        Underlay underlay = Underlay.of(netlink, "eth0");

        assertThat(underlay.connects(parseAddress("192.0.2.200"))).isTrue();
        assertThat(underlay.connects(parseAddress("198.51.100.2"))).isFalse();
        assertThat(underlay.connects(parseAddress("fe80::1"))).isFalse();
    }

    @Test
    void sendsFromAGlobalIpv6AddressWhenThereIsNoIpv4OneAndLeavesRoomForItsLargerHeader() {
        ip(node, "addr", "add", "2001:db8::1/64", "dev", "eth0", "nodad");

        Underlay underlay = Underlay.of(netlink, "eth0");

        assertThat(underlay.address()).isEqualTo(parseAddress("2001:db8::1"));
        assertThat(underlay.vxlanMtu()).isEqualTo(9000 - 70);
    }

    @Test
    void sendsFromAGivenAddressOfItsOwn() {
        ip(node, "addr", "add", "192.0.2.1/24", "dev", "eth0");
        ip(node, "addr", "add", "203.0.113.5/28", "dev", "eth0");

        Underlay underlay = Underlay.of(netlink, "eth0", parseAddress("203.0.113.5"));

        assertThat(underlay.address()).isEqualTo(parseAddress("203.0.113.5"));
        assertThat(underlay.connected()).hasSize(2);
    }

    @Test
    void refusesAnAddressTheInterfaceDoesNotHave() {
        ip(node, "addr", "add", "192.0.2.1/24", "dev", "eth0");

        assertThatThrownBy(() -> Underlay.of(netlink, "eth0", parseAddress("192.0.2.2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("underlay interface eth0 does not have address 192.0.2.2");
    }

    @Test
    void refusesAnInterfaceWithoutAGlobalAddress() {
        assertThatThrownBy(() -> Underlay.of(netlink, "eth0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("underlay interface eth0 has no global IP address");
    }

    @Test
    void namesAnInterfaceThatDoesNotExist() {
        assertThatThrownBy(() -> Underlay.of(netlink, "eth9"))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("ENODEV"))
                .hasMessageContaining("eth9");
    }
}
