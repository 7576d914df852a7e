package io.weft.agent;

import io.weft.agent.AgentConfig.EtcdTls;
import io.weft.agent.AgentConfig.Store;
import io.weft.agent.underlay.UnderlayCriteria;
import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigTest {
    private final TestConfig config = new TestConfig();

    private static void assertRejected(Runnable build, String field, String detail) {
        assertThatThrownBy(build::run)
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageStartingWith(field + ": ")
                .hasMessageContaining(detail);
    }

    @Test
    void derivesTheFilesFromTheRunAndStateDirectories() {
        config.runDir = Path.of("/run/weft-2");
        config.stateDir = Path.of("/var/lib/weft-2");

        AgentConfig built = config.build();

        assertThat(built.cniSocket()).isEqualTo(Path.of("/run/weft-2/cni.sock"));
        assertThat(built.subnetFile()).isEqualTo(Path.of("/run/weft-2/subnet.env"));
        assertThat(built.ipamDir()).isEqualTo(Path.of("/var/lib/weft-2/ipam"));
        assertThat(built.vtepMacFile()).isEqualTo(Path.of("/var/lib/weft-2/vtep-mac"));
    }

    @Test
    void rejectsAMissingOrMalformedNodeName() {
        config.nodeName = "";
        assertRejected(config::build, "--node-name", "is required");
        config.nodeName = "node/1";
        assertRejected(config::build, "--node-name", "\"node/1\" is not a node name");
    }

    @Test
    void requiresTheNetworkExceptWithEtcd() {
        config.network = Optional.empty();
        assertRejected(config::build, "--network", "is required with --store local");

        config.store = new Store.Etcd(List.of(URI.create("http://127.0.0.1:2379")), "/weft.io/network", Optional.empty());
        assertThat(config.build().network()).isEmpty();
    }

    @Test
    void namesTheFlagOfAWrongNetworkOrSubnetLength() {
        assertRejected(() -> AgentConfig.clusterNetwork(IpPrefix.parse("10.42.0.1/16"), 24), "--network", "did you mean 10.42.0.0/16");
        assertRejected(() -> AgentConfig.clusterNetwork(IpPrefix.parse("fd00::/48"), 64), "--network", "not IPv4");
        assertRejected(() -> AgentConfig.clusterNetwork(IpPrefix.parse("10.42.0.0/29"), 30), "--network", "at most /28");
        assertRejected(() -> AgentConfig.clusterNetwork(IpPrefix.parse("10.42.0.0/16"), 31), "--subnet-len", "31 must be");
        assertRejected(() -> AgentConfig.clusterNetwork(IpPrefix.parse("10.42.0.0/16"), 16), "--subnet-len", "16 must be");
        assertThat(AgentConfig.clusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24)).isEqualTo(AgentConfig.DEFAULT_NETWORK);
    }

    @Test
    void rejectsAddressesInsideThePodNetwork() {
        config.publicIp = Optional.of(IpPrefix.parseAddress("10.42.7.1"));
        assertRejected(config::build, "--public-ip", "10.42.7.1 is inside the pod network 10.42.0.0/16");

        config.publicIp = Optional.empty();
        config.underlay = new UnderlayCriteria(List.of(), List.of(), Optional.of(IpPrefix.parseAddress("10.42.0.9")));
        assertRejected(config::build, "--iface-can-reach", "10.42.0.9 is inside the pod network");
    }

    @Test
    void rejectsRelativeDirectoriesAndASocketPathTooLongForUnix() {
        config.runDir = Path.of("run/weft");
        assertRejected(config::build, "--run-dir", "not an absolute path");
        config.runDir = Path.of("/run/" + "x".repeat(100));
        assertRejected(config::build, "--run-dir", "at most 107 bytes");
        config.runDir = AgentConfig.DEFAULT_RUN_DIR;
        config.stateDir = Path.of("state");
        assertRejected(config::build, "--state-dir", "not an absolute path");
        config.stateDir = AgentConfig.DEFAULT_STATE_DIR;
        config.installCni = Optional.of(new AgentConfig.CniInstall(Path.of("bin"), Path.of("/etc/cni/net.d")));
        assertRejected(config::build, "--cni-bin-dir", "not an absolute path");
    }

    @Test
    void rejectsAReconcileIntervalUnderASecond() {
        config.reconcileInterval = Duration.ofMillis(10);
        assertRejected(config::build, "--reconcile-interval", "shorter than a second");
    }

    @Test
    void checksEtcdEndpointsPrefixAndTls() {
        assertRejected(() -> new Store.Etcd(List.of(), "/weft", Optional.empty()), "--etcd-endpoints", "is required");
        assertRejected(() -> new Store.Etcd(List.of(URI.create("etcd:2379")), "/weft", Optional.empty()),
                "--etcd-endpoints", "etcd:2379 is not http(s)://HOST:PORT");
        assertRejected(() -> new Store.Etcd(List.of(URI.create("http://etcd:2379")), "weft", Optional.empty()),
                "--etcd-prefix", "must start with /");
        EtcdTls tls = new EtcdTls(Optional.of(Path.of("/etc/etcd/ca.pem")), Optional.empty(), Optional.empty());
        assertRejected(() -> new Store.Etcd(List.of(URI.create("http://etcd:2379")), "/weft", Optional.of(tls)),
                "--etcd-endpoints", "plain http although TLS files are given");
        assertRejected(() -> new EtcdTls(Optional.empty(), Optional.of(Path.of("/c.pem")), Optional.empty()),
                "--etcd-keyfile", "is required with --etcd-certfile");
        assertThat(new Store.Etcd(List.of(URI.create("https://etcd:2379")), "/weft", Optional.of(tls)).kind()).isEqualTo("etcd");
    }

    @Test
    void rejectsAnIfaceThatIsNeitherAnAddressNorAName() {
        assertRejected(() -> new UnderlayCriteria(List.of("eth0", "a/b"), List.of(), Optional.empty()),
                "--iface", "\"a/b\" is neither an IP address nor an interface name");
        assertRejected(() -> UnderlayCriteria.compile(List.of("eth[")), "--iface-regex", "\"eth[\" is not a regular expression");
    }
}
