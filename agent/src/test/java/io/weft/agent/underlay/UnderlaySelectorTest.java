package io.weft.agent.underlay;

import io.weft.agent.ConfigException;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Underlay selection in a node namespace whose "physical" interfaces are veths into a fabric namespace. */
class UnderlaySelectorTest {
    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private NetNamespace fabric;
    private Netlink netlink;
    private Netlink fabricNetlink;

    @BeforeEach
    void nodeWithTwoInterfaces() {
        node = sandbox.namespace();
        fabric = sandbox.namespace();
        netlink = Netlink.open(node);
        fabricNetlink = Netlink.open(fabric);
        netlink.links().setUp("lo");
        nic("eth0", "192.168.77.1/24", 1500);
        nic("eth1", "10.9.0.1/24", 1400);
    }

    @AfterEach
    void cleanUp() {
        netlink.close();
        fabricNetlink.close();
        sandbox.close();
    }

    /** A stand-in NIC: a veth whose other end is up in the fabric, so the link has carrier. */
    private void nic(String name, String address, int mtu) {
        netlink.links().add(LinkSpec.veth(name, "f-" + name, fabric).withMtu(mtu));
        fabricNetlink.links().setUp("f-" + name);
        netlink.links().setUp(name);
        if (address != null) {
            netlink.addresses().add(netlink.links().get(name).index(), IpPrefix.parse(address));
        }
    }

    private UnderlayInterface select(UnderlayCriteria criteria) {
        return new UnderlaySelector(netlink).select(criteria);
    }

    private static UnderlayCriteria ifaces(String... ifaces) {
        return new UnderlayCriteria(List.of(ifaces), List.of(), Optional.empty());
    }

    private static UnderlayCriteria regexes(String... regexes) {
        return new UnderlayCriteria(List.of(), UnderlayCriteria.compile(List.of(regexes)), Optional.empty());
    }

    private static UnderlayCriteria canReach(String address) {
        return new UnderlayCriteria(List.of(), List.of(), Optional.of(IpPrefix.parseAddress(address)));
    }

    @Test
    void choosesTheInterfaceOfTheDefaultRoute() {
        netlink.routes().add(Route.to(IpPrefix.parse("0.0.0.0/0")).via(IpPrefix.parseAddress("10.9.0.254")));

        UnderlayInterface underlay = select(UnderlayCriteria.defaultRoute());

        int eth1 = ipJson(node, "link", "show", "dev", "eth1").get(0).get("ifindex").asInt();
        assertThat(underlay).isEqualTo(new UnderlayInterface("eth1", eth1, IpPrefix.parse("10.9.0.1/24"), 1400,
                "the default route via 10.9.0.254 leaves through it"));
    }

    @Test
    void prefersTheDefaultRouteWithTheLowestMetric() {
        netlink.routes().add(Route.to(IpPrefix.parse("0.0.0.0/0")).via(IpPrefix.parseAddress("10.9.0.254")).metric(200));
        netlink.routes().add(Route.to(IpPrefix.parse("0.0.0.0/0")).via(IpPrefix.parseAddress("192.168.77.254")).metric(100));

        assertThat(select(UnderlayCriteria.defaultRoute()).name()).isEqualTo("eth0");
    }

    @Test
    void withoutADefaultRouteAsksForIface() {
        assertThatThrownBy(() -> select(UnderlayCriteria.defaultRoute()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--iface: is needed: this node has no IPv4 default route");
    }

    @Test
    void ifaceTakesTheFirstNameThatExists() {
        UnderlayInterface underlay = select(ifaces("eth9", "eth1", "eth0"));

        assertThat(underlay.name()).isEqualTo("eth1");
        assertThat(underlay.address()).isEqualTo(IpPrefix.parse("10.9.0.1/24"));
        assertThat(underlay.reason()).isEqualTo("--iface eth1");
    }

    @Test
    void ifaceByAddressUsesThatAddressAmongSeveral() {
        netlink.addresses().add(netlink.links().get("eth0").index(), IpPrefix.parse("192.168.78.1/24"));

        UnderlayInterface underlay = select(ifaces("192.168.78.1"));

        assertThat(underlay.name()).isEqualTo("eth0");
        assertThat(underlay.address()).isEqualTo(IpPrefix.parse("192.168.78.1/24"));
        assertThat(underlay.reason()).isEqualTo("--iface 192.168.78.1 is its address");
    }

    @Test
    void ifaceThatMatchesNothingNamesTheInterfacesThereAre() {
        assertThatThrownBy(() -> select(ifaces("eth9", "10.0.0.1")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo("--iface"))
                .hasMessage("--iface: none of eth9, 10.0.0.1 is an interface here or an address of one (interfaces: lo, eth0, eth1)");
    }

    @Test
    void ifaceWithoutAnAddressCannotCarryTheOverlay() {
        nic("eth2", null, 1500);

        assertThatThrownBy(() -> select(ifaces("eth2")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--iface: eth2 has no IPv4 or global IPv6 address to send from");
    }

    @Test
    void ifaceRegexMatchesNamesOrAddresses() {
        assertThat(select(regexes("eth1")).reason()).isEqualTo("--iface-regex eth1 matches its name");

        UnderlayInterface byAddress = select(regexes("192\\.168\\.77\\..*"));
        assertThat(byAddress.name()).isEqualTo("eth0");
        assertThat(byAddress.reason()).isEqualTo("--iface-regex 192\\.168\\.77\\..* matches its address 192.168.77.1");
    }

    @Test
    void ifaceRegexNeverChoosesLoopback() {
        assertThatThrownBy(() -> select(regexes("lo|127\\..*")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--iface-regex: no interface name or address matches lo|127\\..*");
    }

    @Test
    void ifaceCanReachTakesTheInterfaceTheKernelRoutesThrough() {
        netlink.routes().add(Route.to(IpPrefix.parse("172.16.0.0/16")).via(IpPrefix.parseAddress("192.168.77.254")));

        UnderlayInterface underlay = select(canReach("172.16.3.4"));

        assertThat(underlay.name()).isEqualTo("eth0");
        assertThat(underlay.address()).isEqualTo(IpPrefix.parse("192.168.77.1/24"));
        assertThat(underlay.reason()).isEqualTo("--iface-can-reach 172.16.3.4: the route to it leaves through it");
    }

    @Test
    void ifaceCanReachAnUnroutableAddressIsAConfigError() {
        assertThatThrownBy(() -> select(canReach("172.16.3.4")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--iface-can-reach: no route to 172.16.3.4 (")
                .hasMessageContaining("ENETUNREACH");
    }
}
