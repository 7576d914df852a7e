package io.weft.netlink.neigh;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.sys.Kernel;
import io.weft.netlink.testing.InFreshNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.InetAddress;
import java.util.List;

import static io.weft.netlink.testing.Sandbox.bridgeJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class FdbTest extends InFreshNamespace {
    private static final MacAddress VTEP = MacAddress.parse("0e:00:00:00:00:02");
    private static final MacAddress OTHER_VTEP = MacAddress.parse("0e:00:00:00:00:03");
    private static final InetAddress NODE2 = IpPrefix.parseAddress("192.0.2.2");
    private static final InetAddress NODE3 = IpPrefix.parseAddress("192.0.2.3");

    private int vxlan;

    /** A VXLAN device as Weft makes it: learning off, local address on a veth standing in for the underlay. */
    @BeforeEach
    void createVxlan() {
        int underlay = netlink.links().add(LinkSpec.veth("under0", "under1", null)).index();
        Sandbox.ip(node, "addr", "add", "192.0.2.1/24", "dev", "under0");
        var settings = new LinkKind.Vxlan(1, 8472, IpPrefix.parseAddress("192.0.2.1"), underlay, false, 0);
        vxlan = netlink.links().add(LinkSpec.vxlan("weft.1", settings)).index();
    }

    /** {@code bridge -j fdb show dev weft.1}: one object per entry, with mac, dst, flags and state. */
    private JsonNode seen() {
        return bridgeJson(node, "fdb", "show", "dev", "weft.1");
    }

    @Test
    void addsPermanentEntryPointingAtARemoteNode() {
        FdbEntry entry = FdbEntry.permanent(vxlan, VTEP, NODE2);

        netlink.fdb().add(entry);

        JsonNode seen = seen();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).get("mac").asString()).isEqualTo("0e:00:00:00:00:02");
        assertThat(seen.get(0).get("dst").asString()).isEqualTo("192.0.2.2");
        assertThat(seen.get(0).get("flags").toString()).isEqualTo("[\"self\"]");
        assertThat(seen.get(0).get("state").asString()).isEqualTo("permanent");
        assertThat(netlink.fdb().list(vxlan)).containsExactly(entry);
        assertThat(netlink.fdb().list(vxlan).getFirst().permanent()).isTrue();
    }

    @Test
    void replacePointsTheEntryAtANewDestination() {
        netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, NODE2));

        netlink.fdb().replace(FdbEntry.permanent(vxlan, VTEP, NODE3));

        JsonNode seen = seen();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).get("dst").asString()).isEqualTo("192.0.2.3");
        assertThat(netlink.fdb().list(vxlan)).containsExactly(FdbEntry.permanent(vxlan, VTEP, NODE3));
    }

    @Test
    void replaceCreatesAMissingEntry() {
        netlink.fdb().replace(FdbEntry.permanent(vxlan, VTEP, NODE2));

        assertThat(seen().findValuesAsString("dst")).containsExactly("192.0.2.2");
        assertThat(netlink.fdb().list(vxlan)).containsExactly(FdbEntry.permanent(vxlan, VTEP, NODE2));
    }

    @Test
    void deletesOneEntryAndKeepsTheOthers() {
        netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, NODE2));
        netlink.fdb().add(FdbEntry.permanent(vxlan, OTHER_VTEP, NODE3));

        netlink.fdb().delete(FdbEntry.permanent(vxlan, VTEP, NODE2));

        assertThat(seen().findValuesAsString("mac")).containsExactly("0e:00:00:00:00:03");
        assertThat(netlink.fdb().list(vxlan)).containsExactly(FdbEntry.permanent(vxlan, OTHER_VTEP, NODE3));
    }

    @Test
    void deleteWithoutDestinationRemovesTheEntryWhereverItPoints() {
        netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, NODE2));

        netlink.fdb().delete(FdbEntry.permanent(vxlan, VTEP, null));

        assertThat(seen()).isEmpty();
        assertThat(netlink.fdb().list(vxlan)).isEmpty();
    }

    @Test
    void deleteWithAnotherDestinationIsAcknowledgedButKeepsTheEntry() {
        netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, NODE2));

        netlink.fdb().delete(FdbEntry.permanent(vxlan, VTEP, NODE3));

        assertThat(seen().findValuesAsString("dst")).containsExactly("192.0.2.2");
        assertThat(netlink.fdb().list(vxlan)).containsExactly(FdbEntry.permanent(vxlan, VTEP, NODE2));
    }

    @Test
    void listsOnlyTheDevicesOwnEntries() {
        int bridge = netlink.links().add(LinkSpec.bridge("br0")).index();
        netlink.links().setMaster("weft.1", bridge);
        Sandbox.run(List.of("bridge", "-n", node.name(), "fdb", "add", "0e:00:00:00:00:09", "dev", "weft.1", "master", "static"));
        netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, NODE2));
        int underlay = netlink.links().get("under0").index();
        netlink.fdb().add(FdbEntry.permanent(underlay, OTHER_VTEP, null));

        assertThat(seen().findValuesAsString("mac")).contains("0e:00:00:00:00:09", "0e:00:00:00:00:02");
        assertThat(netlink.fdb().list(vxlan)).containsExactly(FdbEntry.permanent(vxlan, VTEP, NODE2));
        assertThat(netlink.fdb().list(underlay)).contains(FdbEntry.permanent(underlay, OTHER_VTEP, null))
                .extracting(FdbEntry::linkIndex).containsOnly(underlay);
    }

    @Test
    void neighbourListingLeavesFdbEntriesOut() {
        netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, NODE2));

        assertThat(netlink.neighbours().list(vxlan)).isEmpty();
    }

    @Test
    void refusesDuplicateAddWithEexistEvenForAnotherDestination() {
        netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, NODE2));

        assertThatThrownBy(() -> netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, NODE3)))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.operation()).isEqualTo("RTM_NEWNEIGH");
                })
                .hasMessage("RTM_NEWNEIGH 0e:00:00:00:00:02 dev " + vxlan + " dst 192.0.2.3: EEXIST (File exists)");
        assertThat(seen().findValuesAsString("dst")).containsExactly("192.0.2.2");
    }

    @Test
    void reportsDeletingAMissingEntryAsEnoent() {
        assertThatThrownBy(() -> netlink.fdb().delete(FdbEntry.permanent(vxlan, VTEP, NODE2)))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("RTM_DELNEIGH 0e:00:00:00:00:02 dev " + vxlan + " dst 192.0.2.2: ENOENT (No such file or directory)");
    }

    @Test
    void refusesEntriesTheVxlanCannotSendAnywhere() {
        assertThatThrownBy(() -> netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, null)))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"))
                .hasMessage("RTM_NEWNEIGH 0e:00:00:00:00:02 dev " + vxlan + ": EINVAL (Invalid argument)");
        assertThatThrownBy(() -> netlink.fdb().add(FdbEntry.permanent(vxlan, VTEP, IpPrefix.parseAddress("2001:db8::2"))))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EAFNOSUPPORT"))
                .hasMessage("RTM_NEWNEIGH 0e:00:00:00:00:02 dev " + vxlan + " dst 2001:db8::2: EAFNOSUPPORT (Address family not supported by protocol)");
        assertThat(seen()).isEmpty();
    }

    @Test
    void reportsAnUnknownDeviceAsEnodev() {
        int missing = vxlan + 100;

        assertThatThrownBy(() -> netlink.fdb().add(FdbEntry.permanent(missing, VTEP, NODE2)))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("ENODEV"))
                .hasMessage("RTM_NEWNEIGH 0e:00:00:00:00:02 dev " + missing + " dst 192.0.2.2: ENODEV (No such device): unknown ifindex");
        assertThatThrownBy(() -> netlink.fdb().delete(FdbEntry.permanent(missing, VTEP, NODE2)))
                .hasMessage("RTM_DELNEIGH 0e:00:00:00:00:02 dev " + missing + " dst 192.0.2.2: ENODEV (No such device): unknown ifindex");
        assertThat(netlink.fdb().list(missing)).isEmpty();
    }

    @Test
    void listsBehindWhichPortOfABridgeEachMacIs() {
        Link bridge = netlink.links().add(LinkSpec.bridge("br0"));
        Link port = netlink.links().add(LinkSpec.veth("port0", "peer0", null));
        netlink.links().setMaster("port0", bridge.index());
        Sandbox.run(List.of("bridge", "-n", node.name(), "fdb", "add", VTEP.toString(), "dev", "port0", "master", "static"));

        List<FdbEntry> entries = netlink.fdb().listOfBridge(bridge.index());

        assertThat(entries).as("the static entry and the port's own MAC, never a self entry")
                .extracting(FdbEntry::linkIndex, FdbEntry::mac)
                .containsExactlyInAnyOrder(tuple(port.index(), VTEP), tuple(port.index(), netlink.links().get("port0").mac()));
        assertThat(entries).allMatch(entry -> (entry.flags() & Kernel.NTF_SELF) == 0);
        List<String> bridgeSays = new java.util.ArrayList<>();
        bridgeJson(node, "fdb", "show", "br", "br0").forEach(entry -> {
            if (!entry.path("flags").toString().contains("self")) {
                bridgeSays.add(entry.get("mac").asString() + " dev " + entry.get("ifname").asString());
            }
        });
        assertThat(bridgeSays).containsExactlyInAnyOrderElementsOf(entries.stream()
                .map(entry -> entry.mac() + " dev " + netlink.links().get(entry.linkIndex()).name()).toList());
        assertThat(netlink.fdb().listOfBridge(vxlan)).as("weft.1 is no bridge").isEmpty();
    }
}
