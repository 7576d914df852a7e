package io.weft.bench;

import io.weft.agent.lease.Lease;
import io.weft.agent.lease.local.LocalLeaseStore;
import io.weft.netlink.Group;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkEvent;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.weft.bench.FakePeers.option;
import static io.weft.netlink.sys.Kernel.AF_INET;
import static io.weft.netlink.sys.Kernel.RTM_NEWROUTE;

/**
 * Driver of bench/agent-join.sh: joins N fake nodes to a cluster of running agents, one at a time, by
 * claiming a lease in their local store, and measures for every agent's node the time from the claim
 * until the route to the new subnet is in its kernel. The time is that of the {@code RTM_NEWROUTE}
 * notification, the only route the node's agent adds for a join, once a dump shows the route really
 * there (via the subnet's network address, out of {@code weft.1}). Joins are spaced by a random gap so
 * that they fall anywhere in the store's poll interval. Prints one line per node and join:
 * {@code NODE JOIN LATENCY_NS CLAIM_NS}, the claim's own time (lock, scan, write, fsync) included in the latency.
 */
public final class JoinLatency {
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Far above the indexes FillLeaseStore uses, so no joiner shares a VTEP MAC or public IP with a peer. */
    private static final int FIRST_JOINER = 100_000;

    private record Node(String name, Netlink netlink, BlockingQueue<Long> routeEvents) {}

    private JoinLatency() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(option(args, "--store-dir"));
        String[] names = option(args, "--nodes").split(",");
        int joins = Integer.parseInt(option(args, "--joins"));
        long seed = Long.parseLong(option(args, "--seed"));
        Random random = new Random(seed);
        List<AutoCloseable> open = new ArrayList<>();
        try (LocalLeaseStore store = new LocalLeaseStore(dir, FakePeers.network(args))) {
            List<Node> nodes = new ArrayList<>();
            for (String name : names) {
                NetNamespace namespace = NetNamespace.open(name);
                open.add(namespace);
                Netlink netlink = Netlink.open(namespace);
                open.add(netlink);
                BlockingQueue<Long> events = new LinkedBlockingQueue<>();
                open.add(netlink.subscribe(EnumSet.of(Group.IPV4_ROUTE), event -> {
                    long now = System.nanoTime();
                    if (event instanceof NetlinkEvent.ObjectChanged(int type, int family, _) && type == RTM_NEWROUTE && family == AF_INET) {
                        events.add(now);
                    } else if (event instanceof NetlinkEvent.Overrun) {
                        events.add(-1L);
                    }
                }));
                nodes.add(new Node(name, netlink, events));
            }
            for (int join = 0; join < joins; join++) {
                TimeUnit.MILLISECONDS.sleep(50 + random.nextInt(200)); // anywhere in the 200 ms poll
                nodes.forEach(node -> node.routeEvents().clear());
                long start = System.nanoTime();
                Lease lease = store.acquire(FakePeers.claim("joiner", FIRST_JOINER + join));
                long claimed = System.nanoTime() - start;
                for (Node node : nodes) {
                    System.out.println(node.name() + " " + join + " " + (routed(node, lease, start) - start) + " " + claimed);
                }
            }
        } finally {
            for (AutoCloseable closeable : open.reversed()) {
                closeable.close();
            }
        }
        System.err.println("seed " + seed);
    }

    /** When the node's kernel announced the route to {@code lease}'s subnet, checked by a dump. */
    private static long routed(Node node, Lease lease, long start) throws InterruptedException {
        while (true) {
            long left = start + GIVE_UP_NANOS - System.nanoTime();
            Long at = node.routeEvents().poll(Math.max(left, 0), TimeUnit.NANOSECONDS);
            if (at == null) {
                throw new IllegalStateException("node " + node.name() + " has no route to " + lease.subnet() + " of "
                        + lease.node() + " within " + TimeUnit.NANOSECONDS.toSeconds(GIVE_UP_NANOS) + " s");
            }
            if (at < 0) {
                throw new IllegalStateException("node " + node.name() + ": route notifications were lost (ENOBUFS)");
            }
            if (routedNow(node, lease)) {
                return at;
            }
        }
    }

    private static boolean routedNow(Node node, Lease lease) {
        int device = node.netlink().links().get("weft.1").index();
        for (Route route : node.netlink().routes().list()) {
            if (route.destination().equals(lease.subnet()) && route.outputIndex() == device
                    && lease.subnet().address().equals(route.gateway())) {
                return true;
            }
        }
        return false;
    }
}
