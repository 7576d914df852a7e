package io.weft.cli;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.weft.agent.lease.etcd.EtcdServer;
import io.weft.agent.lease.kube.MockKubernetesApi;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.weft.cli.OverlayEntries.reachesThroughVxlan;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The stores as a node runs them: real {@code weft agent} processes on the packaged distribution's class path
 * ({@code lib/*}), which loads the etcd and Kubernetes stores from {@code lib/etcd} and {@code lib/kubernetes}
 * ({@link io.weft.agent.StoreModules}), started with the JVM options the {@code weft} launcher gives the agent
 * ({@link AgentProcess#launcherOptions}: a 16 MiB heap, 24 MiB for the Kubernetes store), two nodes each,
 * reaching each other's pods through VXLAN; each agent opens the jars of its own store and none of the
 * other's. etcd and the Kubernetes mock server run on this JVM's loopback; each node reaches them on its own
 * loopback through a {@link LoopbackRelay}.
 */
class SmallNodeStoresIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int STORE_PORT = 2379;
    private static final String VERSION = System.getProperty("weft.version");

    @RegisterExtension
    final MockKubernetesApi api = new MockKubernetesApi();

    @TempDir
    Path dir;

    private final Sandbox sandbox = new Sandbox();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<AgentProcess> agents = new ArrayList<>();

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
    void anAgentOnTheLocalStoreOpensNoJarOfTheOtherStores() throws Exception {
        NetNamespace node = new RoutedNodes(sandbox).node("192.0.2.1", "192.0.2.254");
        Path nodeDir = Files.createDirectories(dir.resolve("node-1"));
        AgentProcess agent = AgentProcess.start(node, "node-1", classPath(), List.of("--store", "local", "--store-dir",
                dir.resolve("leases").toString()), nodeDir, nodeDir.resolve("agent.log"));
        opened.add(agent);
        agent.awaitReady(PATIENCE);

        for (String store : List.of("etcd", "kubernetes")) {
            try (Stream<Path> jars = Files.list(Dist.home().resolve("lib").resolve(store))) {
                assertThat(jars).as("the distribution's lib/%s", store).anyMatch(jar -> jar.toString().endsWith(".jar"));
            }
        }
        assertThat(jarsOpenBy(agent)).as("the jars the agent holds open").contains("weft-agent-" + VERSION + ".jar")
                .noneMatch(jar -> jar.startsWith("etcd/") || jar.startsWith("kubernetes/"));
    }

    @Test
    void aDistributionWithoutAStoresJarsRefusesThatStoreByNameAndTouchesNothing() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("dist/lib"));
        try (Stream<Path> jars = Files.list(Dist.home().resolve("lib"))) {
            for (Path jar : jars.filter(Files::isRegularFile).toList()) {
                Files.copy(jar, lib.resolve(jar.getFileName()));
            }
        }
        NetNamespace node = new RoutedNodes(sandbox).node("192.0.2.1", "192.0.2.254");
        List<String> linksBefore = ipJson(node, "link", "show").findValuesAsString("ifname");
        Path nodeDir = Files.createDirectories(dir.resolve("node-1"));
        AgentProcess agent = AgentProcess.start(node, "node-1", lib + File.separator + "*",
                List.of("--store", "etcd", "--etcd-endpoints", "http://127.0.0.1:" + STORE_PORT), nodeDir, nodeDir.resolve("agent.log"));
        opened.add(agent);

        assertThat(agent.waitForExit(PATIENCE)).as(agent.log()).isNotZero();
        assertThat(agent.log()).contains("--store: the etcd store's jars are not in " + lib.resolve("etcd"));
        assertThat(ipJson(node, "link", "show").findValuesAsString("ifname")).isEqualTo(linksBefore);
        assertThat(nodeDir.resolve("run")).doesNotExist();
    }

    @Test
    void agentsOnTheEtcdStoreWorkWithinTheLauncherOptions() throws Exception {
        assumeTrue(Files.isExecutable(EtcdServer.BINARY), "etcd is not installed at " + EtcdServer.BINARY + " (apt-get install etcd-server)");
        EtcdServer etcd = EtcdServer.start();
        opened.add(etcd);
        List<String> store = List.of("--store", "etcd", "--etcd-endpoints", "http://127.0.0.1:" + STORE_PORT);

        assertTwoNodesReachEachOther(etcd.endpoint().getPort(), store);
        assertEachAgentOpenedOnlyTheJarsOf("etcd/");
    }

    @Test
    void agentsOnTheKubernetesStoreWorkWithinTheLauncherOptions() throws Exception {
        createNode("node-1", "10.42.1.0/24");
        createNode("node-2", "10.42.2.0/24");
        Path kubeconfig = api.kubeconfig(dir.resolve("kubeconfig"), STORE_PORT);
        List<String> store = List.of("--store", "kubernetes", "--kubeconfig", kubeconfig.toString());

        assertTwoNodesReachEachOther(api.client().getMasterUrl().getPort(), store);
        assertEachAgentOpenedOnlyTheJarsOf("kubernetes/");
        for (String name : List.of("node-1", "node-2")) {
            Node node = api.client().nodes().withName(name).get();
            assertThat(node.getMetadata().getAnnotations()).as("%s's annotations", name).containsKey("weft.io/backend-data");
        }
    }

    /** Two routed nodes, each with a relay to the store on {@code storePort} and an agent on it, programming each other. */
    private void assertTwoNodesReachEachOther(int storePort, List<String> store) throws Exception {
        RoutedNodes nodes = new RoutedNodes(sandbox);
        NetNamespace node1 = nodes.node("192.0.2.1", "192.0.2.254");
        NetNamespace node2 = nodes.node("198.51.100.2", "198.51.100.254");
        AgentProcess agent1 = start(node1, "node-1", storePort, store);
        AgentProcess agent2 = start(node2, "node-2", storePort, store);
        agent1.awaitReady(PATIENCE);
        agent2.awaitReady(PATIENCE);
        AgentProcess.Holding held1 = agent1.holding();
        AgentProcess.Holding held2 = agent2.holding();

        Await.until("each node reaches the other's pods through VXLAN", PATIENCE,
                () -> reachesThroughVxlan(node1, IpPrefix.parse(held2.subnet()), MacAddress.parse(held2.vtepMac()), "198.51.100.2")
                        && reachesThroughVxlan(node2, IpPrefix.parse(held1.subnet()), MacAddress.parse(held1.vtepMac()), "192.0.2.1"));
        Thread.sleep(5_000); // a few periodic passes (every 2 s) and lease renewals within the heap
        for (AgentProcess agent : agents) {
            assertThat(agent.isAlive()).as("the agent still runs:\n%s", agent.log()).isTrue();
            assertThat(agent.log()).doesNotContain("OutOfMemoryError");
        }
    }

    private void assertEachAgentOpenedOnlyTheJarsOf(String store) throws IOException {
        for (AgentProcess agent : agents) {
            assertThat(jarsOpenBy(agent)).as("the jars the agent holds open").anyMatch(jar -> jar.startsWith(store))
                    .allMatch(jar -> jar.startsWith(store) || !jar.contains("/"));
        }
    }

    /** The distribution's jars {@code agent} holds open, by their path in {@code lib}, e.g. {@code etcd/jetcd-core-0.8.7.jar}. */
    private static List<String> jarsOpenBy(AgentProcess agent) throws IOException {
        Path lib = Dist.home().resolve("lib").toRealPath();
        assertThat(Files.readString(Path.of("/proc", Long.toString(agent.pid()), "comm")).strip()).isEqualTo("java");
        List<String> jars = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(agent.pid()), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path file = Files.readSymbolicLink(fd);
                    if (file.startsWith(lib) && file.toString().endsWith(".jar")) {
                        jars.add(lib.relativize(file).toString());
                    }
                } catch (NoSuchFileException closedMeanwhile) {
                    // a descriptor closed since the listing
                }
            }
        }
        return jars;
    }

    /** The distribution's class path, as the {@code weft} launcher gives it. */
    private static String classPath() {
        return Dist.home().resolve("lib") + File.separator + "*";
    }

    private AgentProcess start(NetNamespace node, String name, int storePort, List<String> store) throws IOException {
        opened.add(LoopbackRelay.open(node, STORE_PORT, storePort));
        Path nodeDir = dir.resolve(name);
        Files.createDirectories(nodeDir);
        AgentProcess agent = AgentProcess.start(node, name, classPath(), store, nodeDir, nodeDir.resolve("agent.log"));
        opened.add(agent);
        agents.add(agent);
        return agent;
    }

    private void createNode(String name, String podCidr) {
        api.client().nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec()
                .build()).create();
    }
}
