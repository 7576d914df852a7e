package io.weft.cli;

import io.weft.agent.AgentConfig;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.local.LocalLeaseStore;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.agent.overlay.Underlay;
import io.weft.agent.overlay.VxlanOverlay;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code weft doctor} with the agent's flags, against a node namespace set up as an agent leaves it:
 * leases in a local store (this node and a peer behind a router), {@code weft.1} and the peer's entries
 * made by the agent's overlay from them, {@code subnet.env}, the installer's conflist.
 */
class DoctorCommandTest {
    private static final MacAddress OWN_MAC = MacAddress.parse("0e:00:00:00:00:01");
    private static final MacAddress PEER_MAC = MacAddress.parse("0e:00:00:00:00:02");

    @TempDir
    Path dir;
    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private Netlink netlink;
    private Lease peer;

    @BeforeEach
    void agentLeftTheNode() throws Exception {
        List<Lease> leases;
        try (LocalLeaseStore store = new LocalLeaseStore(dir.resolve("leases"), AgentConfig.DEFAULT_NETWORK)) {
            store.acquire(new LeaseClaim("node-1", IpPrefix.parseAddress("192.0.2.1"), OWN_MAC));
            peer = store.acquire(new LeaseClaim("node-2", IpPrefix.parseAddress("198.51.100.2"), PEER_MAC));
            leases = store.list();
        }
        Lease self = leases.stream().filter(lease -> lease.node().equals("node-1")).findFirst().orElseThrow();
        node = sandbox.namespace();
        netlink = Netlink.open(node);
        node.sysctl().set("net.ipv4.ip_forward", "1");
        node.sysctl().set("net.ipv4.conf.all.rp_filter", "2");
        netlink.links().add(LinkSpec.veth("eth0", "eth0p", null));
        ip(node, "addr", "add", "192.0.2.1/24", "dev", "eth0");
        ip(node, "link", "set", "eth0", "up");
        ip(node, "link", "set", "eth0p", "up");
        try (VxlanOverlay overlay = new VxlanOverlay(netlink, Underlay.of(netlink, "eth0"), OverlaySettings.defaults(), OWN_MAC)) {
            overlay.reconcile(self, leases);
        }
        new SubnetEnv(AgentConfig.DEFAULT_NETWORK.network(), self.gateway(), 1450, true).write(dir.resolve("run/subnet.env"));
        Files.createDirectories(dir.resolve("net.d"));
        Files.writeString(dir.resolve("net.d").resolve(CniInstaller.CONFLIST), CniInstaller.conflist("weft",
                new CniInstaller.PluginPaths(Optional.empty(), Optional.of(dir.resolve("run/subnet.env").toString()), Optional.empty())));
    }

    @AfterEach
    void removeNode() {
        netlink.close();
        sandbox.close();
    }

    /** The agent's flags for this node, and {@code extra}. */
    private WeftRun doctor(String... extra) {
        return doctor(dir.resolve("leases"), extra);
    }

    private WeftRun doctor(Path storeDir, String... extra) {
        String[] args = Stream.concat(Stream.of("doctor", "--netns", node.path().toString(), "--pods-netns-dir", dir.resolve("none").toString(),
                "--node-name", "node-1", "--iface", "eth0", "--store", "local", "--store-dir", storeDir.toString(),
                "--run-dir", dir.resolve("run").toString(), "--state-dir", dir.resolve("state").toString(),
                "--cni-conf-dir", dir.resolve("net.d").toString()), Stream.of(extra)).toArray(String[]::new);
        WeftRun run = WeftRun.weft(args);
        System.out.print(run.out() + run.err());
        return run;
    }

    @Test
    void aNodeAsTheAgentLeftItIsHealthy() throws Exception {
        WeftRun run = doctor("--json");

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = Json.mapper().readTree(run.out());
        assertThat(report.get("healthy").asBoolean()).isTrue();
        JsonNode node1 = report.get("nodes").get(0);
        assertThat(node1.get("node").asString()).isEqualTo("node-1");
        assertThat(node1.get("checks").findValuesAsString("status")).containsOnly("ok");
        assertThat(node1.get("checks").findValuesAsString("detail")).anyMatch(detail -> detail.contains("1 peer as the store has them: node-2 via VXLAN"));
    }

    @Test
    void aMissingFdbEntryIsAProblemWithExitCode1() {
        netlink.fdb().delete(FdbEntry.permanent(netlink.links().get("weft.1").index(), PEER_MAC, peer.publicIp()));

        WeftRun run = doctor();

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("✗ peers").contains("no FDB entry for peer node-2 (" + peer.subnet() + " at 198.51.100.2)")
                .endsWith("1 problem found\n");
    }

    @Test
    void aStoreDirWithoutAStoreIsAFlagError() {
        WeftRun run = doctor(dir.resolve("elsewhere"));

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("weft doctor: --store-dir: no local store in " + dir.resolve("elsewhere"));
        assertThat(dir.resolve("elsewhere")).doesNotExist();
    }

    @Test
    void theRootHelpListsDoctor() {
        var out = new StringWriter();
        CommandLine command = new CommandLine(new WeftCommand());
        command.setOut(new PrintWriter(out));
        command.execute("--help");

        assertThat(out.toString()).contains("doctor", "trace", "demo", "lab").doesNotContain("Coming with later issues");
    }
}
