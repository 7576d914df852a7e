package io.weft.cli;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.weft.agent.lease.kube.K3sNodes;
import io.weft.agent.lease.kube.MockKubernetesApi;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real {@code weft agent --store kubernetes} process, with the JVM the {@code weft} launcher gives it
 * (a 24 MiB heap), in a cluster of {@value #PEERS} nodes the size of real k3s nodes
 * ({@link K3sNodes}): it programs a route to every peer (its first pass lists all nodes from the API
 * server) and lives through periodic passes while its watch keeps them all. Before the store read nodes a page at a time
 * and kept only their leases' fields, such an agent ran out of heap at 200 nodes and was never ready
 * at 1000. The mock API server serves lists in pages as a real one does ({@link MockKubernetesApi}).
 */
class KubeStoreScaleTest {
    private static final int PEERS = 1000;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int STORE_PORT = 6443;

    @RegisterExtension
    final MockKubernetesApi api = new MockKubernetesApi();

    @TempDir
    Path dir;

    private final Sandbox sandbox = new Sandbox();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        try {
            for (AutoCloseable closeable : opened.reversed()) {
                closeable.close();
            }
        } finally {
            sandbox.close();
        }
    }

    @Test
    void anAgentWithTheLauncherHeapProgramsAThousandRealisticPeersAndKeepsRunning() throws Exception {
        K3sNodes.create(api.client(), PEERS);
        api.client().nodes().resource(new NodeBuilder()
                .withNewMetadata().withName("this-node").endMetadata()
                .withNewSpec().withPodCIDR("10.43.255.0/24").withPodCIDRs("10.43.255.0/24").endSpec()
                .build()).create();
        NetNamespace node = new RoutedNodes(sandbox).node("192.0.2.1", "192.0.2.254");
        opened.add(LoopbackRelay.open(node, STORE_PORT, api.client().getMasterUrl().getPort()));
        Path kubeconfig = api.kubeconfig(dir.resolve("kubeconfig"), STORE_PORT);
        AgentProcess agent = AgentProcess.start(node, "this-node",
                List.of("--store", "kubernetes", "--kubeconfig", kubeconfig.toString(), "--network", K3sNodes.NETWORK),
                dir, dir.resolve("agent.log"));
        opened.add(agent);

        agent.awaitReady(PATIENCE);
        Set<String> peers = new HashSet<>(IntStream.range(0, PEERS).mapToObj(K3sNodes::podCidr).toList());
        Await.until("a route to each of the " + PEERS + " peers", PATIENCE, () -> {
            assertThat(agent.isAlive()).as("the agent runs:\n%s", agent.log()).isTrue();
            return new HashSet<>(OverlayEntries.routes(node)).equals(peers);
        });
        Thread.sleep(7_000); // three periodic passes (every 2 s)
        assertThat(agent.isAlive()).as("the agent still runs:\n%s", agent.log()).isTrue();
        assertThat(agent.log()).doesNotContain("OutOfMemoryError");
        assertThat(new HashSet<>(OverlayEntries.routes(node))).isEqualTo(peers);
    }
}
