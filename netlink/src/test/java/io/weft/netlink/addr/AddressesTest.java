package io.weft.netlink.addr;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.testing.InFreshNamespace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static io.weft.netlink.sys.Kernel.IFA_F_PERMANENT;
import static io.weft.netlink.sys.Kernel.RT_SCOPE_HOST;
import static io.weft.netlink.sys.Kernel.RT_SCOPE_UNIVERSE;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressesTest extends InFreshNamespace {
    private int veth;
    private int bridge;

    @BeforeEach
    void createLinks() {
        veth = netlink.links().add(LinkSpec.veth("veth0", "veth1", null)).index();
        bridge = netlink.links().add(LinkSpec.bridge("br0")).index();
        for (String name : List.of("veth0", "veth1", "br0")) {
            netlink.links().setUp(name);
        }
    }

    /** The addr_info entries ip reports for one link. */
    private JsonNode addressesSeen(String link) {
        return ipJson(node, "addr", "show", "dev", link).get(0).get("addr_info");
    }

    private static JsonNode find(JsonNode addrInfo, String local) {
        for (JsonNode entry : addrInfo) {
            if (IpPrefix.parseAddress(entry.get("local").asString()).equals(IpPrefix.parseAddress(local))) {
                return entry;
            }
        }
        return null;
    }

    @Test
    void addsIpv4AddressAndListsItWithLabelAndScope() {
        IpPrefix prefix = IpPrefix.parse("10.1.0.1/24");

        netlink.addresses().add(veth, prefix);

        JsonNode seen = find(addressesSeen("veth0"), "10.1.0.1");
        assertThat(seen).isNotNull();
        assertThat(seen.get("family").asString()).isEqualTo("inet");
        assertThat(seen.get("prefixlen").asInt()).isEqualTo(24);
        assertThat(seen.get("scope").asString()).isEqualTo("global");
        assertThat(netlink.addresses().list(veth))
                .contains(new Address(veth, prefix, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT, "veth0"));
    }

    @Test
    void addsIpv6AddressUsableAtOnceWithoutDad() {
        IpPrefix prefix = IpPrefix.parse("fd00::1/64");

        netlink.addresses().add(veth, prefix);

        JsonNode seen = find(addressesSeen("veth0"), "fd00::1");
        assertThat(seen).isNotNull();
        assertThat(seen.get("family").asString()).isEqualTo("inet6");
        assertThat(seen.get("prefixlen").asInt()).isEqualTo(64);
        assertThat(seen.path("nodad").asBoolean()).isTrue();
        assertThat(seen.has("tentative")).isFalse();
        Address listed = netlink.addresses().list(veth).stream()
                .filter(a -> a.prefix().equals(prefix)).findFirst().orElseThrow();
        assertThat(listed.noDad()).isTrue();
        assertThat(listed.permanent()).isTrue();
        assertThat(listed.scope()).isEqualTo(RT_SCOPE_UNIVERSE);
        assertThat(listed.label()).isNull();
    }

    /** Every address ip reports, as "ifindex address/length". */
    private List<String> everyAddressSeen() {
        List<String> seen = new ArrayList<>();
        for (JsonNode link : ipJson(node, "addr", "show")) {
            for (JsonNode entry : link.get("addr_info")) {
                seen.add(link.get("ifindex").asInt() + " "
                        + new IpPrefix(IpPrefix.parseAddress(entry.get("local").asString()), entry.get("prefixlen").asInt()));
            }
        }
        return seen;
    }

    @Test
    void listsEveryAddressOfEveryLinkAsIpSeesThem() {
        netlink.links().setUp("lo"); // the kernel gives it 127.0.0.1/8 and ::1/128 itself
        netlink.addresses().add(veth, IpPrefix.parse("10.1.0.1/24"));
        netlink.addresses().add(veth, IpPrefix.parse("fd00::1/64"));
        netlink.addresses().add(bridge, IpPrefix.parse("10.3.0.1/16"));

        List<String> before = everyAddressSeen();
        List<Address> listed = netlink.addresses().list();
        List<String> after = everyAddressSeen();

        // IPv6 link-local addresses arrive on their own time: some may appear between the observations.
        List<String> listedText = listed.stream().map(a -> a.linkIndex() + " " + a.prefix()).toList();
        assertThat(listedText).containsAll(before);
        assertThat(after).containsAll(listedText);
        assertThat(listed).contains(new Address(1, IpPrefix.parse("127.0.0.1/8"), RT_SCOPE_HOST, IFA_F_PERMANENT, "lo"));
        assertThat(listed).anySatisfy(a -> {
            assertThat(a.prefix()).isEqualTo(IpPrefix.parse("::1/128"));
            assertThat(a.scope()).isEqualTo(RT_SCOPE_HOST);
        });
    }

    @Test
    void listsTheAddressesOfOneLink() {
        netlink.addresses().add(veth, IpPrefix.parse("10.1.0.1/24"));
        netlink.addresses().add(bridge, IpPrefix.parse("10.3.0.1/16"));
        netlink.addresses().add(bridge, IpPrefix.parse("fd03::1/64"));

        List<Address> onBridge = netlink.addresses().list(bridge);

        assertThat(onBridge).allSatisfy(a -> assertThat(a.linkIndex()).isEqualTo(bridge));
        assertThat(onBridge).extracting(Address::prefix)
                .contains(IpPrefix.parse("10.3.0.1/16"), IpPrefix.parse("fd03::1/64"))
                .doesNotContain(IpPrefix.parse("10.1.0.1/24"));
    }

    @Test
    void deletesIpv4AndIpv6Addresses() {
        IpPrefix v4 = IpPrefix.parse("10.1.0.1/24");
        IpPrefix v6 = IpPrefix.parse("fd00::1/64");
        netlink.addresses().add(veth, v4);
        netlink.addresses().add(veth, v6);

        netlink.addresses().delete(veth, v4);
        netlink.addresses().delete(veth, v6);

        assertThat(find(addressesSeen("veth0"), "10.1.0.1")).isNull();
        assertThat(find(addressesSeen("veth0"), "fd00::1")).isNull();
        assertThat(netlink.addresses().list(veth)).extracting(Address::prefix).doesNotContain(v4, v6);
    }

    @Test
    void refusesDuplicateAddressWithEexistNamingAddressAndLink() {
        netlink.addresses().add(veth, IpPrefix.parse("10.1.0.1/24"));
        netlink.addresses().add(veth, IpPrefix.parse("fd00::1/64"));

        assertThatThrownBy(() -> netlink.addresses().add(veth, IpPrefix.parse("10.1.0.1/24")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.operation()).isEqualTo("RTM_NEWADDR");
                })
                .hasMessage("RTM_NEWADDR 10.1.0.1/24 dev " + veth + ": EEXIST (File exists): ipv4: Address already assigned");
        assertThatThrownBy(() -> netlink.addresses().add(veth, IpPrefix.parse("fd00::1/64")))
                .hasMessage("RTM_NEWADDR " + IpPrefix.parse("fd00::1/64") + " dev " + veth
                        + ": EEXIST (File exists): ipv6: address already assigned");
    }

    @Test
    void reportsDeletingAMissingAddressAsEaddrnotavail() {
        assertThatThrownBy(() -> netlink.addresses().delete(veth, IpPrefix.parse("10.9.9.9/24")))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("RTM_DELADDR 10.9.9.9/24 dev " + veth
                        + ": EADDRNOTAVAIL (Cannot assign requested address): ipv4: Address not found");
        assertThatThrownBy(() -> netlink.addresses().delete(veth, IpPrefix.parse("fd09::9/64")))
                .hasMessage("RTM_DELADDR " + IpPrefix.parse("fd09::9/64") + " dev " + veth
                        + ": EADDRNOTAVAIL (Cannot assign requested address): ipv6: address not found");
    }

    @Test
    void reportsAddingToAMissingLinkAsEnodev() {
        assertThatThrownBy(() -> netlink.addresses().add(999, IpPrefix.parse("10.1.0.1/24")))
                .isInstanceOf(NetlinkException.class)
                .hasMessageStartingWith("RTM_NEWADDR 10.1.0.1/24 dev 999: ENODEV (No such device)");
    }
}
