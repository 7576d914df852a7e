package io.weft.agent.lease.local;

import io.weft.netlink.sys.Flock;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseEvent;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalLeaseStoreTest {
    private static final ClusterNetwork NETWORK = new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24);
    private static final Duration TTL = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(50);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final List<LocalLeaseStore> stores = new ArrayList<>();

    @AfterEach
    void closeStores() {
        stores.forEach(LocalLeaseStore::close);
    }

    private LocalLeaseStore store() {
        return store(NETWORK, clock);
    }

    private LocalLeaseStore store(ClusterNetwork network, InstantSource source) {
        LocalLeaseStore store = new LocalLeaseStore(dir, network, TTL, POLL, source);
        stores.add(store);
        return store;
    }

    private static LeaseClaim claim(String node, int n) {
        return new LeaseClaim(node, IpPrefix.parseAddress("192.0.2." + n), MacAddress.parse("0e:00:00:00:00:%02x".formatted(n)));
    }

    private static IpPrefix subnet(String text) {
        return IpPrefix.parse(text);
    }

    private Path leaseFile(String name) {
        return dir.resolve("subnets").resolve(name);
    }

    private List<String> leaseFileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("subnets"))) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 30 s waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void twoNodesClaimTheLowestTwoSubnets() throws IOException {
        Lease a = store().acquire(claim("a", 1));
        Lease b = store().acquire(claim("b", 2));

        assertThat(a.subnet()).isEqualTo(subnet("10.42.0.0/24"));
        assertThat(b.subnet()).isEqualTo(subnet("10.42.1.0/24"));
        assertThat(b.expiry()).isEqualTo(clock.instant().plus(TTL));
        assertThat(leaseFileNames()).containsExactly("10.42.0.0-24", "10.42.1.0-24");
        assertThat(Files.readString(leaseFile("10.42.1.0-24"))).isEqualTo(
                "{\"node\":\"b\",\"publicIp\":\"192.0.2.2\",\"vtepMac\":\"0e:00:00:00:00:02\",\"expiry\":%d}"
                        .formatted(clock.instant().plus(TTL).toEpochMilli()));
        assertThat(store().list()).containsExactly(a, b);
    }

    @Test
    void writesItsNetworkToConfigAndOpensAgainWithTheSameNetwork() throws IOException {
        store();

        assertThat(Files.readString(dir.resolve("config"))).isEqualTo("{\"network\":\"10.42.0.0/16\",\"subnetLen\":24}");
        assertThat(store().network()).isEqualTo(NETWORK);
    }

    @Test
    void refusesADirectoryHoldingAnotherNetwork() {
        store();

        ClusterNetwork other = new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 25);
        assertThatThrownBy(() -> store(other, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the lease store " + dir + " holds network 10.42.0.0/16 with subnetLen 24 (" + dir.resolve("config")
                        + "), but this agent's network is 10.42.0.0/16 with subnetLen 25: use the store's network, or another store directory");
    }

    @Test
    void restartedNodeGetsItsSubnetBackWithItsNewAddressAndMac() throws IOException {
        store().acquire(claim("a", 1));
        Lease before = store().acquire(claim("b", 2));

        Lease after = store().acquire(claim("b", 3));

        assertThat(after.subnet()).isEqualTo(before.subnet());
        assertThat(after.publicIp()).isEqualTo(IpPrefix.parseAddress("192.0.2.3"));
        assertThat(after.vtepMac()).isEqualTo(MacAddress.parse("0e:00:00:00:00:03"));
        assertThat(leaseFileNames()).containsExactly("10.42.0.0-24", "10.42.1.0-24");
    }

    @Test
    void nodeGetsItsLapsedSubnetBackWhileItsFileRemains() {
        store().acquire(claim("a", 1));
        Lease before = store().acquire(claim("b", 2));
        clock.advance(TTL.multipliedBy(10));

        Lease after = store().acquire(claim("b", 2));

        assertThat(after.subnet()).isEqualTo(before.subnet()).isEqualTo(subnet("10.42.1.0/24"));
        assertThat(after.expiry()).isEqualTo(clock.instant().plus(TTL));
    }

    @Test
    void lapsedLeaseOfAnotherNodeIsFreeAndItsFileDeleted() throws IOException {
        LocalLeaseStore store = store();
        store.acquire(claim("a", 1));
        Lease b = store.acquire(claim("b", 2));
        clock.advance(TTL.plusSeconds(1));
        store.renew(b);

        Lease c = store.acquire(claim("c", 3));

        assertThat(c.subnet()).isEqualTo(subnet("10.42.0.0/24"));
        assertThat(store.list()).extracting(Lease::node).containsExactly("c", "b");
        assertThat(leaseFileNames()).containsExactly("10.42.0.0-24", "10.42.1.0-24");
    }

    @Test
    void lapsedLeaseIsRemovedFromPeersAndItsFileDeleted() throws Exception {
        LocalLeaseStore peer = store(NETWORK, InstantSource.system());
        LocalLeaseStore dying = store(NETWORK, InstantSource.system());
        List<LeaseEvent> events = new CopyOnWriteArrayList<>();

        try (AutoCloseable _ = peer.watch(events::add)) {
            Lease lease = dying.acquire(claim("dying", 1));

            await("the lapsed lease reported removed", () -> events.contains(new LeaseEvent.Removed("dying", lease.subnet())));
        }
        assertThat(Files.exists(leaseFile("10.42.0.0-24"))).isFalse();
        assertThat(peer.list()).isEmpty();
    }

    @Test
    void aLeaseFileChangedInPlaceIsSeenByTheNextListThoughTheWatchOnlyStatsTheDirectory() throws Exception {
        LocalLeaseStore store = store(); // the manual clock: the lease does not lapse while the test sleeps
        Lease lease = store.acquire(claim("a", 1));
        List<LeaseEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable _ = store.watch(events::add)) {
            Thread.sleep(1_500); // the directory's mtime, set by the acquire, is trusted once a second old
            Lease changed = new Lease("a", lease.subnet(), lease.publicIp(), MacAddress.parse("0a:58:0a:2a:ff:ff"), lease.expiry());
            // written in place, as Weft never writes: the file's inode stays, the directory is untouched
            Files.write(leaseFile("10.42.0.0-24"), LeaseFile.encode(changed));
            Thread.sleep(600); // a dozen polls of the watch

            assertThat(events).as("the watch's polls, the directory unchanged").doesNotContain(new LeaseEvent.Updated(changed));
            assertThat(store.list()).containsExactly(changed);
            await("the watch reporting what the list read", () -> events.contains(new LeaseEvent.Updated(changed)));
        }
    }

    @Test
    void renewalsKeepTheLeaseAlive() throws Exception {
        LocalLeaseStore node = store();
        List<LeaseEvent> events = new CopyOnWriteArrayList<>();
        Lease lease = node.acquire(claim("a", 1));

        try (AutoCloseable _ = store().watch(events::add)) {
            for (int i = 0; i < 5; i++) {
                clock.advance(TTL.dividedBy(2));
                lease = node.renew(lease);
            }
            Lease last = lease;

            assertThat(last.expiry()).isEqualTo(clock.instant().plus(TTL));
            assertThat(node.list()).containsExactly(last);
            await("the last renewal reported", () -> events.contains(new LeaseEvent.Updated(last)));
            assertThat(events).noneMatch(event -> event instanceof LeaseEvent.Removed);
        }
    }

    @Test
    void renewClaimsTheSameSubnetAgainWhenItsFileWasDeleted() throws IOException {
        LocalLeaseStore store = store();
        store.acquire(claim("a", 1));
        Lease lease = store.acquire(claim("b", 2));
        Files.delete(leaseFile("10.42.1.0-24"));

        Lease renewed = store.renew(lease);

        assertThat(renewed.subnet()).isEqualTo(lease.subnet());
        assertThat(store.list()).extracting(Lease::node).containsExactly("a", "b");
        assertThat(leaseFileNames()).containsExactly("10.42.0.0-24", "10.42.1.0-24");
    }

    @Test
    void renewFailsWhenAnotherNodeHoldsTheSubnetNow() throws IOException {
        LocalLeaseStore store = store();
        Lease lost = store.acquire(claim("a", 1));
        Files.delete(leaseFile("10.42.0.0-24"));
        store.acquire(claim("b", 2));

        assertThatThrownBy(() -> store.renew(lost))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot renew the lease of node a on 10.42.0.0/24: the subnet is leased to node b until "
                        + clock.instant().plus(TTL) + "; acquire a new lease");
    }

    @Test
    void claimDeletesTheTempFilesOfACrashedWriter() throws IOException {
        LocalLeaseStore store = store();
        Files.writeString(leaseFile(".weft-0123456789abcdef.tmp"), "{\"node\":\"crashed\"");

        store.acquire(claim("a", 1));

        assertThat(leaseFileNames()).containsExactly("10.42.0.0-24");
    }

    @Test
    void exhaustedNetworkIsNamedWithItsSubnetLength() {
        LocalLeaseStore store = store(new ClusterNetwork(IpPrefix.parse("10.42.0.0/29"), 30), clock);
        store.acquire(claim("a", 1));
        store.acquire(claim("b", 2));

        assertThatThrownBy(() -> store.acquire(claim("c", 3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no free subnet in network 10.42.0.0/29 with subnetLen 30: all 2 subnets are leased");
    }

    @Test
    void concurrentClaimsFromSeparateStoresGetDistinctSubnets() throws Exception {
        int nodes = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Lease>> claims = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(nodes)) {
            for (int i = 0; i < nodes; i++) {
                LocalLeaseStore store = store();
                LeaseClaim claim = claim("node" + i, i + 1);
                claims.add(threads.submit(() -> {
                    start.await();
                    return store.acquire(claim);
                }));
            }
            start.countDown();

            List<IpPrefix> subnets = new ArrayList<>();
            for (Future<Lease> claim : claims) {
                subnets.add(claim.get(60, TimeUnit.SECONDS).subnet());
            }
            assertThat(subnets).doesNotHaveDuplicates().hasSize(nodes);
            assertThat(leaseFileNames()).hasSize(nodes);
        }
    }

    @Test
    void claimWaitsWhileAnotherHolderHasTheLock() throws Exception {
        LocalLeaseStore store = store();
        try (ExecutorService thread = Executors.newSingleThreadExecutor()) {
            Future<Lease> claim;
            try (Flock _ = Flock.exclusive(dir.resolve("lock"), 0644)) {
                claim = thread.submit(() -> store.acquire(claim("a", 1)));

                assertThatThrownBy(() -> claim.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
                assertThat(leaseFileNames()).isEmpty();
            }

            assertThat(claim.get(60, TimeUnit.SECONDS).subnet()).isEqualTo(subnet("10.42.0.0/24"));
        }
    }

    @Test
    void watchReportsANewNodeAndItsChangedMac() throws Exception {
        List<LeaseEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable _ = store().watch(events::add)) {
            Lease joined = store().acquire(claim("new", 1));
            await("the new node reported", () -> events.contains(new LeaseEvent.Updated(joined)));

            Lease changed = store().acquire(claim("new", 2));
            await("the new MAC reported", () -> events.contains(new LeaseEvent.Updated(changed)));
        }
        assertThat(events).noneMatch(event -> event instanceof LeaseEvent.Removed);
    }

    @Test
    void unreadableLeaseFileIsSkippedAndNeverGivenOut() throws Exception {
        LocalLeaseStore store = store();
        List<LeaseEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable _ = store.watch(events::add)) {
            Files.writeString(leaseFile("10.42.0.0-24"), "{\"node\":");

            Lease lease = store.acquire(claim("a", 1));

            assertThat(lease.subnet()).isEqualTo(subnet("10.42.1.0/24"));
            assertThat(store.list()).containsExactly(lease);
            await("the watch still reporting", () -> events.contains(new LeaseEvent.Updated(lease)));
            assertThat(events).containsExactly(new LeaseEvent.Updated(lease));
        }
    }

    @Test
    void failingListenerDoesNotStopTheWatch() throws Exception {
        List<LeaseEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable _ = store().watch(event -> {
            events.add(event);
            throw new IllegalStateException("listener bug");
        })) {
            Lease first = store().acquire(claim("a", 1));
            await("the first node reported", () -> events.contains(new LeaseEvent.Updated(first)));
            Lease second = store().acquire(claim("b", 2));

            await("the second node reported", () -> events.contains(new LeaseEvent.Updated(second)));
        }
    }

    @Test
    void closingTheStoreStopsItsWatchThreads() {
        LocalLeaseStore store = store();
        store.watch(event -> {});
        store.watch(event -> {});
        assertThat(watchThreads()).hasSize(2);

        store.close();

        assertThat(watchThreads()).isEmpty();
    }

    private List<Thread> watchThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("weft-lease-watch " + dir) && thread.isAlive())
                .toList();
    }
}
