package io.weft.cli;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.GetOption;
import io.weft.agent.AgentConfig;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.etcd.EtcdConfig;
import io.weft.agent.lease.etcd.EtcdLeaseStore;
import io.weft.agent.lease.etcd.RealEtcd;
import io.weft.cni.config.SubnetEnv;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code weft doctor --store etcd} against a real etcd: it reads the leases and writes nothing, not even
 * the network config an agent writes into an etcd that has none yet.
 */
class DoctorEtcdStoreTest {
    @RegisterExtension
    static final RealEtcd ETCD = new RealEtcd();

    @TempDir
    Path dir;
    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private String prefix;

    @BeforeEach
    void makeNode(TestInfo test) {
        node = sandbox.namespace();
        prefix = "/weft-doctor/" + test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void removeNode() {
        sandbox.close();
    }

    private WeftRun doctor() {
        WeftRun run = WeftRun.weft("doctor", "--netns", node.path().toString(), "--pods-netns-dir", dir.resolve("none").toString(),
                "--node-name", "node-1", "--store", "etcd", "--etcd-endpoints", ETCD.server().endpoint().toString(), "--etcd-prefix", prefix,
                "--run-dir", dir.resolve("run").toString(), "--state-dir", dir.resolve("state").toString(),
                "--cni-conf-dir", dir.resolve("net.d").toString());
        System.out.print(run.out() + run.err());
        return run;
    }

    private List<String> keys() throws Exception {
        return ETCD.client().getKVClient().get(ByteSequence.from(prefix, StandardCharsets.UTF_8), GetOption.builder().isPrefix(true).build())
                .get(5, TimeUnit.SECONDS).getKvs().stream().map(record -> record.getKey().toString(StandardCharsets.UTF_8)).toList();
    }

    @Test
    void doctorOnAnEtcdNoAgentWroteToLeavesItEmpty() throws Exception {
        WeftRun run = doctor();

        assertThat(run.err()).doesNotContain("cannot read the leases");
        assertThat(keys()).as("keys under " + prefix).isEmpty();
    }

    @Test
    void doctorReadsTheLeasesAgentsHoldAndChangesNone() throws Exception {
        EtcdConfig config = new EtcdConfig(List.of(ETCD.server().endpoint()), prefix, null, null, null, EtcdConfig.DEFAULT_TTL);
        Lease own;
        try (EtcdLeaseStore store = EtcdLeaseStore.open(config, AgentConfig.DEFAULT_NETWORK)) {
            own = store.acquire(new LeaseClaim("node-1", IpPrefix.parseAddress("192.0.2.1"), MacAddress.parse("0e:00:00:00:00:01")));
            store.acquire(new LeaseClaim("node-2", IpPrefix.parseAddress("198.51.100.2"), MacAddress.parse("0e:00:00:00:00:02")));
        }
        // a subnet.env of another subnet: the doctor tells it from the lease it read
        new SubnetEnv(AgentConfig.DEFAULT_NETWORK.network(), IpPrefix.parse("10.42.99.1/24"), 1450, true).write(dir.resolve("run/subnet.env"));
        List<String> before = keys();

        WeftRun run = doctor();

        assertThat(run.err()).doesNotContain("cannot read the leases");
        assertThat(run.out().replaceAll("\\s+", " ")) // the text report wraps its lines
                .contains("says WEFT_SUBNET=10.42.99.1/24, but this node's lease is " + own.subnet());
        assertThat(keys()).isEqualTo(before);
    }
}
