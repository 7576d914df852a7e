package io.weft.agent;

import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.masquerade.Nft;
import io.weft.agent.underlay.UnderlayCriteria;
import io.weft.cni.CniResponse;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent's lifecycle in a node namespace whose eth0 (192.168.77.1/24, the default route's) is a veth
 * into a fabric namespace, with a store and an overlay that are test doubles.
 */
class AgentTest {
    private static final ObjectMapper JSON = Json.mapper();

    @TempDir
    Path dir;
    private final Sandbox sandbox = new Sandbox();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final FakeLeaseStore store = new FakeLeaseStore();
    private final List<FakeOverlay> overlays = new CopyOnWriteArrayList<>();
    private final List<Agent> agents = new ArrayList<>();
    private final TestConfig config = new TestConfig();
    private PluginInstaller installer = PluginInstaller.none();
    private NetNamespace node;
    private Netlink netlink;

    @BeforeEach
    void nodeWithEth0() {
        node = sandbox.namespace();
        NetNamespace fabric = sandbox.namespace();
        netlink = Netlink.open(node);
        netlink.links().setUp("lo");
        netlink.links().add(LinkSpec.veth("eth0", "n1", fabric).withMtu(1500));
        try (Netlink fabricLinks = Netlink.open(fabric)) {
            fabricLinks.links().setUp("n1");
        }
        netlink.links().setUp("eth0");
        netlink.addresses().add(netlink.links().get("eth0").index(), IpPrefix.parse("192.168.77.1/24"));
        netlink.routes().add(Route.to(IpPrefix.parse("0.0.0.0/0")).via(IpPrefix.parseAddress("192.168.77.254")));
        config.runDir = dir.resolve("run");
        config.stateDir = dir.resolve("state");
        config.store = new AgentConfig.Store.Local(dir.resolve("leases"));
    }

    @AfterEach
    void cleanUp() {
        agents.forEach(Agent::close);
        http.close();
        netlink.close();
        sandbox.close();
    }

    private Agent agent() {
        Agent agent = new Agent(config.build(), node, c -> store, (nl, underlay, mac, c) -> {
            FakeOverlay overlay = new FakeOverlay(nl);
            overlays.add(overlay);
            return overlay;
        }, installer, Nft.in(node));
        agents.add(agent);
        return agent;
    }

    private Agent startReady() throws Exception {
        Agent agent = agent();
        agent.start();
        assertThat(agent.awaitReady(Duration.ofSeconds(60))).as("ready; waiting for: %s", agent.notReadyReason()).isTrue();
        return agent;
    }

    private HttpResponse<String> get(Agent agent, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + agent.http().orElseThrow().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> nftTables() {
        return Sandbox.run(List.of("ip", "netns", "exec", node.name(), "nft", "list", "tables")).lines().map(String::strip).toList();
    }

    private static List<String> files(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void setsUpTheNodeAndBecomesReady() throws Exception {
        Agent agent = startReady();

        assertThat(config.runDir.resolve("subnet.env")).hasContent("""
                WEFT_NETWORK=10.42.0.0/16
                WEFT_SUBNET=10.42.1.1/24
                WEFT_MTU=1450
                WEFT_IPMASQ=true""");
        assertThat(files(config.runDir)).containsExactly("cni.sock", "subnet.env"); // no temporary file left over

        JsonNode cni0 = ipJson(node, "-d", "address", "show", "dev", "cni0").get(0);
        assertThat(cni0.get("linkinfo").get("info_kind").asString()).isEqualTo("bridge");
        assertThat(cni0.get("flags").toString()).contains("\"UP\"");
        assertThat(cni0.get("address").asString()).isEqualTo("0a:58:0a:2a:01:01");
        assertThat(cni0.get("mtu").asInt()).isEqualTo(1450);
        assertThat(cni0.get("addr_info").findValuesAsString("local")).containsExactly("10.42.1.1");
        assertThat(cni0.get("addr_info").get(0).get("prefixlen").asInt()).isEqualTo(24);
        assertThat(node.sysctl().get("net.ipv4.ip_forward")).isEqualTo("1");
        assertThat(nftTables()).containsExactly("table ip weft");

        LeaseClaim claim = store.claims.getFirst();
        assertThat(claim.node()).isEqualTo("node-1");
        assertThat(claim.publicIp()).isEqualTo(IpPrefix.parseAddress("192.168.77.1"));
        assertThat(config.stateDir.resolve("vtep-mac")).hasContent(claim.vtepMac().toString());
        assertThat(agent.underlay().name()).isEqualTo("eth0");
        assertThat(overlays).hasSize(1);
        assertThat(overlays.getFirst().passes).isNotEmpty();

        CniResponse version = CniSocketClient.call(config.runDir.resolve("cni.sock"), Map.of("CNI_COMMAND", "VERSION"),
                "{\"cniVersion\":\"1.0.0\"}");
        assertThat(version.exitCode()).isZero();
        assertThat(JSON.readTree(version.stdout()).get("supportedVersions").toString()).contains("1.0.0");

        HttpResponse<String> readyz = get(agent, "/readyz");
        assertThat(readyz.statusCode()).isEqualTo(200);
        assertThat(get(agent, "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(agent, "/metrics").body())
                .contains("weft_cni_requests_total{command=\"VERSION\",result=\"ok\"} 1.0")
                .contains("weft_reconcile_runs_total{result=\"ok\"}");
    }

    @Test
    void waitsNotReadyWhileTheStoreHasNoLeaseForTheNode() throws Exception {
        store.notReady = "node node-1 has no podCIDR yet";
        Agent agent = agent();
        agent.start();
        Await.until("a claim refused", () -> agent.notReadyReason().orElse("").contains("podCIDR"));

        HttpResponse<String> readyz = get(agent, "/readyz");
        assertThat(readyz.statusCode()).isEqualTo(503);
        assertThat(readyz.body()).startsWith("waiting for a lease from the local store: node node-1 has no podCIDR yet");
        assertThat(get(agent, "/healthz").statusCode()).isEqualTo(200);
        assertThat(config.runDir.resolve("subnet.env")).doesNotExist();

        store.notReady = null;

        assertThat(agent.awaitReady(Duration.ofSeconds(60))).isTrue();
        assertThat(get(agent, "/readyz").statusCode()).isEqualTo(200);
        assertThat(store.claims).hasSizeGreaterThan(1);
    }

    @Test
    void isReadyOnlyOnceThePluginIsInstalled() throws Exception {
        Path bin = dir.resolve("bin");
        config.installCni = Optional.of(new AgentConfig.CniInstall(bin, dir.resolve("conf")));
        AtomicInteger attempts = new AtomicInteger();
        installer = installing -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IOException("cannot write in " + bin + ": read-only file system");
            }
            assertThat(installing.cniSocket()).isEqualTo(config.runDir.resolve("cni.sock"));
        };
        Agent agent = agent();
        agent.start();
        Await.until("a failed install", () -> attempts.get() >= 1);
        Await.until("the reason on /readyz", () -> agent.notReadyReason().orElse("").contains("read-only"));

        assertThat(get(agent, "/readyz").body())
                .startsWith("setting up the node failed: cannot write in " + bin + ": read-only file system (trying again in 1 s)");

        assertThat(agent.awaitReady(Duration.ofSeconds(60))).isTrue();
        assertThat(attempts).hasValue(2);
    }

    @Test
    void claimsWithThePublicIpWhenOneIsGiven() throws Exception {
        config.publicIp = Optional.of(IpPrefix.parseAddress("203.0.113.7"));

        startReady();

        assertThat(store.claims.getFirst().publicIp()).isEqualTo(IpPrefix.parseAddress("203.0.113.7"));
    }

    @Test
    void stopLeavesTheKernelStateAndSubnetFileInPlace() throws Exception {
        Agent agent = startReady();
        String bridgeBefore = ipJson(node, "address", "show", "dev", "cni0").toString();

        agent.close();

        assertThat(ipJson(node, "address", "show", "dev", "cni0").toString()).isEqualTo(bridgeBefore);
        assertThat(ipJson(node, "link", "show", "dev", Agent.OVERLAY_DEVICE)).hasSize(1);
        assertThat(nftTables()).containsExactly("table ip weft");
        assertThat(files(config.runDir)).containsExactly("subnet.env"); // the socket goes: the forwarder falls back
        assertThat(overlays.getFirst().closed).isTrue();
        assertThat(store.closed).isTrue();
    }

    @Test
    void keepsTheVtepMacAcrossRestarts() throws Exception {
        startReady().close();
        startReady().close();

        assertThat(store.claims).hasSize(2);
        MacAddress first = store.claims.get(0).vtepMac();
        assertThat(store.claims.get(1).vtepMac()).isEqualTo(first);
        assertThat(config.stateDir.resolve("vtep-mac")).hasContent(first.toString());
    }

    @Test
    void adoptsTheMacOfAnExistingDeviceWhenTheStateWasWiped() throws Exception {
        MacAddress existing = MacAddress.parse("0e:11:22:33:44:55");
        netlink.links().add(LinkSpec.bridge(Agent.OVERLAY_DEVICE).withMac(existing));

        startReady();

        assertThat(store.claims.getFirst().vtepMac()).isEqualTo(existing);
    }

    @Test
    void reconcilesWhenThePeersChangeInTheStore() throws Exception {
        config.reconcileInterval = Duration.ofHours(1);
        startReady();
        FakeOverlay overlay = overlays.getFirst();
        Lease peer = new Lease("node-2", IpPrefix.parse("10.42.2.0/24"), IpPrefix.parseAddress("192.168.77.2"),
                MacAddress.parse("0e:00:00:00:00:02"), Instant.MAX);

        store.put(peer);

        Await.until("a pass with node-2", () -> overlay.passes.stream().anyMatch(pass -> pass.contains(peer)));
    }

    @Test
    void thePeriodicPassListsTheStoreAgainForWhatNoEventSaid() throws Exception {
        config.reconcileInterval = Duration.ofSeconds(1);
        startReady();
        FakeOverlay overlay = overlays.getFirst();
        Lease unannounced = new Lease("node-2", IpPrefix.parse("10.42.2.0/24"), IpPrefix.parseAddress("192.168.77.2"),
                MacAddress.parse("0e:00:00:00:00:02"), Instant.MAX);
        Lease announced = new Lease("node-3", IpPrefix.parse("10.42.3.0/24"), IpPrefix.parseAddress("192.168.77.3"),
                MacAddress.parse("0e:00:00:00:00:03"), Instant.MAX);

        store.putSilently(unannounced);
        Await.until("a periodic pass with node-2", () -> overlay.passes.stream().anyMatch(pass -> pass.contains(unannounced)));
        store.put(announced);

        Await.until("a pass with node-3", () -> overlay.passes.stream().anyMatch(pass -> pass.contains(announced)));
        assertThat(overlay.passes.getLast()).contains(unannounced, announced);
    }

    @Test
    void restoresTheOverlayDeviceWhenSomeoneDeletesIt() throws Exception {
        config.reconcileInterval = Duration.ofHours(1);
        startReady();
        int passes = overlays.getFirst().passes.size();

        Sandbox.ip(node, "link", "delete", Agent.OVERLAY_DEVICE);

        Await.until("weft.1 back", () -> netlink.links().find(Agent.OVERLAY_DEVICE).isPresent());
        assertThat(overlays.getFirst().passes.size()).isGreaterThan(passes);
    }

    @Test
    void thePeriodicPassPutsBackWhatWasUndoneByHand() throws Exception {
        config.reconcileInterval = Duration.ofSeconds(1);
        Agent agent = startReady();
        Path subnetFile = config.runDir.resolve("subnet.env");
        String subnetEnv = Files.readString(subnetFile);

        Files.delete(subnetFile);
        node.sysctl().set("net.ipv4.ip_forward", "0");
        Sandbox.ip(node, "address", "flush", "dev", "cni0");
        Sandbox.run(List.of("ip", "netns", "exec", node.name(), "nft", "flush", "chain", "ip", "weft", "postrouting"));

        Await.until("subnet.env back", () -> Files.exists(subnetFile));
        assertThat(subnetFile).hasContent(subnetEnv);
        Await.until("forwarding back", () -> node.sysctl().get("net.ipv4.ip_forward").equals("1"));
        Await.until("the gateway back on cni0",
                () -> ipJson(node, "address", "show", "dev", "cni0").findValuesAsString("local").contains("10.42.1.1"));
        Await.until("the masquerade rule back", () -> Sandbox.run(List.of("ip", "netns", "exec", node.name(), "nft", "list",
                "chain", "ip", "weft", "postrouting")).contains("masquerade fully-random"));
        Await.until("the repair counted", () -> metricsText(agent).contains("weft_masquerade_repairs_total 1.0"));
    }

    private String metricsText(Agent agent) {
        try {
            return get(agent, "/metrics").body();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void renewsTheLeaseAsOftenAsTheStoreAsks() throws Exception {
        store.renewInterval = Duration.ofMillis(100);
        Agent agent = startReady();

        Await.until("two renewals", () -> store.renewals.get() >= 2);
        assertThat(get(agent, "/metrics").body()).containsPattern("weft_lease_renewals_total [1-9]");
    }

    @Test
    void turningMasqueradeOffRemovesTheTable() throws Exception {
        startReady().close();
        assertThat(nftTables()).containsExactly("table ip weft");
        config.masquerade = false;

        startReady();

        assertThat(nftTables()).isEmpty();
        assertThat(config.runDir.resolve("subnet.env")).content().contains("WEFT_IPMASQ=false");
    }

    @Test
    void anUnknownInterfaceFailsTheStartAndChangesNothing() {
        config.underlay = new UnderlayCriteria(List.of("eth9"), List.of(), Optional.empty());
        Agent agent = agent();

        assertThatThrownBy(agent::start)
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo("--iface"))
                .hasMessageContaining("none of eth9");
        assertNothingChanged();
    }

    @Test
    void aPodNetworkOverlappingTheUnderlayFailsTheStartAndChangesNothing() {
        netlink.addresses().delete(netlink.links().get("eth0").index(), IpPrefix.parse("192.168.77.1/24"));
        netlink.addresses().add(netlink.links().get("eth0").index(), IpPrefix.parse("10.42.200.1/24"));
        netlink.routes().replace(Route.to(IpPrefix.parse("0.0.0.0/0")).via(IpPrefix.parseAddress("10.42.200.254")));
        Agent agent = agent();

        assertThatThrownBy(agent::start)
                .isInstanceOf(ConfigException.class)
                .hasMessage("--network: 10.42.0.0/16 overlaps the subnet 10.42.200.0/24 of the underlay eth0:"
                        + " pods and nodes need address ranges of their own");
        assertNothingChanged();
        assertThat(store.closed).isTrue();
    }

    private void assertNothingChanged() {
        assertThat(netlink.links().find("cni0")).isEmpty();
        assertThat(netlink.links().find(Agent.OVERLAY_DEVICE)).isEmpty();
        assertThat(nftTables()).isEmpty();
        assertThat(dir.resolve("run")).doesNotExist();
        assertThat(dir.resolve("state")).doesNotExist();
        assertThat(overlays).isEmpty();
    }
}
