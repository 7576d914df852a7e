package io.weft.cli;

import io.weft.agent.lease.etcd.EtcdServer;
import io.weft.agent.Agent;
import io.weft.agent.AgentConfig;
import io.weft.agent.LeaseStoreFactory;
import io.weft.agent.PluginInstaller;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.etcd.EtcdConfig;
import io.weft.agent.lease.etcd.EtcdLeaseStore;
import io.weft.agent.masquerade.Nft;
import io.weft.agent.underlay.UnderlayCriteria;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two real agents with the etcd store against a real etcd on loopback (etcd and the agents' store
 * clients live in the JVM's own namespace, the agents' kernel work in their node namespaces), each
 * node alone on its underlay subnet behind a router, so pods talk through VXLAN. Issue 4 asks that
 * pods keep talking while etcd is down for a minute, and that a node which stops renewing its lease
 * leaves its peers' kernels when the lease expires. The stores are the cli's ({@link AgentWiring}),
 * except where a lease must expire within the test: the cli's TTL is 60 s, so that node's store is
 * opened by the test with a short one.
 */
class EtcdClusterTest {
    private static final String PREFIX = "/weft-test";
    private static final ClusterNetwork NETWORK = AgentConfig.DEFAULT_NETWORK;
    /** Issue 4's outage. */
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    /** A lease TTL short enough for a lease to expire within the test. */
    private static final Duration SHORT_TTL = Duration.ofSeconds(6);
    private static final Duration TALK_EVERY = Duration.ofMillis(500);
    /** Generous: etcd, two agents and their pods share a slow machine with other work. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /**
     * How long the agents may take to renew once etcd is back: gRPC reconnects on an exponential
     * back-off, which after a minute's outage may be some 40 s away, and renewal runs every TTL/3 (20 s).
     */
    private static final Duration RECONNECT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final Sandbox sandbox = new Sandbox();
    private final Pods pods = new Pods();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private EtcdServer etcd;

    @BeforeEach
    void startEtcd() throws IOException {
        assumeTrue(Files.isExecutable(EtcdServer.BINARY), "etcd is not installed at " + EtcdServer.BINARY + " (apt-get install etcd-server)");
        etcd = EtcdServer.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        try {
            for (AutoCloseable closeable : opened.reversed()) {
                closeable.close();
            }
        } finally {
            try {
                pods.close();
                sandbox.close();
            } finally {
                if (etcd != null) {
                    etcd.close();
                }
            }
        }
    }

    @Test
    void podsKeepTalkingWhileEtcdIsDownForAMinuteAndBothLeasesOutliveTheOutage() throws Exception {
        RoutedNodes nodes = new RoutedNodes(sandbox);
        NetNamespace node1 = nodes.node("192.0.2.1", "192.0.2.254");
        NetNamespace node2 = nodes.node("198.51.100.2", "198.51.100.254");
        AgentConfig config1 = config("node-1");
        AgentConfig config2 = config("node-2");
        Agent agent1 = start(config1, node1, AgentWiring::openStore);
        Agent agent2 = start(config2, node2, AgentWiring::openStore);
        awaitPeerRoutes(node1, 1);
        awaitPeerRoutes(node2, 1);
        NetNamespace pod1 = sandbox.namespace();
        NetNamespace pod2 = sandbox.namespace();
        String address1 = pods.add(node1, config1, pod1);
        String address2 = pods.add(node2, config2, pod2);
        opened.add(TcpEcho.start(pod2, address2));
        assertThat(TcpEcho.exchange(pod1, address2, "hello")).isEqualTo("hello from " + address1);

        Conversation conversation = Conversation.start(pod1, address2, address1);
        opened.add(conversation);
        etcd.stop();
        Thread.sleep(OUTAGE.toMillis()); // the outage itself: nothing to await
        etcd.restart();
        Instant restarted = Instant.now();
        awaitRenewedSince(agent1, restarted);
        awaitRenewedSince(agent2, restarted);
        conversation.close();

        assertThat(conversation.failures()).as("exchanges that failed").isEmpty();
        assertThat(conversation.exchanges()).as("exchanges, one every %d ms", TALK_EVERY.toMillis())
                .isGreaterThanOrEqualTo((int) OUTAGE.toSeconds());
        assertThat(leasesInEtcd()).extracting(Lease::node, Lease::subnet).containsExactlyInAnyOrder(
                tuple("node-1", agent1.lease().orElseThrow().subnet()), tuple("node-2", agent2.lease().orElseThrow().subnet()));
        assertThat(TcpEcho.exchange(pod1, address2, "after")).isEqualTo("after from " + address1);
    }

    @Test
    void whenANodeStopsRenewingItsPeerRemovesItsRouteNeighbourAndFdbEntryOnceTheLeaseExpires() throws Exception {
        RoutedNodes nodes = new RoutedNodes(sandbox);
        NetNamespace node1 = nodes.node("192.0.2.1", "192.0.2.254");
        NetNamespace node2 = nodes.node("198.51.100.2", "198.51.100.254");
        Agent agent1 = start(config("node-1"), node1, AgentWiring::openStore);
        // the cli's etcd TTL is 60 s; node 2 gets a short one through a store of the test's own
        Agent agent2 = start(config("node-2"), node2, config -> EtcdLeaseStore.open(
                new EtcdConfig(List.of(etcd.endpoint()), PREFIX, null, null, null, SHORT_TTL), NETWORK));
        awaitPeerRoutes(node1, 1);
        awaitPeerRoutes(node2, 1);
        Lease lease1 = agent1.lease().orElseThrow();
        Lease lease2 = agent2.lease().orElseThrow();
        assertThat(OverlayEntries.reachesThroughVxlan(node1, lease2.subnet(), lease2.vtepMac(), "198.51.100.2")).isTrue();

        agent2.close();

        assertThat(OverlayEntries.routes(node2)).as("node 2's kernel state, left by its agent").containsExactly(lease1.subnet().toString());
        Await.until("node 1 removes node 2's route, neighbour and FDB entry", SHORT_TTL.plus(PATIENCE),
                () -> OverlayEntries.forgot(node1, lease2.subnet(), lease2.vtepMac()));
        assertThat(leasesInEtcd()).extracting(Lease::node).containsExactly("node-1");
        assertThat(agent1.isReady()).isTrue();
    }

    private AgentConfig config(String name) {
        return new AgentConfig(name, new UnderlayCriteria(List.of("eth0"), List.of(), Optional.empty()), Optional.empty(),
                new AgentConfig.Store.Etcd(List.of(etcd.endpoint()), PREFIX, Optional.empty()), Optional.of(NETWORK),
                AgentConfig.DirectRouting.AUTO, AgentConfig.TxChecksumOffload.AUTO, true, dir.resolve(name + "/run"), dir.resolve(name + "/state"),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(5));
    }

    private Agent start(AgentConfig config, NetNamespace node, LeaseStoreFactory stores) throws Exception {
        Agent agent = new Agent(config, node, stores, AgentWiring::createOverlay, PluginInstaller.none(), Nft.in(node));
        opened.add(agent);
        agent.start();
        assertThat(agent.awaitReady(PATIENCE)).as("%s ready; waiting for: %s", config.nodeName(), agent.notReadyReason()).isTrue();
        return agent;
    }

    /** The leases etcd holds, read by a store of the test's own. */
    private List<Lease> leasesInEtcd() {
        try (EtcdLeaseStore store = EtcdLeaseStore.open(
                new EtcdConfig(List.of(etcd.endpoint()), PREFIX, null, null, null, EtcdConfig.DEFAULT_TTL), NETWORK)) {
            return store.list();
        }
    }

    /**
     * Waits until {@code agent} renewed its lease after {@code since}: its expiry is then a full TTL
     * after it, later than any renewal before the outage could have set.
     */
    private static void awaitRenewedSince(Agent agent, Instant since) throws InterruptedException {
        Instant renewed = since.plus(EtcdConfig.DEFAULT_TTL).minusSeconds(1); // etcd answers whole seconds
        Await.until(agent.lease().orElseThrow().node() + " renews its lease after etcd is back", RECONNECT,
                () -> agent.lease().orElseThrow().expiry().isAfter(renewed));
    }

    private static void awaitPeerRoutes(NetNamespace node, int peers) throws InterruptedException {
        Await.until(node.name() + " has routes to " + peers + " peers", PATIENCE, () -> OverlayEntries.routes(node).size() == peers);
    }

    /** A TCP exchange from one pod to the echo server in another every {@link #TALK_EVERY}, on a thread of its own. */
    private static final class Conversation implements AutoCloseable {
        private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("conversation").daemon().factory());
        private final AtomicInteger exchanges = new AtomicInteger();
        private final List<String> failures = new CopyOnWriteArrayList<>();

        static Conversation start(NetNamespace client, String serverAddress, String clientAddress) {
            Conversation conversation = new Conversation();
            conversation.thread.scheduleWithFixedDelay(() -> conversation.exchange(client, serverAddress, clientAddress),
                    0, TALK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            return conversation;
        }

        private void exchange(NetNamespace client, String serverAddress, String clientAddress) {
            String line = "exchange " + exchanges.incrementAndGet();
            try {
                String answer = TcpEcho.exchange(client, serverAddress, line);
                if (!(line + " from " + clientAddress).equals(answer)) {
                    failures.add(Instant.now() + " " + line + ": answered " + answer);
                }
            } catch (RuntimeException e) {
                failures.add(Instant.now() + " " + line + ": " + e);
            }
        }

        int exchanges() {
            return exchanges.get();
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        @Override
        public void close() throws InterruptedException {
            thread.shutdown();
            thread.awaitTermination(30, TimeUnit.SECONDS);
        }
    }
}
