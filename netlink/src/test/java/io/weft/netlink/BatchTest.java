package io.weft.netlink;

import io.weft.netlink.link.LinkKind;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.neigh.Neighbour;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;

import static io.weft.netlink.IpPrefix.parseAddress;
import static io.weft.netlink.sys.Kernel.EEXIST;
import static io.weft.netlink.sys.Kernel.ENOENT;
import static io.weft.netlink.sys.Kernel.ESRCH;
import static io.weft.netlink.testing.Sandbox.bridgeJson;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batches against the real kernel, each in namespaces of its own with a VXLAN device {@code weft.1} as
 * Weft makes it (on a veth standing in for the underlay, 192.0.2.1/24). {@code ip -j} and
 * {@code bridge -j} are the observers. A batch of more than 64 changes spans several datagrams.
 */
class BatchTest {
    private static final int WEFT_PROTOCOL = 201;

    private final Sandbox sandbox = new Sandbox();
    private final List<Netlink> handles = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        handles.forEach(Netlink::close);
        sandbox.close();
    }

    private static int index(Netlink netlink) {
        return netlink.links().get("weft.1").index();
    }

    /** Peer i: subnet 10.(100+i/256).(i%256).0/24 via its network address, VTEP MAC 0e:00:00:00:HH:LL, underlay 198.18.x.y. */
    private record Peer(Neighbour neighbour, FdbEntry fdb, Route route) {
        static Peer of(int device, int i) {
            InetAddress gateway = address(10, 100 + i / 256, i % 256, 0);
            MacAddress vtep = new MacAddress(new byte[] {0x0e, 0, 0, 0, (byte) (i / 256), (byte) i});
            return new Peer(Neighbour.permanent(device, gateway, vtep),
                    FdbEntry.permanent(device, vtep, address(198, 18, (i + 2) / 256, (i + 2) % 256)),
                    Route.to(new IpPrefix(gateway, 24)).protocol(WEFT_PROTOCOL).via(gateway).dev(device).onlink(true));
        }
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> neighboursSeen(NetNamespace node) {
        List<String> seen = new ArrayList<>();
        ipJson(node, "neigh", "show", "dev", "weft.1", "nud", "permanent")
                .forEach(n -> seen.add(n.get("dst").asString() + " " + n.get("lladdr").asString()));
        return seen.stream().sorted().toList();
    }

    private List<String> fdbSeen(NetNamespace node) {
        List<String> seen = new ArrayList<>();
        for (JsonNode entry : bridgeJson(node, "fdb", "show", "dev", "weft.1")) {
            if (entry.has("dst")) {
                seen.add(entry.get("mac").asString() + " " + entry.get("dst").asString());
            }
        }
        return seen.stream().sorted().toList();
    }

    private List<String> routesSeen(NetNamespace node) {
        List<String> seen = new ArrayList<>();
        ipJson(node, "route", "show", "proto", String.valueOf(WEFT_PROTOCOL))
                .forEach(r -> seen.add(r.get("dst").asString() + " via " + r.get("gateway").asString()));
        return seen.stream().sorted().toList();
    }

    @Test
    void makesEveryChangeInOrderAcrossDatagrams() {
        NetNamespace node = sandbox.namespace();
        Netlink netlink = open(node);
        int device = index(netlink);
        Batch batch = netlink.batch();
        List<String> neighbours = new ArrayList<>();
        List<String> fdb = new ArrayList<>();
        List<String> routes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Peer peer = Peer.of(device, i);
            batch.add(peer.neighbour()).add(peer.fdb()).add(peer.route()); // the route after its neighbour, as Weft orders them
            neighbours.add(peer.neighbour().address().getHostAddress() + " " + peer.neighbour().mac());
            fdb.add(peer.fdb().mac() + " " + peer.fdb().destination().getHostAddress());
            routes.add(peer.route().destination() + " via " + peer.route().gateway().getHostAddress());
        }
        assertThat(batch.size()).isEqualTo(900);

        List<Batch.Failure> failures = batch.send();

        assertThat(failures).isEmpty();
        assertThat(batch.size()).isZero();
        assertThat(neighboursSeen(node)).isEqualTo(neighbours.stream().sorted().toList());
        assertThat(fdbSeen(node)).isEqualTo(fdb.stream().sorted().toList());
        assertThat(routesSeen(node)).isEqualTo(routes.stream().sorted().toList());
        assertThat(netlink.batch().send()).as("an empty batch").isEmpty();
    }

    @Test
    void aRefusedChangeIsReportedWithItsObjectAndTheOthersAreMade() {
        NetNamespace node = sandbox.namespace();
        Netlink netlink = open(node);
        int device = index(netlink);
        Peer existing = Peer.of(device, 999);
        netlink.neighbours().add(existing.neighbour());
        Route absent = Peer.of(device, 998).route();
        Batch batch = netlink.batch();
        List<Integer> refusedAt = List.of(0, 63, 64, 130, 200);
        for (int i = 0; i < 201; i++) {
            if (refusedAt.contains(i)) {
                if (i % 2 == 0) {
                    batch.add(existing.neighbour()); // EEXIST
                } else {
                    batch.delete(absent); // ESRCH
                }
            } else {
                batch.add(Peer.of(device, i).route());
            }
        }

        List<Batch.Failure> failures = batch.send();

        assertThat(failures).extracting(Batch.Failure::index).containsExactlyElementsOf(refusedAt);
        for (Batch.Failure failure : failures) {
            boolean add = failure.index() % 2 == 0;
            assertThat(failure.object()).isEqualTo(add ? existing.neighbour() : absent);
            assertThat(failure.error().errno()).isEqualTo(add ? EEXIST : ESRCH);
            assertThat(failure.error().getMessage()).startsWith(add ? "RTM_NEWNEIGH 10.103.231.0 lladdr 0e:00:00:00:03:e7 dev "
                    : "RTM_DELROUTE 10.103.230.0/24 via 10.103.230.0 dev ");
        }
        assertThat(routesSeen(node)).hasSize(201 - refusedAt.size());
    }

    @Test
    void everyChangeRefusedIsAnsweredOneByOne() {
        NetNamespace node = sandbox.namespace();
        Netlink netlink = open(node);
        int device = index(netlink);
        Batch batch = netlink.batch();
        for (int i = 0; i < 500; i++) {
            batch.delete(Peer.of(device, i).fdb()); // none there
        }

        List<Batch.Failure> failures = batch.send();

        assertThat(failures).hasSize(500);
        assertThat(failures).extracting(Batch.Failure::index).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 500).boxed().toList());
        assertThat(failures).allSatisfy(failure -> assertThat(failure.error().errno()).isEqualTo(ENOENT));
    }

    /**
     * Random changes to a few routes, neighbours and FDB entries, some of them refused (adding what is
     * there, deleting what is not): a batch leaves the kernel as the same changes made one at a time do,
     * and reports exactly the changes refused one at a time, with the same errno.
     */
    @Test
    void doesWhatTheSameChangesOneAtATimeDo() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 5; round++) {
            NetNamespace batched = sandbox.namespace();
            NetNamespace oneByOne = sandbox.namespace();
            Netlink batchHandle = open(batched);
            Netlink singleHandle = open(oneByOne);
            int device = index(batchHandle);
            assertThat(index(singleHandle)).isEqualTo(device);

            List<Consumer<Batch>> toBatch = new ArrayList<>();
            List<Runnable> toMake = new ArrayList<>();
            for (int change = 0; change < 150; change++) {
                Peer peer = Peer.of(device, random.nextInt(8));
                Peer other = Peer.of(device, 8 + random.nextInt(8)); // another MAC and gateway for a replace
                switch (random.nextInt(9)) {
                    case 0 -> { toBatch.add(b -> b.add(peer.neighbour())); toMake.add(() -> singleHandle.neighbours().add(peer.neighbour())); }
                    case 1 -> { toBatch.add(b -> b.delete(peer.neighbour())); toMake.add(() -> singleHandle.neighbours().delete(peer.neighbour())); }
                    case 2 -> {
                        Neighbour moved = Neighbour.permanent(device, peer.neighbour().address(), other.neighbour().mac());
                        toBatch.add(b -> b.replace(moved));
                        toMake.add(() -> singleHandle.neighbours().replace(moved));
                    }
                    case 3 -> { toBatch.add(b -> b.add(peer.fdb())); toMake.add(() -> singleHandle.fdb().add(peer.fdb())); }
                    case 4 -> { toBatch.add(b -> b.delete(peer.fdb())); toMake.add(() -> singleHandle.fdb().delete(peer.fdb())); }
                    case 5 -> {
                        FdbEntry moved = FdbEntry.permanent(device, peer.fdb().mac(), other.fdb().destination());
                        toBatch.add(b -> b.replace(moved));
                        toMake.add(() -> singleHandle.fdb().replace(moved));
                    }
                    case 6 -> { toBatch.add(b -> b.add(peer.route())); toMake.add(() -> singleHandle.routes().add(peer.route())); }
                    case 7 -> { toBatch.add(b -> b.delete(peer.route())); toMake.add(() -> singleHandle.routes().delete(peer.route())); }
                    default -> {
                        Route moved = peer.route().via(other.neighbour().address());
                        toBatch.add(b -> b.replace(moved));
                        toMake.add(() -> singleHandle.routes().replace(moved));
                    }
                }
            }
            Batch batch = batchHandle.batch();
            toBatch.forEach(change -> change.accept(batch));
            List<String> batchRefusals = batch.send().stream()
                    .map(failure -> failure.index() + " " + failure.error().errnoName()).toList();
            List<String> singleRefusals = new ArrayList<>();
            for (int i = 0; i < toMake.size(); i++) {
                try {
                    toMake.get(i).run();
                } catch (NetlinkException e) {
                    singleRefusals.add(i + " " + e.errnoName());
                }
            }

            String context = "seed " + seed + ", round " + round;
            assertThat(batchRefusals).as(context).isEqualTo(singleRefusals);
            assertThat(neighboursSeen(batched)).as(context).isEqualTo(neighboursSeen(oneByOne));
            assertThat(fdbSeen(batched)).as(context).isEqualTo(fdbSeen(oneByOne));
            assertThat(routesSeen(batched)).as(context).isEqualTo(routesSeen(oneByOne));
            assertThat(new TreeSet<>(singleRefusals)).as(context + ": some changes refused, to compare").isNotEmpty();
        }
    }

    /** A handle on {@code node}, where weft.1 is made and set up. */
    private Netlink open(NetNamespace node) {
        Netlink netlink = Netlink.open(node);
        handles.add(netlink);
        int underlay = netlink.links().add(LinkSpec.veth("under0", "under1", null)).index();
        Sandbox.ip(node, "addr", "add", "192.0.2.1/24", "dev", "under0");
        netlink.links().setUp("under0");
        netlink.links().setUp("under1");
        netlink.links().add(LinkSpec.vxlan("weft.1", new LinkKind.Vxlan(1, 8472, parseAddress("192.0.2.1"), underlay, false, 0)));
        netlink.links().setUp("weft.1");
        return netlink;
    }
}
