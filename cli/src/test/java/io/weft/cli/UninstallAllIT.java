package io.weft.cli;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.local.LocalLeaseStore;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.weft.netlink.testing.Sandbox.ip;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code weft uninstall --all} after a real agent ran on a node: the packaged distribution's agent,
 * in a node namespace with its run, state, CNI and runtime dirs in the test's directory, installs the
 * plugin and its runtime ({@code --install-cni}), claims a subnet, programs a direct route and a
 * VXLAN peer, masquerades, and attaches a pod through the installed forwarder. Then the agent is
 * killed, as {@code k3s-killall.sh} would, and the distribution's uninstall runs in the node: nothing
 * of Weft is left in the node's kernel or in those directories, and a second run finds nothing.
 */
class UninstallAllIT {
    private static final ObjectMapper JSON = Json.mapper();
    private static final ClusterNetwork NETWORK = new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final Sandbox sandbox = new Sandbox();
    private final List<AgentProcess> agents = new ArrayList<>();
    private NetNamespace node;
    private NetNamespace pod;
    private Path run;
    private Path state;
    private Path bin;
    private Path conf;
    private Path runtimeDir;

    @BeforeEach
    void node() {
        Dist.home();
        NetNamespace fabric = sandbox.namespace();
        ip(fabric, "link", "add", "fab", "type", "bridge");
        ip(fabric, "link", "set", "fab", "up");
        node = sandbox.namespace();
        ip(fabric, "link", "add", "n1", "type", "veth", "peer", "name", "eth0", "netns", node.name());
        ip(fabric, "link", "set", "n1", "master", "fab", "up");
        ip(node, "link", "set", "lo", "up");
        ip(node, "addr", "add", "192.0.2.1/24", "dev", "eth0");
        ip(node, "link", "set", "eth0", "up");
        ip(node, "route", "add", "default", "via", "192.0.2.254");
        pod = sandbox.namespace();
        run = dir.resolve("run/weft");
        state = dir.resolve("var/lib/weft");
        bin = dir.resolve("opt/cni/bin");
        conf = dir.resolve("etc/cni/net.d");
        runtimeDir = dir.resolve("opt/weft");
    }

    @AfterEach
    void stop() {
        try {
            agents.forEach(AgentProcess::close);
        } finally {
            sandbox.close();
        }
    }

    @Test
    void uninstallAllAfterAnAgentRanLeavesNothingOfWeftInTheNodeOrItsDirectories() throws Exception {
        // two peers, as other agents would have announced them: one on the node's subnet, one behind a router
        LocalLeaseStore store = new LocalLeaseStore(state.resolve("leases"), NETWORK);
        store.acquire(new LeaseClaim("peer-direct", IpPrefix.parseAddress("192.0.2.2"), MacAddress.parse("0a:58:00:00:00:02")));
        store.acquire(new LeaseClaim("peer-vxlan", IpPrefix.parseAddress("198.51.100.3"), MacAddress.parse("0a:58:00:00:00:03")));
        AgentProcess agent = AgentProcess.start(node, Dist.weft(List.of("agent", "--node-name", "node-1", "--iface", "eth0",
                "--store", "local", "--store-dir", state.resolve("leases").toString(), "--run-dir", run.toString(),
                "--state-dir", state.toString(), "--install-cni", "--cni-bin-dir", bin.toString(), "--cni-conf-dir", conf.toString(),
                "--runtime-dir", runtimeDir.toString(), "--no-aot-cache", "--http-address", "127.0.0.1:" + AgentProcess.HTTP_PORT)),
                dir.resolve("agent.log"));
        agents.add(agent);
        agent.awaitReady(PATIENCE);
        Await.until("a direct route and a VXLAN route", PATIENCE, () -> ipJson(node, "route", "show", "proto", "201").size() == 2);
        String podAddress = addPodThroughTheInstalledForwarder();

        assertThat(names(ipJson(node, "link", "show"))).contains("weft.1", "cni0").anyMatch(name -> name.startsWith("weft") && !name.equals("weft.1"));
        assertThat(nftTables()).contains("weft");
        assertThat(names(bin)).containsExactly("loopback", "weft", "weft-java");
        assertThat(names(conf)).containsExactly(CniInstaller.CONFLIST);
        assertThat(names(runtimeDir)).hasSize(2).contains(NodeRuntime.COMMAND).anyMatch(name -> name.matches("weft-[0-9a-f]{16}"));
        assertThat(names(state)).contains("vtep-mac", "ipam", "leases");
        assertThat(names(run)).contains("subnet.env", "cni.sock");
        assertThat(podAddress).startsWith("10.42.");

        agent.kill();
        // as a user on the node would: the weft command the install put there, on the runtime it removes
        Dist.Run uninstall = uninstallAll(List.of(runtimeDir.resolve(NodeRuntime.COMMAND).toString()));

        assertThat(uninstall.exitCode()).as(uninstall.output()).isZero();
        assertThat(uninstall.output()).contains("deleted weft.1", "deleted cni0 (the pods' bridge)", "removed " + runtimeDir,
                "removed " + state, "removed " + run);
        assertThat(names(ipJson(node, "link", "show"))).containsExactlyInAnyOrder("lo", "eth0");
        assertThat(names(ipJson(pod, "link", "show"))).as("the pod's end of its veth went with the node's").containsExactly("lo");
        assertThat(ipJson(node, "route", "show", "proto", "201")).isEmpty();
        assertThat(ipJson(node, "route", "show").findValuesAsString("dst")).noneMatch(dst -> dst.startsWith("10.42."));
        assertThat(ipJson(node, "neigh", "show").findValuesAsString("dst")).noneMatch(dst -> dst.startsWith("10.42."));
        assertThat(nftTables()).doesNotContain("weft");
        assertThat(names(bin)).isEmpty();
        assertThat(names(conf)).isEmpty();
        assertThat(runtimeDir).doesNotExist();
        assertThat(state).doesNotExist();
        assertThat(run).doesNotExist();

        Dist.Run again = uninstallAll(Dist.weft(List.of()));
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).doesNotContain("deleted", "removed");
    }

    /** {@code weft uninstall --all …} in the node, {@code weft} being the command line {@code weft}. */
    private Dist.Run uninstallAll(List<String> weft) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + node.path()));
        command.addAll(weft);
        command.addAll(List.of("uninstall", "--all", "--run-dir", run.toString(), "--state-dir", state.toString(),
                "--cni-bin-dir", bin.toString(), "--cni-conf-dir", conf.toString(), "--runtime-dir", runtimeDir.toString()));
        return Dist.run(command, dir.resolve("uninstall-" + System.nanoTime() + ".log"));
    }

    /** ADD as the runtime does it: the installed forwarder, with the installed conflist's plugin config on stdin. */
    private String addPodThroughTheInstalledForwarder() throws IOException, InterruptedException {
        JsonNode conflist = JSON.readTree(conf.resolve(CniInstaller.CONFLIST).toFile());
        ObjectNode config = (ObjectNode) conflist.get("plugins").get(0).deepCopy();
        config.put("cniVersion", conflist.get("cniVersion").asString()).put("name", conflist.get("name").asString());
        ProcessBuilder builder = new ProcessBuilder(bin.resolve("weft").toString()).redirectError(dir.resolve("add.err").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("CNI_"));
        builder.environment().putAll(java.util.Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "pod-1", "CNI_NETNS", pod.path().toString(),
                "CNI_IFNAME", "eth0", "CNI_PATH", bin.toString()));
        Process add = builder.start();
        try (OutputStream stdin = add.getOutputStream()) {
            stdin.write(JSON.writeValueAsBytes(config));
        }
        String result = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(add.waitFor()).as("ADD: %s %s", result, Files.readString(dir.resolve("add.err"))).isZero();
        String cidr = JSON.readTree(result).at("/ips/0/address").asString();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    /** The names of the nftables tables in the node. */
    private List<String> nftTables() throws IOException, InterruptedException {
        Process nft = new ProcessBuilder("nsenter", "--net=" + node.path(), "nft", "-j", "list", "tables").start();
        JsonNode tables = JSON.readTree(nft.getInputStream().readAllBytes());
        assertThat(nft.waitFor()).isZero();
        return tables.findValuesAsString("name");
    }

    private static List<String> names(JsonNode links) {
        return links.findValuesAsString("ifname");
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
