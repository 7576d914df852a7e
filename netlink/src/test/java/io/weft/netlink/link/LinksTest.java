package io.weft.netlink.link;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.InFreshNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinksTest extends InFreshNamespace {
    private static JsonNode link(NetNamespace namespace, String name) {
        return ipJson(namespace, "-d", "link", "show", "dev", name).get(0);
    }

    @Test
    void listsLoopbackOfAFreshNamespace() {
        assertThat(netlink.links().list()).extracting(Link::name).containsExactly("lo");
        Link lo = netlink.links().get("lo");
        assertThat(lo.index()).isEqualTo(1);
        assertThat(netlink.links().get(1)).isEqualTo(lo);
        assertThat(lo.up()).isFalse();
    }

    @Test
    void createsBridgeWithMtuAndMac() {
        MacAddress mac = MacAddress.parse("0e:00:00:00:00:01");
        Link bridge = netlink.links().add(LinkSpec.bridge("cni0").withMtu(1400).withMac(mac));

        JsonNode seen = link(node, "cni0");
        assertThat(seen.get("linkinfo").get("info_kind").asString()).isEqualTo("bridge");
        assertThat(seen.get("mtu").asInt()).isEqualTo(1400);
        assertThat(seen.get("address").asString()).isEqualTo("0e:00:00:00:00:01");
        assertThat(bridge.kind()).isEqualTo(new LinkKind.Bridge());
        assertThat(bridge.index()).isEqualTo(seen.get("ifindex").asInt());
        assertThat(bridge.mac()).isEqualTo(mac);
        assertThat(bridge.mtu()).isEqualTo(1400);
    }

    @Test
    void createsVethWithPeerInsidePodNamespace() {
        NetNamespace pod = sandbox.namespace();
        Link host = netlink.links().add(LinkSpec.veth("veth1", "eth0", pod).withMtu(1450));

        JsonNode seenHost = link(node, "veth1");
        JsonNode seenPeer = link(pod, "eth0");
        assertThat(seenHost.get("linkinfo").get("info_kind").asString()).isEqualTo("veth");
        assertThat(seenPeer.get("linkinfo").get("info_kind").asString()).isEqualTo("veth");
        assertThat(seenPeer.get("mtu").asInt()).isEqualTo(1450);
        assertThat(ipJson(node, "link", "show").findValuesAsString("ifname")).doesNotContain("eth0");
        assertThat(host.kind()).isEqualTo(new LinkKind.Veth());
        assertThat(host.parentIndex()).isEqualTo(seenPeer.get("ifindex").asInt());
        try (Netlink inPod = Netlink.open(pod)) {
            assertThat(inPod.links().get("eth0").parentIndex()).isEqualTo(host.index());
        }
    }

    @Test
    void createsVxlanWithAllItsSettings() {
        netlink.links().add(LinkSpec.veth("under0", "under1", null));
        int underlay = netlink.links().get("under0").index();
        Sandbox.ip(node, "addr", "add", "192.0.2.1/24", "dev", "under0");
        var settings = new LinkKind.Vxlan(1, 8472, IpPrefix.parseAddress("192.0.2.1"), underlay, false, 64);

        Link vxlan = netlink.links().add(LinkSpec.vxlan("weft.1", settings).withMtu(1450));

        JsonNode data = link(node, "weft.1").get("linkinfo").get("info_data");
        assertThat(data.get("id").asInt()).isEqualTo(1);
        assertThat(data.get("port").asInt()).isEqualTo(8472);
        assertThat(data.get("local").asString()).isEqualTo("192.0.2.1");
        assertThat(data.get("link").asString()).isEqualTo("under0");
        assertThat(data.get("learning").asBoolean()).isFalse();
        assertThat(data.get("ttl").asInt()).isEqualTo(64);
        assertThat(vxlan.kind()).isEqualTo(settings);
        assertThat(vxlan.mtu()).isEqualTo(1450);
    }

    @Test
    void setsUpDownMtuAndMac() {
        netlink.links().add(LinkSpec.bridge("br0"));

        netlink.links().setUp("br0");
        assertThat(link(node, "br0").get("flags").toString()).contains("\"UP\"");
        assertThat(netlink.links().get("br0").up()).isTrue();

        netlink.links().setMtu("br0", 1300);
        netlink.links().setMac("br0", MacAddress.parse("0e:aa:bb:cc:dd:ee"));
        JsonNode seen = link(node, "br0");
        assertThat(seen.get("mtu").asInt()).isEqualTo(1300);
        assertThat(seen.get("address").asString()).isEqualTo("0e:aa:bb:cc:dd:ee");

        netlink.links().setDown("br0");
        assertThat(link(node, "br0").get("flags").toString()).doesNotContain("\"UP\"");
        assertThat(netlink.links().get("br0").up()).isFalse();
    }

    @Test
    void attachesToBridgeWithHairpinAndDetaches() {
        Link bridge = netlink.links().add(LinkSpec.bridge("cni0"));
        netlink.links().add(LinkSpec.veth("veth0", "peer0", null));

        netlink.links().setMaster("veth0", bridge.index());
        netlink.links().setHairpin("veth0", true);

        assertThat(link(node, "veth0").get("master").asString()).isEqualTo("cni0");
        JsonNode port = Sandbox.bridgeJson(node, "-d", "link", "show", "dev", "veth0").get(0);
        assertThat(port.get("hairpin").asBoolean()).isTrue();
        Link veth = netlink.links().get("veth0");
        assertThat(veth.masterIndex()).isEqualTo(bridge.index());
        assertThat(veth.hairpin()).isTrue();

        netlink.links().setHairpin("veth0", false);
        assertThat(Sandbox.bridgeJson(node, "-d", "link", "show", "dev", "veth0").get(0).get("hairpin").asBoolean()).isFalse();
        netlink.links().setNoMaster("veth0");
        assertThat(link(node, "veth0").has("master")).isFalse();
        assertThat(netlink.links().get("veth0").masterIndex()).isZero();
    }

    @Test
    void movesLinkToAnotherNamespaceAndRenamesIt() {
        NetNamespace other = sandbox.namespace();
        netlink.links().add(LinkSpec.bridge("br0"));

        netlink.links().rename("br0", "br-renamed");
        assertThat(netlink.links().find("br0")).isEmpty();
        assertThat(link(node, "br-renamed").get("ifname").asString()).isEqualTo("br-renamed");

        netlink.links().add(LinkSpec.veth("mv0", "mv1", null));
        netlink.links().moveTo("mv1", other);
        assertThat(netlink.links().find("mv1")).isEmpty();
        assertThat(link(other, "mv1").get("ifname").asString()).isEqualTo("mv1");
    }

    @Test
    void deletesLinkAndBothEndsOfAVeth() {
        NetNamespace pod = sandbox.namespace();
        netlink.links().add(LinkSpec.veth("veth9", "eth0", pod));

        netlink.links().delete("veth9");

        assertThat(netlink.links().find("veth9")).isEmpty();
        assertThat(ipJson(pod, "link", "show").findValuesAsString("ifname")).containsExactly("lo");
    }

    @Test
    void refusesDuplicateWithEexistNamingTheLink() {
        netlink.links().add(LinkSpec.bridge("weft.1"));

        assertThatThrownBy(() -> netlink.links().add(LinkSpec.bridge("weft.1")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.operation()).isEqualTo("RTM_NEWLINK");
                })
                .hasMessageStartingWith("RTM_NEWLINK weft.1: EEXIST (File exists)");
    }

    @Test
    void reportsMissingLinkAsEnodev() {
        assertThatThrownBy(() -> netlink.links().get("nosuch0"))
                .isInstanceOf(NetlinkException.class)
                .hasMessageStartingWith("RTM_GETLINK nosuch0: ENODEV (No such device)");
        assertThatThrownBy(() -> netlink.links().delete("nosuch0"))
                .hasMessageStartingWith("RTM_DELLINK nosuch0: ENODEV (No such device)");
        assertThatThrownBy(() -> netlink.links().setUp("nosuch0"))
                .hasMessageStartingWith("RTM_NEWLINK nosuch0: ENODEV (No such device)");
    }

    @Test
    void reportsUnknownKindWithTheKernelsOwnMessage() {
        assertThatThrownBy(() -> netlink.links().add(LinkSpec.of("bad0", "nosuchkind")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.kernelMessage()).isEqualTo("Unknown device type"))
                .hasMessage("RTM_NEWLINK bad0: EOPNOTSUPP (Operation not supported): Unknown device type");
        assertThat(netlink.links().find("bad0")).isEmpty();
    }

    @Test
    void refusesInvalidNamesBeforeAskingTheKernel() {
        assertThatThrownBy(() -> LinkSpec.bridge("a-name-longer-than-15"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a-name-longer-than-15");
        assertThatThrownBy(() -> LinkSpec.bridge("a/b")).isInstanceOf(IllegalArgumentException.class);
    }
}
