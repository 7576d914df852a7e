package io.weft.agent;

import io.weft.agent.masquerade.Masquerade;
import io.weft.agent.masquerade.Nft;
import io.weft.cni.server.CniServer;
import io.weft.cni.CniResponse;
import io.weft.cni.pod.NodeBridge;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node namespace with what an agent leaves behind, and a route of someone else's that must stay. */
class UninstallerTest {
    private static final int PROTOCOL = 87;

    @TempDir
    Path runDir;
    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private Netlink netlink;
    private Nft nft;

    @BeforeEach
    void nodeAsAnAgentLeftIt() throws IOException {
        node = sandbox.namespace();
        NetNamespace fabric = sandbox.namespace();
        netlink = Netlink.open(node);
        nft = Nft.in(node);
        netlink.links().add(LinkSpec.veth("eth0", "n1", fabric));
        try (Netlink fabricLinks = Netlink.open(fabric)) {
            fabricLinks.links().setUp("n1");
        }
        netlink.links().setUp("eth0");
        int eth0 = netlink.links().get("eth0").index();
        netlink.addresses().add(eth0, IpPrefix.parse("192.168.77.1/24"));
        int vxlan = netlink.links().add(LinkSpec.vxlan(Agent.OVERLAY_DEVICE,
                new LinkKind.Vxlan(1, 8472, IpPrefix.parseAddress("192.168.77.1"), eth0, false, 0))
                .withMac(MacAddress.parse("0e:00:00:00:00:01"))).index();
        netlink.links().setUp(Agent.OVERLAY_DEVICE);
        netlink.routes().add(Route.to(IpPrefix.parse("10.42.2.0/24")).via(IpPrefix.parseAddress("10.42.2.0")).dev(vxlan)
                .onlink(true).protocol(PROTOCOL));
        netlink.routes().add(Route.to(IpPrefix.parse("10.42.3.0/24")).via(IpPrefix.parseAddress("192.168.77.3")).protocol(PROTOCOL));
        netlink.routes().add(Route.to(IpPrefix.parse("172.16.0.0/16")).via(IpPrefix.parseAddress("192.168.77.254")));
        new Masquerade(nft, IpPrefix.parse("10.42.0.0/16")).apply();
        Files.writeString(runDir.resolve("subnet.env"), "WEFT_NETWORK=10.42.0.0/16\n");
    }

    @AfterEach
    void cleanUp() {
        netlink.close();
        sandbox.close();
    }

    private List<String> routes() {
        return ipJson(node, "route", "show").findValuesAsString("dst");
    }

    @Test
    void removesTheDeviceWeftsRoutesTheTableAndTheFilesAndNothingElse() throws IOException {
        List<String> done = new Uninstaller(netlink, nft, PROTOCOL).uninstall(runDir);

        assertThat(netlink.links().find(Agent.OVERLAY_DEVICE)).isEmpty();
        assertThat(routes()).containsExactlyInAnyOrder("172.16.0.0/16", "192.168.77.0/24");
        assertThat(Sandbox.run(List.of("ip", "netns", "exec", node.name(), "nft", "list", "tables"))).isBlank();
        assertThat(runDir.resolve("subnet.env")).doesNotExist();
        assertThat(done).contains("deleted weft.1 with its neighbours, FDB entries and routes",
                "deleted route 10.42.3.0/24 via 192.168.77.3 dev " + netlink.links().get("eth0").index() + " proto 87",
                "deleted nftables table ip weft", "removed " + runDir.resolve("subnet.env"));
    }

    @Test
    void aSecondRunFindsNothingToDo() throws IOException {
        Uninstaller uninstaller = new Uninstaller(netlink, nft, PROTOCOL);
        uninstaller.uninstall(runDir);

        List<String> again = uninstaller.uninstall(runDir);

        assertThat(again).isEmpty();
        assertThat(routes()).containsExactlyInAnyOrder("172.16.0.0/16", "192.168.77.0/24");
    }

    @Test
    void removesTheBridgeWeftMadeWithThePodVethsOnItAndLeavesAnotherBridgeOfThatName() {
        NetNamespace pod = sandbox.namespace();
        IpPrefix gateway = IpPrefix.parse("10.42.1.1/24");
        NodeBridge.ensure(netlink, "cni0", gateway, 1450);
        netlink.links().add(LinkSpec.veth("weft0123456789a", "eth0", pod));
        netlink.links().setMaster("weft0123456789a", netlink.links().get("cni0").index());
        netlink.links().add(LinkSpec.bridge("other0").withMac(MacAddress.parse("0a:58:0a:2a:02:02")));
        netlink.addresses().add(netlink.links().get("other0").index(), IpPrefix.parse("10.42.9.1/24"));
        Uninstaller uninstaller = new Uninstaller(netlink, nft, PROTOCOL);

        List<String> done = uninstaller.removeBridge("cni0");
        List<String> notWefts = uninstaller.removeBridge("other0");

        assertThat(done).containsExactly("deleted weft0123456789a", "deleted cni0 (the pods' bridge)");
        assertThat(netlink.links().find("cni0")).isEmpty();
        assertThat(ipJson(pod, "link", "show").findValuesAsString("ifname")).containsExactly("lo");
        assertThat(notWefts).singleElement().asString().startsWith("left other0: not a bridge with the MAC Weft pins");
        assertThat(netlink.links().find("other0")).isPresent();
        assertThat(uninstaller.removeBridge("cni0")).isEmpty();
    }

    @Test
    void refusesWhileAnAgentAnswersOnTheSocket() throws IOException {
        try (CniServer server = CniServer.start(runDir.resolve("cni.sock"), invocation -> CniResponse.silentSuccess())) {
            assertThatThrownBy(() -> new Uninstaller(netlink, nft, PROTOCOL).uninstall(runDir))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("an agent still answers on " + server.socket() + ": stop it first, or it puts everything back");
        }
        assertThat(netlink.links().find(Agent.OVERLAY_DEVICE)).isPresent();
    }
}
