package io.weft.netlink.neigh;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.testing.InFreshNamespace;
import io.weft.netlink.wire.Message;
import io.weft.netlink.wire.MessageWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.lang.foreign.Arena;
import java.net.InetAddress;

import static io.weft.netlink.sys.Kernel.AF_BRIDGE;
import static io.weft.netlink.sys.Kernel.NDA_LLADDR;
import static io.weft.netlink.sys.Kernel.NUD_REACHABLE;
import static io.weft.netlink.sys.Kernel.NUD_STALE;
import static io.weft.netlink.sys.Kernel.RTM_NEWNEIGH;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NeighboursTest extends InFreshNamespace {
    private static final InetAddress PEER = IpPrefix.parseAddress("192.0.2.2");
    private static final InetAddress PEER6 = IpPrefix.parseAddress("2001:db8::2");
    private static final MacAddress MAC = MacAddress.parse("0e:00:00:00:00:02");
    private static final MacAddress OTHER_MAC = MacAddress.parse("0e:00:00:00:00:03");

    private int veth;

    @BeforeEach
    void createLink() {
        veth = netlink.links().add(LinkSpec.veth("veth0", "peer0", null)).index();
        netlink.links().setUp("veth0");
    }

    /** {@code ip -j neigh show dev veth0}: one object per entry, with dst, lladdr and state. */
    private JsonNode seen() {
        return ipJson(node, "neigh", "show", "dev", "veth0");
    }

    @Test
    void addsPermanentIpv4Neighbour() {
        Neighbour neighbour = Neighbour.permanent(veth, PEER, MAC);

        netlink.neighbours().add(neighbour);

        JsonNode seen = seen();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).get("dst").asString()).isEqualTo("192.0.2.2");
        assertThat(seen.get(0).get("lladdr").asString()).isEqualTo("0e:00:00:00:00:02");
        assertThat(seen.get(0).get("state").toString()).isEqualTo("[\"PERMANENT\"]");
        assertThat(netlink.neighbours().list(veth)).containsExactly(neighbour);
        assertThat(netlink.neighbours().list(veth).getFirst().permanent()).isTrue();
    }

    @Test
    void addsPermanentIpv6Neighbour() {
        Neighbour neighbour = Neighbour.permanent(veth, PEER6, MAC);

        netlink.neighbours().add(neighbour);

        JsonNode seen = ipJson(node, "-6", "neigh", "show", "dev", "veth0");
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).get("dst").asString()).isEqualTo("2001:db8::2");
        assertThat(seen.get(0).get("lladdr").asString()).isEqualTo("0e:00:00:00:00:02");
        assertThat(seen.get(0).get("state").toString()).isEqualTo("[\"PERMANENT\"]");
        assertThat(netlink.neighbours().list(veth)).contains(neighbour);
    }

    @Test
    void addsReachableEntryThatIsNotPermanent() {
        netlink.neighbours().add(new Neighbour(veth, PEER, MAC, NUD_REACHABLE, 0));

        assertThat(seen().get(0).get("state").toString()).isEqualTo("[\"REACHABLE\"]");
        Neighbour listed = netlink.neighbours().list(veth).getFirst();
        assertThat(listed.reachable()).isTrue();
        assertThat(listed.permanent()).isFalse();
    }

    @Test
    void replaceOverwritesMacAndStateOfAnExistingEntry() {
        netlink.neighbours().add(Neighbour.permanent(veth, PEER, MAC));

        netlink.neighbours().replace(new Neighbour(veth, PEER, OTHER_MAC, NUD_STALE, 0));

        JsonNode seen = seen();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).get("lladdr").asString()).isEqualTo("0e:00:00:00:00:03");
        assertThat(seen.get(0).get("state").toString()).isEqualTo("[\"STALE\"]");
        Neighbour listed = netlink.neighbours().list(veth).getFirst();
        assertThat(listed.mac()).isEqualTo(OTHER_MAC);
        assertThat(listed.stale()).isTrue();
        assertThat(listed.permanent()).isFalse();
    }

    @Test
    void replaceCreatesAMissingEntry() {
        Neighbour neighbour = Neighbour.permanent(veth, PEER6, MAC);

        netlink.neighbours().replace(neighbour);

        assertThat(ipJson(node, "-6", "neigh", "show", "dev", "veth0").findValuesAsString("dst")).containsExactly("2001:db8::2");
        assertThat(netlink.neighbours().list(veth)).contains(neighbour);
    }

    @Test
    void listsBothFamiliesOnAllLinksOrOnOne() {
        int other = netlink.links().add(LinkSpec.veth("veth1", "peer1", null)).index();
        Neighbour v4 = Neighbour.permanent(veth, PEER, MAC);
        Neighbour v6 = Neighbour.permanent(veth, PEER6, MAC);
        Neighbour elsewhere = Neighbour.permanent(other, IpPrefix.parseAddress("198.51.100.7"), OTHER_MAC);
        netlink.neighbours().add(v4);
        netlink.neighbours().add(v6);
        netlink.neighbours().add(elsewhere);

        assertThat(netlink.neighbours().list()).contains(v4, v6, elsewhere);
        assertThat(netlink.neighbours().list(veth)).contains(v4, v6).doesNotContain(elsewhere);
        assertThat(netlink.neighbours().list(other)).containsExactly(elsewhere);
    }

    @Test
    void deletesNeighbourWithoutNeedingItsMac() {
        netlink.neighbours().add(Neighbour.permanent(veth, PEER, MAC));
        netlink.neighbours().add(Neighbour.permanent(veth, PEER6, MAC));

        netlink.neighbours().delete(new Neighbour(veth, PEER, null, 0, 0));

        assertThat(ipJson(node, "neigh", "show", "dev", "veth0").findValuesAsString("dst")).containsExactly("2001:db8::2");
        assertThat(netlink.neighbours().list(veth)).extracting(Neighbour::address).containsExactly(PEER6);
    }

    @Test
    void refusesDuplicateAddWithEexistNamingTheEntry() {
        netlink.neighbours().add(Neighbour.permanent(veth, PEER, MAC));

        assertThatThrownBy(() -> netlink.neighbours().add(Neighbour.permanent(veth, PEER, OTHER_MAC)))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.operation()).isEqualTo("RTM_NEWNEIGH");
                })
                .hasMessage("RTM_NEWNEIGH 192.0.2.2 lladdr 0e:00:00:00:00:03 dev " + veth + ": EEXIST (File exists)");
        assertThat(seen().get(0).get("lladdr").asString()).isEqualTo("0e:00:00:00:00:02");
    }

    @Test
    void reportsDeletingAMissingEntryAsEnoent() {
        assertThatThrownBy(() -> netlink.neighbours().delete(Neighbour.permanent(veth, PEER, MAC)))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("RTM_DELNEIGH 192.0.2.2 lladdr 0e:00:00:00:00:02 dev " + veth + ": ENOENT (No such file or directory)");
    }

    @Test
    void reportsAnUnknownDeviceAsEnodev() {
        int missing = veth + 100;

        assertThatThrownBy(() -> netlink.neighbours().add(Neighbour.permanent(missing, PEER, MAC)))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("ENODEV"))
                .hasMessage("RTM_NEWNEIGH 192.0.2.2 lladdr 0e:00:00:00:00:02 dev " + missing + ": ENODEV (No such device)");
        assertThatThrownBy(() -> netlink.neighbours().delete(Neighbour.permanent(missing, PEER, MAC)))
                .hasMessage("RTM_DELNEIGH 192.0.2.2 lladdr 0e:00:00:00:00:02 dev " + missing + ": ENODEV (No such device)");
    }

    @Test
    void refusesEntriesWithoutLinkOrAddressBeforeAskingTheKernel() {
        assertThatThrownBy(() -> Neighbour.permanent(0, PEER, MAC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("link index 0");
        assertThatThrownBy(() -> Neighbour.permanent(veth, null, MAC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs an IP address");
    }

    @Test
    void decodesFdbMessagesOnlyAsFdbEntries() {
        try (Arena arena = Arena.ofConfined()) {
            MessageWriter writer = new MessageWriter(arena.allocate(256));
            writer.start(RTM_NEWNEIGH, 0).ndmsg(AF_BRIDGE, veth, 0, 0, 0).attribute(NDA_LLADDR, MAC.bytes());
            Message message = Message.wrap(writer.finish());

            assertThatThrownBy(() -> Neighbours.decode(message))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("address family " + AF_BRIDGE);
            assertThat(Fdb.decode(message)).isEqualTo(new FdbEntry(veth, MAC, null, 0, 0));
        }
    }
}
