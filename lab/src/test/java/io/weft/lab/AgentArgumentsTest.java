package io.weft.lab;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class AgentArgumentsTest {
    private final LabNode node = new LabNode("node2", "wl-node2", "10.200.2.1", Path.of("/lab/node2/run"), Path.of("/lab/node2/state"),
            Path.of("/lab/node2/cni/bin"), Path.of("/lab/node2/cni/net.d"));

    @Test
    void bindsTheAgentToTheClusterNicAndTheNodesOwnDirectories() {
        List<String> args = AgentArguments.of(node, LabOptions.Store.LOCAL, Path.of("/lab/store"), Optional.empty());

        assertThat(String.join(" ", args)).isEqualTo("agent --node-name node2 --iface eth0 --store local --store-dir /lab/store"
                + " --run-dir /lab/node2/run --state-dir /lab/node2/state --install-cni --cni-bin-dir /lab/node2/cni/bin"
                + " --cni-conf-dir /lab/node2/cni/net.d --in-place --no-aot-cache --http-address 127.0.0.1:9472");
    }

    @Test
    void withEtcdNamesTheLabsEndpointAndThePodNetwork() {
        List<String> args = AgentArguments.of(node, LabOptions.Store.ETCD, Path.of("/lab/store"), Optional.of("http://10.200.0.253:2379"));

        assertThat(String.join(" ", args)).contains("--store etcd --etcd-endpoints http://10.200.0.253:2379 --network 10.42.0.0/16")
                .doesNotContain("--store-dir");
    }

    @Test
    void runsWeftWithTheSmallNodeJvm() {
        WeftLauncher weft = new WeftLauncher(Path.of("/jdk/bin/java"), "/weft/lib/a.jar:/weft/lib/b.jar", "io.weft.cli.Main");

        assertThat(weft.command(AgentArguments.SMALL_NODE_JVM, List.of("agent", "--node-name", "node1"))).containsExactly(
                "/jdk/bin/java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xms8m", "-Xmx16m", "-Xss256k",
                "-XX:TieredStopAtLevel=1", "-XX:TrimNativeHeapInterval=5000",
                "-cp", "/weft/lib/a.jar:/weft/lib/b.jar", "io.weft.cli.Main", "agent", "--node-name", "node1");
    }

    /** The checkout's {@code weft} launcher, from this module's directory (where the tests run). */
    @Test
    void labAgentsRunTheJvmTheLauncherGivesAnAgent() throws IOException {
        Matcher options = Pattern.compile("(?m)^agent_java_opts=\"([^\"]*)\"$").matcher(Files.readString(Path.of("..", "weft")));

        assertThat(options.find()).as("agent_java_opts=\"…\" in ./weft").isTrue();
        assertThat(AgentArguments.SMALL_NODE_JVM).containsExactly(options.group(1).split(" "));
    }
}
