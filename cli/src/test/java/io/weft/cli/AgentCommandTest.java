package io.weft.cli;

import io.weft.agent.AgentConfig.DirectRouting;
import io.weft.agent.AgentConfig.Store;
import io.weft.agent.AgentConfig;
import io.weft.agent.ConfigException;
import io.weft.agent.overlay.TxChecksumOffload;
import io.weft.agent.underlay.UnderlayCriteria;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.ObjectMapper;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The flags of {@code weft agent} as a config. Never runs an agent: that would change this machine's namespace. */
class AgentCommandTest {
    private static AgentConfig parse(String... args) {
        AgentCommand command = new AgentCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }

    private static WeftRun run(String... args) {
        return WeftRun.run(new AgentCommand(), args);
    }

    @Test
    void defaultsAreTheIssues() {
        AgentConfig config = parse("--node-name", "n1");

        assertThat(config.nodeName()).isEqualTo("n1");
        assertThat(config.underlay()).isEqualTo(UnderlayCriteria.defaultRoute());
        assertThat(config.store()).isEqualTo(new Store.Local(Path.of("/var/lib/weft/leases")));
        assertThat(config.network()).contains(AgentConfig.DEFAULT_NETWORK);
        assertThat(config.directRouting()).isEqualTo(DirectRouting.AUTO);
        assertThat(config.txChecksumOffload()).isEqualTo(AgentConfig.TxChecksumOffload.AUTO);
        assertThat(config.masquerade()).isTrue();
        assertThat(config.cniSocket()).isEqualTo(Path.of("/run/weft/cni.sock"));
        assertThat(config.subnetFile()).isEqualTo(Path.of("/run/weft/subnet.env"));
        assertThat(config.ipamDir()).isEqualTo(Path.of("/var/lib/weft/ipam"));
        assertThat(config.installCni()).isEmpty();
        assertThat(config.httpAddress()).contains(new InetSocketAddress(IpPrefix.parseAddress("127.0.0.1"), 9472));
        assertThat(config.reconcileInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void everyFlagReachesTheConfig() {
        AgentConfig config = parse("--node-name", "n2", "--iface", "eth1", "--iface", "10.0.0.5", "--iface-regex", "^en",
                "--iface-can-reach", "10.0.0.1", "--public-ip", "203.0.113.7", "--store", "etcd",
                "--etcd-endpoints", "https://10.0.0.1:2379,https://10.0.0.2:2379", "--etcd-prefix", "/lab",
                "--etcd-cafile", "/etc/etcd/ca.pem", "--network", "10.50.0.0/16", "--subnet-len", "26",
                "--direct-routing", "off", "--tx-checksum-offload", "off", "--masquerade", "off", "--run-dir", "/run/weft-2", "--state-dir", "/var/lib/weft-2",
                "--install-cni", "--cni-bin-dir", "/opt/cni/bin2", "--cni-conf-dir", "/etc/cni/net2.d",
                "--http-address", "[::1]:9000", "--reconcile-interval", "5m");

        assertThat(config.underlay().ifaces()).containsExactly("eth1", "10.0.0.5");
        assertThat(config.underlay().ifaceRegexes()).extracting(Pattern::pattern).containsExactly("^en");
        assertThat(config.underlay().canReach()).contains(IpPrefix.parseAddress("10.0.0.1"));
        assertThat(config.publicIp()).contains(IpPrefix.parseAddress("203.0.113.7"));
        Store.Etcd etcd = (Store.Etcd) config.store();
        assertThat(etcd.endpoints()).containsExactly(URI.create("https://10.0.0.1:2379"), URI.create("https://10.0.0.2:2379"));
        assertThat(etcd.prefix()).isEqualTo("/lab");
        assertThat(etcd.tls().orElseThrow().caFile()).contains(Path.of("/etc/etcd/ca.pem"));
        assertThat(config.network()).contains(AgentConfig.clusterNetwork(IpPrefix.parse("10.50.0.0/16"), 26));
        assertThat(config.directRouting()).isEqualTo(DirectRouting.OFF);
        assertThat(config.txChecksumOffload()).isEqualTo(AgentConfig.TxChecksumOffload.OFF);
        assertThat(config.masquerade()).isFalse();
        assertThat(config.cniSocket()).isEqualTo(Path.of("/run/weft-2/cni.sock"));
        assertThat(config.vtepMacFile()).isEqualTo(Path.of("/var/lib/weft-2/vtep-mac"));
        assertThat(config.installCni()).contains(new AgentConfig.CniInstall(Path.of("/opt/cni/bin2"), Path.of("/etc/cni/net2.d")));
        assertThat(config.httpAddress()).contains(new InetSocketAddress(IpPrefix.parseAddress("::1"), 9000));
        assertThat(config.reconcileInterval()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void etcdWithoutNetworkLeavesItToTheStore() {
        AgentConfig config = parse("--node-name", "n1", "--store", "etcd", "--etcd-endpoints", "http://127.0.0.1:2379");

        assertThat(config.network()).isEmpty();
        assertThat(parse("--node-name", "n1", "--http-address", "off").httpAddress()).isEmpty();
    }

    @Test
    void kubernetesNeedsTheNodeName() {
        assumeTrue(System.getenv("NODE_NAME") == null, "NODE_NAME is set in this environment");

        assertThatThrownBy(() -> parse("--store", "kubernetes"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo("--node-name"))
                .hasMessageContaining("is required with --store kubernetes");
    }

    @Test
    void theVniAndPortMakeTheOverlaysSettings() {
        AgentCommand command = new AgentCommand();
        new CommandLine(command).parseArgs("--vni", "42", "--vxlan-port", "4789");
        AgentCommand defaults = new AgentCommand();
        new CommandLine(defaults).parseArgs();

        assertThat(List.of(command.overlaySettings().vni(), command.overlaySettings().port())).containsExactly(42, 4789);
        assertThat(defaults.overlaySettings()).isEqualTo(io.weft.agent.overlay.OverlaySettings.defaults());
    }

    @Test
    void theTxChecksumOffloadReachesTheOverlaysSettings() {
        for (String value : List.of("auto", "on", "off")) {
            AgentCommand command = new AgentCommand();
            new CommandLine(command).parseArgs("--node-name", "n1", "--tx-checksum-offload", value);

            assertThat(AgentWiring.overlaySettings(command.overlaySettings(), command.config()).txChecksumOffload())
                    .isEqualTo(TxChecksumOffload.valueOf(value.toUpperCase(Locale.ROOT)));
        }
    }

    @Test
    void aWrongValueExits2WithItsFlagNamed() {
        record Case(List<String> args, String err) {}
        List<Case> cases = List.of(
                new Case(List.of("--subnet-len", "31"), "weft agent: --subnet-len: 31 must be longer than the network's /16 and at most 30"),
                new Case(List.of("--network", "10.42.0.1/16"), "weft agent: --network: 10.42.0.1/16 has host bits set; did you mean 10.42.0.0/16?"),
                new Case(List.of("--public-ip", "gateway"), "weft agent: --public-ip: \"gateway\" is not an IP address"),
                new Case(List.of("--public-ip", "10.42.3.3"), "weft agent: --public-ip: 10.42.3.3 is inside the pod network 10.42.0.0/16"),
                new Case(List.of("--store", "zookeeper"), "weft agent: --store: \"zookeeper\" is not local, etcd or kubernetes"),
                new Case(List.of("--store", "etcd"), "weft agent: --etcd-endpoints: is required with --store etcd"),
                new Case(List.of("--iface-regex", "eth["), "weft agent: --iface-regex: \"eth[\" is not a regular expression"),
                new Case(List.of("--masquerade", "yes"), "weft agent: --masquerade: \"yes\" is not on or off"),
                new Case(List.of("--direct-routing", "always"), "weft agent: --direct-routing: \"always\" is not auto or off"),
                new Case(List.of("--tx-checksum-offload", "false"),
                        "weft agent: --tx-checksum-offload: \"false\" is not auto, on or off"),
                new Case(List.of("--vni", "0"), "weft agent: --vni: 0 is not in 1..16777215"),
                new Case(List.of("--vxlan-port", "65536"), "weft agent: --vxlan-port: 65536 is not a UDP port (1..65535)"),
                new Case(List.of("--http-address", "localhost:80"), "weft agent: --http-address: \"localhost:80\" is not IP:PORT"),
                new Case(List.of("--reconcile-interval", "30"), "weft agent: --reconcile-interval: \"30\" is not a duration"),
                new Case(List.of("--run-dir", "/run/" + "x".repeat(100)), "weft agent: --run-dir: /run/xxx"));
        for (Case each : cases) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--node-name", "n1"), each.args().stream())
                    .toArray(String[]::new);

            WeftRun run = run(args);

            assertThat(run.code()).as("%s", each.args()).isEqualTo(2);
            assertThat(run.err()).as("%s", each.args()).startsWith(each.err());
        }
    }

    @Test
    void theConflistCarriesTheAgentsOwnPathsWhenTheyAreNotTheDefaults() throws Exception {
        String conflist = CniInstaller.conflist("weft", new CniInstaller.PluginPaths(Optional.of("/run/weft-2/cni.sock"),
                Optional.of("/run/weft-2/subnet.env"), Optional.of("/var/lib/weft-2/ipam")));

        assertThat(Json.mapper().readTree(conflist).get("plugins").get(0)).isEqualTo(Json.mapper().readTree(
                "{\"type\":\"weft\",\"socket\":\"/run/weft-2/cni.sock\",\"subnetFile\":\"/run/weft-2/subnet.env\","
                        + "\"dataDir\":\"/var/lib/weft-2/ipam\"}"));
        assertThatThrownBy(() -> CniInstaller.conflist("weft", new CniInstaller.PluginPaths(Optional.empty(),
                Optional.of("run/subnet.env"), Optional.empty())))
                .hasMessage("subnetFile 'run/subnet.env' must be an absolute path without quotes, backslashes or control characters");
    }
}
