package io.weft.agent.lease.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseEvent;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Against a real etcd on loopback, started for this class; every test works under a prefix of its own. */
class EtcdLeaseStoreTest {
    private static final Duration TTL = Duration.ofSeconds(3);
    /** Generous: etcd expires leases on its own schedule and this machine is shared. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final ClusterNetwork NETWORK = new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24);

    @RegisterExtension
    static final RealEtcd ETCD = new RealEtcd();

    private final List<AutoCloseable> opened = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void choosePrefix(TestInfo test) {
        prefix = "/weft-test/" + test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void closeStores() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void claimsTheLowestFreeSubnetsForTwoNodesAndWritesTheNetworkConfig() throws Exception {
        EtcdLeaseStore a = open(NETWORK);
        EtcdLeaseStore b = open(NETWORK);

        Lease first = a.acquire(claim("node-a", 1));
        Lease second = b.acquire(claim("node-b", 2));

        assertThat(first.subnet()).isEqualTo(IpPrefix.parse("10.42.0.0/24"));
        assertThat(second.subnet()).isEqualTo(IpPrefix.parse("10.42.1.0/24"));
        assertThat(first.expiry()).isAfter(Instant.now()).isBefore(Instant.now().plus(TTL).plusSeconds(1));
        assertThat(value(prefix + "/config")).isEqualTo("{\"network\":\"10.42.0.0/16\",\"subnetLen\":24}");
        KeyValue record = record(prefix + "/subnets/10.42.1.0-24");
        assertThat(record.getValue().toString(UTF_8))
                .isEqualTo("{\"node\":\"node-b\",\"publicIp\":\"192.168.50.2\",\"vtepMac\":\"0e:00:00:00:00:02\"}");
        assertThat(record.getLease()).as("attached to an etcd lease").isNotZero();
        assertThat(a.list()).extracting(Lease::node, Lease::subnet).containsExactlyInAnyOrder(
                tuple("node-a", first.subnet()), tuple("node-b", second.subnet()));
        assertThat(a.renewInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void reclaimsItsSubnetAfterARestart() {
        EtcdLeaseStore before = open(NETWORK);
        open(NETWORK).acquire(claim("node-b", 2));
        Lease held = before.acquire(claim("node-a", 1));
        before.close();

        EtcdLeaseStore after = open(NETWORK);
        Lease reclaimed = after.acquire(new LeaseClaim("node-a", IpPrefix.parseAddress("192.168.50.9"), mac(9)));

        assertThat(reclaimed.subnet()).isEqualTo(held.subnet());
        assertThat(after.list()).filteredOn(lease -> lease.node().equals("node-a")).singleElement()
                .satisfies(lease -> assertThat(lease.publicIp()).isEqualTo(IpPrefix.parseAddress("192.168.50.9")));
        assertThat(after.renew(reclaimed).subnet()).isEqualTo(held.subnet());
    }

    @Test
    void aNodeThatStopsRenewingExpiresAndItsPeersSeeItRemovedWhileARenewingNodeStays() throws Exception {
        EtcdLeaseStore silent = open(NETWORK);
        EtcdLeaseStore renewing = open(NETWORK);
        Lease gone = silent.acquire(claim("node-a", 1));
        Lease kept = renewing.acquire(claim("node-b", 2));
        BlockingQueue<LeaseEvent> events = watch(renewing);

        silent.close();
        Instant deadline = Instant.now().plus(PATIENCE);
        LeaseEvent removed = null;
        while (removed == null && Instant.now().isBefore(deadline)) {
            kept = renewing.renew(kept);
            removed = events.poll(renewing.renewInterval().toMillis(), TimeUnit.MILLISECONDS);
        }

        assertThat(removed).isEqualTo(new LeaseEvent.Removed("node-a", gone.subnet()));
        assertThat(renewing.list()).extracting(Lease::node).containsExactly("node-b");
        assertThat(kept.subnet()).isEqualTo(IpPrefix.parse("10.42.1.0/24"));
    }

    @Test
    void renewRecoversAfterEtcdRestartsAndTheWatchResumes() throws Exception {
        EtcdLeaseStore a = open(NETWORK);
        EtcdLeaseStore b = open(NETWORK);
        Lease lease = a.acquire(claim("node-a", 1));
        BlockingQueue<LeaseEvent> events = watch(b);

        ETCD.server().stop();
        assertThatThrownBy(() -> a.renew(lease)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("etcd [" + ETCD.server().endpoint() + "]: keep lease");
        Thread.sleep(TTL.multipliedBy(2)); // the outage itself: long enough for the lease's TTL to run out twice
        ETCD.server().restart();
        Lease renewed = eventually(() -> a.renew(lease));

        assertThat(renewed.subnet()).isEqualTo(lease.subnet());
        assertThat(record(prefix + "/subnets/10.42.0.0-24").getValue().toString(UTF_8)).contains("\"node\":\"node-a\"");
        Lease joined = open(NETWORK).acquire(claim("node-c", 3));
        LeaseEvent reported = next(events, event -> event instanceof LeaseEvent.Updated u && u.lease().node().equals("node-c"));
        assertThat(((LeaseEvent.Updated) reported).lease().subnet()).isEqualTo(joined.subnet());
    }

    @Test
    void renewGrantsANewLeaseAndPutsTheSubnetAgainWhenEtcdLostTheLease() throws Exception {
        EtcdLeaseStore a = open(NETWORK);
        EtcdLeaseStore b = open(NETWORK);
        Lease lease = a.acquire(claim("node-a", 1));
        BlockingQueue<LeaseEvent> events = watch(b);
        long lost = record(prefix + "/subnets/10.42.0.0-24").getLease();

        ETCD.client().getLeaseClient().revoke(lost).get(5, TimeUnit.SECONDS);
        assertThat(next(events, event -> true)).isEqualTo(new LeaseEvent.Removed("node-a", lease.subnet()));
        Lease renewed = a.renew(lease);

        assertThat(renewed.subnet()).isEqualTo(lease.subnet());
        KeyValue record = record(prefix + "/subnets/10.42.0.0-24");
        assertThat(record.getLease()).isNotZero().isNotEqualTo(lost);
        assertThat(record.getValue().toString(UTF_8)).contains("\"node\":\"node-a\"");
        LeaseEvent back = next(events, event -> true);
        assertThat(back).isInstanceOfSatisfying(LeaseEvent.Updated.class,
                updated -> assertThat(updated.lease().subnet()).isEqualTo(lease.subnet()));
    }

    @Test
    void refusesANetworkOtherThanTheOneEtcdHolds() {
        open(NETWORK);

        assertThatThrownBy(() -> open(new ClusterNetwork(IpPrefix.parse("10.43.0.0/16"), 24)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(prefix + "/config holds network 10.42.0.0/16 with subnetLen 24")
                .hasMessageContaining("configured with network 10.43.0.0/16 and subnetLen 24");
        assertThatThrownBy(() -> open(new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 26)))
                .hasMessageContaining("subnetLen 26");
    }

    @Test
    void saysSoWhenEverySubnetIsLeased() {
        ClusterNetwork tiny = new ClusterNetwork(IpPrefix.parse("10.99.0.0/29"), 30);
        open(tiny).acquire(claim("node-a", 1));
        open(tiny).acquire(claim("node-b", 2));

        assertThatThrownBy(() -> open(tiny).acquire(claim("node-c", 3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("no free subnet in 10.99.0.0/29: all 2 /30 subnets are leased");
    }

    @Test
    void aWatchFromACompactedRevisionListsAgainAndReportsWhatChanged() throws Exception {
        EtcdLeaseStore a = open(NETWORK);
        EtcdLeaseStore b = open(NETWORK);
        Lease departed = a.acquire(claim("node-a", 1));
        assertThat(b.list()).extracting(Lease::node).containsExactly("node-a");
        a.close();
        ETCD.client().getKVClient().delete(bytes(prefix + "/subnets/10.42.0.0-24")).get(5, TimeUnit.SECONDS);
        // node-c takes the same subnet; put without an etcd lease, so it cannot expire during the test
        ETCD.client().getKVClient().put(bytes(prefix + "/subnets/10.42.0.0-24"), bytes(
                "{\"node\":\"node-c\",\"publicIp\":\"192.168.50.3\",\"vtepMac\":\"0e:00:00:00:00:03\"}")).get(5, TimeUnit.SECONDS);
        long now = ETCD.client().getKVClient().get(bytes(prefix + "/config")).get(5, TimeUnit.SECONDS).getHeader().getRevision();
        ETCD.client().getKVClient().compact(now).get(5, TimeUnit.SECONDS);

        BlockingQueue<LeaseEvent> events = watch(b, false);

        assertThat(next(events, event -> true)).isEqualTo(new LeaseEvent.Removed("node-a", departed.subnet()));
        assertThat(next(events, event -> true)).isInstanceOfSatisfying(LeaseEvent.Updated.class, updated -> {
            assertThat(updated.lease().node()).isEqualTo("node-c");
            assertThat(updated.lease().subnet()).isEqualTo(departed.subnet());
        });
    }

    @Test
    void readingTheLeasesOfAnEmptyEtcdWritesNothingAndGrantsNoLease() throws Exception {
        List<Long> grantedBefore = etcdLeases();

        List<Lease> leases = EtcdLeaseStore.readLeases(config(), NETWORK);

        assertThat(leases).isEmpty();
        assertThat(ETCD.client().getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS).getKvs())
                .as("keys under " + prefix).isEmpty();
        // those of earlier tests may have expired meanwhile; none may have been added
        assertThat(etcdLeases()).as("etcd leases").isSubsetOf(grantedBefore);
    }

    @Test
    void readingTheLeasesListsThoseHeld() {
        Lease a = open(NETWORK).acquire(claim("node-a", 1));
        Lease b = open(NETWORK).acquire(claim("node-b", 2));

        List<Lease> leases = EtcdLeaseStore.readLeases(config(), NETWORK);

        assertThat(leases).extracting(Lease::node, Lease::subnet, Lease::publicIp, Lease::vtepMac).containsExactlyInAnyOrder(
                tuple("node-a", a.subnet(), a.publicIp(), a.vtepMac()), tuple("node-b", b.subnet(), b.publicIp(), b.vtepMac()));
    }

    @Test
    void readingTheLeasesRefusesANetworkOtherThanTheOneEtcdHolds() {
        open(NETWORK);

        assertThatThrownBy(() -> EtcdLeaseStore.readLeases(config(), new ClusterNetwork(IpPrefix.parse("10.43.0.0/16"), 24)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(prefix + "/config holds network 10.42.0.0/16 with subnetLen 24");
    }

    @Test
    void openFailsNamingTheEndpointsWhenEtcdDoesNotAnswer() throws IOException {
        URI nobody;
        try (ServerSocket unused = new ServerSocket(0)) {
            nobody = URI.create("http://127.0.0.1:" + unused.getLocalPort());
        }
        EtcdConfig config = new EtcdConfig(List.of(nobody), prefix, null, null, null, TTL);

        assertThatThrownBy(() -> EtcdLeaseStore.open(config, NETWORK))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("etcd [" + nobody + "]: write " + prefix + "/config unless present: no answer within");
    }

    private EtcdConfig config() {
        return new EtcdConfig(List.of(ETCD.server().endpoint()), prefix, null, null, null, TTL);
    }

    private EtcdLeaseStore open(ClusterNetwork network) {
        EtcdLeaseStore store = EtcdLeaseStore.open(config(), network);
        opened.add(store);
        return store;
    }

    private BlockingQueue<LeaseEvent> watch(EtcdLeaseStore store) {
        return watch(store, true);
    }

    /** Watches from a fresh list (as the agent does), or from the store's last one. */
    private BlockingQueue<LeaseEvent> watch(EtcdLeaseStore store, boolean listFirst) {
        if (listFirst) {
            store.list();
        }
        BlockingQueue<LeaseEvent> events = new LinkedBlockingQueue<>();
        opened.add(store.watch(events::add));
        return events;
    }

    private static LeaseEvent next(BlockingQueue<LeaseEvent> events, Predicate<LeaseEvent> wanted) throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (Instant.now().isBefore(deadline)) {
            LeaseEvent event = events.poll(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS);
            if (event != null && wanted.test(event)) {
                return event;
            }
        }
        throw new AssertionError("no such lease event within " + PATIENCE.toSeconds() + " s");
    }

    /** Calls {@code call} until it stops failing. */
    private static <T> T eventually(Callable<T> call) throws Exception {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            try {
                return call.call();
            } catch (IllegalStateException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static LeaseClaim claim(String node, int n) {
        return new LeaseClaim(node, IpPrefix.parseAddress("192.168.50." + n), mac(n));
    }

    private static MacAddress mac(int n) {
        return MacAddress.parse(String.format("0e:00:00:00:00:%02x", n));
    }

    private static KeyValue record(String key) throws Exception {
        List<KeyValue> found = ETCD.client().getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getKvs();
        assertThat(found).as(key).hasSize(1);
        return found.getFirst();
    }

    private static String value(String key) throws Exception {
        return record(key).getValue().toString(UTF_8);
    }

    /** The ids of every lease etcd holds, through its gRPC gateway: jetcd has no call for the list. */
    private static List<Long> etcdLeases() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(ETCD.server().endpoint().resolve("/v3/lease/leases"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        Json.mapper().readTree(answer.body()).path("leases").forEach(lease -> ids.add(Long.parseLong(lease.path("ID").asString())));
        return ids;
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }
}
