package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.KnownLeases;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseEvent;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The Kubernetes API is exercised with fabric8's mock server in CRUD mode — the one part we cannot
 * run for real here. What the mock stores is what these tests read back; it does not accept
 * strategic merge patches, which is why the condition is written with a JSON patch.
 */
class KubeLeaseStoreTest {
    private static final ClusterNetwork NETWORK = new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24);
    private static final MacAddress MAC_A = MacAddress.parse("0a:58:0a:2a:01:00");
    private static final MacAddress MAC_B = MacAddress.parse("0a:58:0a:2a:02:00");
    private static final InetAddress IP_A = IpPrefix.parseAddress("192.168.50.11");
    private static final InetAddress IP_B = IpPrefix.parseAddress("192.168.50.12");
    private static final Duration AWAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final MockKubernetesApi api = new MockKubernetesApi();

    @TempDir
    Path dir;
    private final List<KubeLeaseStore> stores = new ArrayList<>();
    private final List<AutoCloseable> watches = new ArrayList<>();
    private final BlockingQueue<LeaseEvent> events = new LinkedBlockingQueue<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable watch : watches) {
            watch.close();
        }
        stores.forEach(KubeLeaseStore::close);
    }

    private KubeLeaseStore store(String node) {
        KubeLeaseStore store = new KubeLeaseStore(api.client(), node, NETWORK);
        stores.add(store);
        return store;
    }

    private Node createNode(String name, String podCidr, Map<String, String> annotations) {
        NodeBuilder node = new NodeBuilder()
                .withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
                .withNewStatus().addToConditions(condition("Ready", "True", "KubeletReady")).endStatus();
        if (podCidr != null) {
            node.withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec();
        }
        return api.client().nodes().resource(node.build()).create();
    }

    private static NodeCondition condition(String type, String status, String reason) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withLastTransitionTime("2026-01-01T00:00:00Z").build();
    }

    private static Map<String, String> weftAnnotations(MacAddress mac, String publicIp) {
        return Map.of(NodeLeases.BACKEND_DATA, "{\"vni\":1,\"vtepMAC\":\"" + mac + "\"}",
                NodeLeases.BACKEND_TYPE, "vxlan",
                NodeLeases.PUBLIC_IP, publicIp);
    }

    private Node node(String name) {
        return api.client().nodes().withName(name).get();
    }

    /** With a JSON patch: the mock's merge patch stores a null instead of removing the key. */
    private void removeAnnotations(String node, String... keys) {
        String operations = Stream.of(keys)
                .map(key -> "{\"op\":\"remove\",\"path\":\"/metadata/annotations/" + key.replace("/", "~1") + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
        api.client().nodes().withName(node).patch(PatchContext.of(PatchType.JSON), operations);
    }

    private static List<NodeCondition> conditionsOf(Node node, String type) {
        return node.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).toList();
    }

    private LeaseEvent awaitEvent(String what, Predicate<LeaseEvent> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        List<LeaseEvent> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            LeaseEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (event != null && wanted.test(event)) {
                return event;
            }
            if (event != null) {
                seen.add(event);
            }
        }
        return fail("no event " + what + " within " + AWAIT + "; saw " + seen);
    }

    private static Predicate<LeaseEvent> updated(Lease lease) {
        return event -> event instanceof LeaseEvent.Updated(Lease got) && got.equals(lease);
    }

    private static Predicate<LeaseEvent> removed(String node) {
        return event -> event instanceof LeaseEvent.Removed(String name, IpPrefix subnet) && name.equals(node);
    }

    @Test
    void acquireLeasesThePodCidrOfTheNodeWithoutExpiry() {
        createNode("node-a", "10.42.1.0/24", Map.of());
        KubeLeaseStore store = store("node-a");

        Lease lease = store.acquire(new LeaseClaim("node-a", IP_A, MAC_A));

        assertThat(lease).isEqualTo(new Lease("node-a", IpPrefix.parse("10.42.1.0/24"), IP_A, MAC_A, Instant.MAX));
        assertThat(store.renewInterval()).isEqualTo(Duration.ZERO);
    }

    @Test
    void acquireWritesBackendDataBackendTypeAndPublicIpAnnotations() {
        createNode("node-a", "10.42.1.0/24", Map.of("keep.me/too", "yes"));

        store("node-a").acquire(new LeaseClaim("node-a", IP_A, MAC_A));

        assertThat(node("node-a").getMetadata().getAnnotations())
                .containsEntry(NodeLeases.BACKEND_DATA, "{\"vni\":1,\"vtepMAC\":\"0a:58:0a:2a:01:00\"}")
                .containsEntry(NodeLeases.BACKEND_TYPE, "vxlan")
                .containsEntry(NodeLeases.PUBLIC_IP, "192.168.50.11")
                .containsEntry("keep.me/too", "yes");
    }

    @Test
    void acquireSetsNetworkUnavailableFalseBesideTheOtherConditions() {
        createNode("node-a", "10.42.1.0/24", Map.of());

        store("node-a").acquire(new LeaseClaim("node-a", IP_A, MAC_A));

        Node node = node("node-a");
        assertThat(conditionsOf(node, "NetworkUnavailable")).singleElement().satisfies(condition -> {
            assertThat(condition.getStatus()).isEqualTo("False");
            assertThat(condition.getReason()).isEqualTo("WeftIsUp");
            assertThat(condition.getMessage()).isNotBlank();
            assertThat(condition.getLastTransitionTime()).isNotBlank();
        });
        assertThat(conditionsOf(node, "Ready")).singleElement().extracting(NodeCondition::getStatus).isEqualTo("True");
    }

    @Test
    void acquireReplacesANetworkUnavailableConditionSetByOthers() {
        createNode("node-a", "10.42.1.0/24", Map.of());
        api.client().nodes().withName("node-a").subresource("status").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"add\",\"path\":\"/status/conditions/-\",\"value\":{\"type\":\"NetworkUnavailable\","
                        + "\"status\":\"True\",\"reason\":\"NoRouteCreated\"}}]");

        store("node-a").acquire(new LeaseClaim("node-a", IP_A, MAC_A));

        Node node = node("node-a");
        assertThat(conditionsOf(node, "NetworkUnavailable")).singleElement().satisfies(condition -> {
            assertThat(condition.getStatus()).isEqualTo("False");
            assertThat(condition.getReason()).isEqualTo("WeftIsUp");
        });
        assertThat(conditionsOf(node, "Ready")).hasSize(1);
    }

    @Test
    void acquireAgainWritesNothingWhenTheNodeIsUpToDate() {
        createNode("node-a", "10.42.1.0/24", Map.of());
        KubeLeaseStore store = store("node-a");
        store.acquire(new LeaseClaim("node-a", IP_A, MAC_A));
        String version = node("node-a").getMetadata().getResourceVersion();

        store.acquire(new LeaseClaim("node-a", IP_A, MAC_A));

        assertThat(node("node-a").getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void acquireFailsClearlyWhileTheNodeHasNoPodCidr() {
        createNode("node-a", null, Map.of());

        assertThatThrownBy(() -> store("node-a").acquire(new LeaseClaim("node-a", IP_A, MAC_A)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node node-a has no podCIDR yet")
                .hasMessageContaining("allocate-node-cidrs");
        assertThat(node("node-a").getMetadata().getAnnotations()).doesNotContainKey(NodeLeases.BACKEND_DATA);
    }

    @Test
    void acquireTakesTheIpv4EntryOfDualStackPodCidrs() {
        api.client().nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata()
                .withNewSpec().withPodCIDR("fd42::/64").withPodCIDRs("fd42::/64", "10.42.7.0/24").endSpec()
                .build()).create();

        Lease lease = store("node-a").acquire(new LeaseClaim("node-a", IP_A, MAC_A));

        assertThat(lease.subnet()).isEqualTo(IpPrefix.parse("10.42.7.0/24"));
    }

    @Test
    void acquireRejectsAPodCidrOutsideTheNetwork() {
        createNode("node-a", "10.244.1.0/24", Map.of());

        assertThatThrownBy(() -> store("node-a").acquire(new LeaseClaim("node-a", IP_A, MAC_A)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("10.244.1.0/24")
                .hasMessageContaining("outside the network 10.42.0.0/16");
    }

    @Test
    void acquireFailsForANodeThatDoesNotExist() {
        assertThatThrownBy(() -> store("nowhere").acquire(new LeaseClaim("nowhere", IP_A, MAC_A)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node nowhere does not exist");
    }

    @Test
    void acquireHonoursThePublicIpOverwriteAnnotation() {
        createNode("node-a", "10.42.1.0/24", Map.of(NodeLeases.PUBLIC_IP_OVERWRITE, "203.0.113.7"));

        Lease lease = store("node-a").acquire(new LeaseClaim("node-a", IP_A, MAC_A));

        assertThat(lease.publicIp()).isEqualTo(IpPrefix.parseAddress("203.0.113.7"));
        assertThat(node("node-a").getMetadata().getAnnotations()).containsEntry(NodeLeases.PUBLIC_IP, "203.0.113.7");
    }

    @Test
    void renewRestoresAnnotationsSomeoneRemoved() {
        createNode("node-a", "10.42.1.0/24", Map.of());
        KubeLeaseStore store = store("node-a");
        Lease lease = store.acquire(new LeaseClaim("node-a", IP_A, MAC_A));
        removeAnnotations("node-a", NodeLeases.BACKEND_DATA, NodeLeases.PUBLIC_IP);
        assertThat(node("node-a").getMetadata().getAnnotations()).doesNotContainKey(NodeLeases.BACKEND_DATA);

        Lease renewed = store.renew(lease);

        assertThat(renewed).isEqualTo(lease);
        assertThat(node("node-a").getMetadata().getAnnotations())
                .containsEntry(NodeLeases.BACKEND_DATA, "{\"vni\":1,\"vtepMAC\":\"0a:58:0a:2a:01:00\"}")
                .containsEntry(NodeLeases.PUBLIC_IP, "192.168.50.11");
    }

    @Test
    void listReturnsNodesRunningWeftAndSkipsTheOthers() {
        createNode("node-a", "10.42.1.0/24", weftAnnotations(MAC_A, "192.168.50.11"));
        createNode("node-b", "10.42.2.0/24", Map.of(NodeLeases.BACKEND_DATA, "{\"vni\":1,\"vtepMAC\":\"" + MAC_B + "\"}",
                NodeLeases.PUBLIC_IP, "192.168.50.12", NodeLeases.PUBLIC_IP_OVERWRITE, "203.0.113.8"));
        createNode("not-yet", "10.42.3.0/24", Map.of());
        createNode("no-cidr", null, weftAnnotations(MAC_B, "192.168.50.14"));
        createNode("garbled", "10.42.5.0/24", Map.of(NodeLeases.BACKEND_DATA, "{not json", NodeLeases.PUBLIC_IP, "192.168.50.15"));

        List<Lease> leases = store("node-a").list();

        assertThat(leases).containsExactlyInAnyOrder(
                new Lease("node-a", IpPrefix.parse("10.42.1.0/24"), IP_A, MAC_A, Instant.MAX),
                new Lease("node-b", IpPrefix.parse("10.42.2.0/24"), IpPrefix.parseAddress("203.0.113.8"), MAC_B, Instant.MAX));
    }

    @Test
    void listIncludesTheLeaseThisNodeAcquired() {
        createNode("node-a", "10.42.1.0/24", Map.of());
        KubeLeaseStore store = store("node-a");

        Lease lease = store.acquire(new LeaseClaim("node-a", IP_A, MAC_A));

        assertThat(store.list()).containsExactly(lease);
    }

    @Test
    void listReadsAllNodesAPageAtATime() {
        List<String> nodes = createWeftNodes(2 * (int) NodePages.PAGE_SIZE + 50);
        KubeLeaseStore store = store(nodes.getFirst());
        int requests = api.server().getRequestCount();

        List<Lease> leases = store.list();

        assertThat(leases).extracting(Lease::node).containsExactlyInAnyOrderElementsOf(nodes);
        assertThat(api.server().getRequestCount() - requests).as("pages of %d", NodePages.PAGE_SIZE).isEqualTo(3);
    }

    @Test
    void listWhileAWatchIsUpReadsTheWatchCacheNotTheApiServer() throws Exception {
        createNode("node-a", "10.42.1.0/24", weftAnnotations(MAC_A, "192.168.50.11"));
        KubeLeaseStore store = store("node-a");
        Lease a = new Lease("node-a", IpPrefix.parse("10.42.1.0/24"), IP_A, MAC_A, Instant.MAX);
        watches.add(store.watch(events::add));
        awaitEvent("Updated node-a", updated(a));
        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_B, "192.168.50.12"));
        Lease b = new Lease("node-b", IpPrefix.parse("10.42.2.0/24"), IP_B, MAC_B, Instant.MAX);
        awaitEvent("Updated node-b", updated(b));
        int requests = api.server().getRequestCount();

        List<Lease> leases = store.list();

        assertThat(leases).containsExactlyInAnyOrder(a, b);
        assertThat(api.server().getRequestCount()).as("requests to the API server").isEqualTo(requests);
    }

    @Test
    void listOnceTheWatchIsClosedAsksTheApiServer() throws Exception {
        createNode("node-a", "10.42.1.0/24", weftAnnotations(MAC_A, "192.168.50.11"));
        KubeLeaseStore store = store("node-a");
        AutoCloseable watch = store.watch(events::add);
        awaitEvent("Updated node-a", updated(new Lease("node-a", IpPrefix.parse("10.42.1.0/24"), IP_A, MAC_A, Instant.MAX)));
        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_B, "192.168.50.12"));
        awaitEvent("Updated node-b", updated(new Lease("node-b", IpPrefix.parse("10.42.2.0/24"), IP_B, MAC_B, Instant.MAX)));
        watch.close(); // no event on its way: the mock can hang on one sent to a watch being closed (MockKubernetesApi)
        int requests = api.server().getRequestCount();

        List<Lease> leases = store.list();

        assertThat(leases).extracting(Lease::node).containsExactlyInAnyOrder("node-a", "node-b");
        assertThat(api.server().getRequestCount()).as("requests to the API server").isEqualTo(requests + 1);
    }

    @Test
    void watchReportsAllNodesOfAListOfSeveralPages() throws Exception {
        List<String> nodes = createWeftNodes(2 * (int) NodePages.PAGE_SIZE + 50);

        watches.add(store(nodes.getFirst()).watch(events::add));

        List<String> reported = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            LeaseEvent event = events.poll(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("event %d of %d", i + 1, nodes.size()).isInstanceOf(LeaseEvent.Updated.class);
            reported.add(((LeaseEvent.Updated) event).lease().node());
        }
        assertThat(reported).containsExactlyInAnyOrderElementsOf(nodes);
    }

    /** Nodes running Weft, each with a /24 of its own, more than fit one page of a list; their names. */
    private List<String> createWeftNodes(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = "node-%03d".formatted(i);
            createNode(name, "10.42.%d.0/24".formatted(i), weftAnnotations(MacAddress.parse("0a:58:0a:2a:%02x:00".formatted(i)), "192.168.50." + i));
            names.add(name);
        }
        return names;
    }

    @Test
    void watchReportsANewAnnotatedNodeAsUpdated() throws Exception {
        watches.add(store("node-a").watch(events::add));

        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_B, "192.168.50.12"));

        awaitEvent("Updated node-b", updated(new Lease("node-b", IpPrefix.parse("10.42.2.0/24"), IP_B, MAC_B, Instant.MAX)));
    }

    @Test
    void watchReportsANodeWhenItsAgentAnnotatesIt() throws Exception {
        createNode("node-b", "10.42.2.0/24", Map.of());
        watches.add(store("node-a").watch(events::add));

        Lease lease = store("node-b").acquire(new LeaseClaim("node-b", IP_B, MAC_B));

        awaitEvent("Updated node-b", updated(lease));
    }

    @Test
    void watchReportsAChangedVtepMacAsUpdated() throws Exception {
        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_A, "192.168.50.12"));
        watches.add(store("node-a").watch(events::add));

        Lease lease = store("node-b").acquire(new LeaseClaim("node-b", IP_B, MAC_B));

        awaitEvent("Updated node-b with the new MAC", updated(lease));
    }

    @Test
    void watchReportsADeletedNodeAsRemoved() throws Exception {
        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_B, "192.168.50.12"));
        watches.add(store("node-a").watch(events::add));

        api.client().nodes().withName("node-b").delete();

        LeaseEvent event = awaitEvent("Removed node-b", removed("node-b"));
        assertThat(event).isEqualTo(new LeaseEvent.Removed("node-b", IpPrefix.parse("10.42.2.0/24")));
    }

    @Test
    void watchReportsANodeWhoseAnnotationsWereRemovedAsRemoved() throws Exception {
        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_B, "192.168.50.12"));
        watches.add(store("node-a").watch(events::add));

        removeAnnotations("node-b", NodeLeases.BACKEND_DATA);

        awaitEvent("Removed node-b", removed("node-b"));
    }

    @Test
    void watchReportsANewPodCidrAsRemovedAtTheOldSubnetThenUpdated() throws Exception {
        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_B, "192.168.50.12"));
        watches.add(store("node-a").watch(events::add));
        awaitEvent("Updated node-b", updated(new Lease("node-b", IpPrefix.parse("10.42.2.0/24"), IP_B, MAC_B, Instant.MAX)));

        changePodCidr("node-b", "10.42.9.0/24");

        LeaseEvent removal = awaitEvent("Removed node-b", removed("node-b"));
        assertThat(removal).isEqualTo(new LeaseEvent.Removed("node-b", IpPrefix.parse("10.42.2.0/24")));
        awaitEvent("Updated node-b at its new subnet",
                updated(new Lease("node-b", IpPrefix.parse("10.42.9.0/24"), IP_B, MAC_B, Instant.MAX)));
    }

    @Test
    void knownLeasesFedByTheWatchForgetTheOldSubnetOfANodeWhosePodCidrChanged() throws Exception {
        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_B, "192.168.50.12"));
        KubeLeaseStore store = store("node-a");
        KnownLeases known = new KnownLeases();
        watches.add(store.watch(event -> {
            known.apply(event);
            events.add(event);
        }));
        known.refresh(store::list);
        Lease moved = new Lease("node-b", IpPrefix.parse("10.42.9.0/24"), IP_B, MAC_B, Instant.MAX);

        changePodCidr("node-b", "10.42.9.0/24");

        awaitEvent("Updated node-b at its new subnet", updated(moved)); // the last event the change makes
        assertThat(known.leases()).containsExactly(moved);
    }

    /**
     * The API server keeps a podCIDR once set, but a node re-created while a watch was away comes back
     * as an update with another one. With a JSON patch: the mock's merge patch appends to podCIDRs.
     */
    private void changePodCidr(String node, String podCidr) {
        api.client().nodes().withName(node).patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/spec/podCIDR\",\"value\":\"" + podCidr + "\"},"
                        + "{\"op\":\"replace\",\"path\":\"/spec/podCIDRs\",\"value\":[\"" + podCidr + "\"]}]");
    }

    @Test
    void watchDoesNotReportNodesWithoutWeft() throws Exception {
        watches.add(store("node-a").watch(events::add));

        createNode("plain", "10.42.3.0/24", Map.of());
        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_B, "192.168.50.12"));

        // events arrive in order: once node-b's is here, plain's would have been too
        awaitEvent("Updated node-b", updated(new Lease("node-b", IpPrefix.parse("10.42.2.0/24"), IP_B, MAC_B, Instant.MAX)));
        assertThat(events).noneMatch(event -> event instanceof LeaseEvent.Updated(Lease lease) && lease.node().equals("plain"));
    }

    @Test
    void connectReadsTheClusterFromAKubeconfig() throws IOException {
        createNode("node-b", "10.42.2.0/24", weftAnnotations(MAC_B, "192.168.50.12"));
        Path kubeconfig = api.kubeconfig(dir.resolve("kubeconfig"));

        try (KubeLeaseStore store = KubeLeaseStore.connect(Optional.of(kubeconfig), "node-a", NETWORK)) {
            assertThat(store.list()).extracting(Lease::node).containsExactly("node-b");
        }
    }

    @Test
    void connectNamesAMissingKubeconfig() {
        Path missing = dir.resolve("nope");

        assertThatThrownBy(() -> KubeLeaseStore.connect(Optional.of(missing), "node-a", NETWORK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kubeconfig " + missing);
    }
}
