package io.weft.bench;

import io.weft.agent.lease.Lease;
import io.weft.agent.lease.local.LocalLeaseStore;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.agent.overlay.ReconcileResult;
import io.weft.agent.overlay.Underlay;
import io.weft.agent.overlay.VxlanOverlay;
import io.weft.netlink.Batch;
import io.weft.netlink.Group;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.Subscription;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.neigh.Neighbour;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

import static io.weft.bench.FakePeers.option;

/**
 * Driver of bench/agent-scale.sh's breakdown of a reconcile pass: the agent's overlay
 * ({@link VxlanOverlay}) in this JVM, against the leases of a local store, in the given node namespace,
 * with a netlink subscription running as the agent's does. For several rounds it times a pass with
 * nothing to do, then deletes {@code weft.1} and times the pass that makes everything again (wall time and
 * the thread's CPU time); and, apart, what a pass is made of: listing the store, the three dumps on the
 * full device, and the same objects built beforehand and sent in one {@link Batch} (the kernel's share,
 * which no agent can go below). Prints the first pass and medians in nanoseconds, one {@code key=value} a line.
 */
public final class ReconcilePasses {
    private ReconcilePasses() {}

    public static void main(String[] args) throws Exception {
        String namespace = option(args, "--netns");
        int rounds = Integer.parseInt(option(args, "--rounds"));
        try (NetNamespace ns = NetNamespace.open(namespace); Netlink netlink = Netlink.open(ns);
             LocalLeaseStore store = new LocalLeaseStore(Path.of(option(args, "--store-dir")), FakePeers.network(args))) {
            // the fake peers FillLeaseStore claimed; agents run on the store before hold leases too
            List<Lease> leases = store.list().stream().filter(lease -> lease.node().startsWith("peer-")).toList();
            Underlay underlay = Underlay.of(netlink, "under0");
            Lease self = new Lease("bench-self", IpPrefix.parse("10.255.255.0/24"), underlay.address(),
                    MacAddress.parse("0e:ff:ff:ff:ff:01"), Instant.MAX);
            VxlanOverlay overlay = new VxlanOverlay(netlink, underlay, OverlaySettings.defaults(), self.vtepMac());
            // the agent listens to its own changes: the kernel's notifications are part of what a change costs
            try (Subscription _ = netlink.subscribe(EnumSet.of(Group.LINK, Group.NEIGH, Group.IPV4_ROUTE, Group.IPV6_ROUTE),
                    event -> { })) {
                long start = System.nanoTime();
                ReconcileResult first = overlay.reconcile(self, leases);
                long firstNs = System.nanoTime() - start;
                check(first, leases.size());
                long[] idle = new long[rounds];
                long[] repair = new long[rounds];
                long[] list = new long[rounds];
                long[] dumps = new long[rounds];
                long[] repairCpu = new long[rounds];
                long[] idleCpu = new long[rounds];
                long[] listCpu = new long[rounds];
                for (int round = 0; round < rounds; round++) {
                    long cpu = cpu();
                    start = System.nanoTime();
                    store.list();
                    list[round] = System.nanoTime() - start;
                    listCpu[round] = cpu() - cpu;

                    start = System.nanoTime();
                    int index = netlink.links().get("weft.1").index();
                    netlink.routes().list();
                    netlink.neighbours().list(index);
                    netlink.fdb().list(index);
                    dumps[round] = System.nanoTime() - start;

                    cpu = cpu();
                    start = System.nanoTime();
                    ReconcileResult nothing = overlay.reconcile(self, leases);
                    idle[round] = System.nanoTime() - start;
                    idleCpu[round] = cpu() - cpu;
                    if (nothing.changes() != 0) {
                        throw new IllegalStateException("a pass with nothing to do changed " + nothing.changes() + " objects");
                    }
                    netlink.links().delete("weft.1");
                    cpu = cpu();
                    start = System.nanoTime();
                    ReconcileResult again = overlay.reconcile(self, leases);
                    repair[round] = System.nanoTime() - start;
                    repairCpu[round] = cpu() - cpu;
                    check(again, leases.size());
                }
                // the floor: the same objects, built beforehand, sent in one batch onto a fresh device
                long[] batchOnly = new long[rounds];
                for (int round = 0; round < rounds; round++) {
                    netlink.links().delete("weft.1");
                    overlay.reconcile(self, List.of()); // the device alone
                    int index = netlink.links().get("weft.1").index();
                    Batch batch = netlink.batch();
                    List<Route> routes = new ArrayList<>();
                    for (Lease peer : leases) {
                        InetAddress gateway = peer.subnet().address();
                        batch.add(Neighbour.permanent(index, gateway, peer.vtepMac()));
                        batch.add(FdbEntry.permanent(index, peer.vtepMac(), peer.publicIp()));
                        routes.add(Route.to(peer.subnet()).protocol(OverlaySettings.WEFT_ROUTE_PROTOCOL).via(gateway).dev(index).onlink(true));
                    }
                    routes.forEach(batch::add);
                    start = System.nanoTime();
                    List<Batch.Failure> failures = batch.send();
                    batchOnly[round] = System.nanoTime() - start;
                    if (!failures.isEmpty()) {
                        throw new IllegalStateException("the batch was refused: " + failures.getFirst().error());
                    }
                }
                System.out.println("first_pass_ns=" + firstNs);
                System.out.println("batch_only_median_ns=" + median(batchOnly));
                System.out.println("repair_pass_median_ns=" + median(repair));
                System.out.println("idle_pass_median_ns=" + median(idle));
                System.out.println("dumps_median_ns=" + median(dumps));
                System.out.println("list_median_ns=" + median(list));
                System.out.println("repair_pass_cpu_median_ns=" + median(repairCpu));
                System.out.println("idle_pass_cpu_median_ns=" + median(idleCpu));
                System.out.println("list_cpu_median_ns=" + median(listCpu));
            }
        }
    }

    /** Every peer through weft.1: a neighbour, an FDB entry and a route; and the device and its address. */
    private static void check(ReconcileResult result, int peers) {
        if (result.vxlanPeers() != peers || result.added() != 3 * peers + 2) {
            throw new IllegalStateException("a programming pass added " + result.added() + " objects for "
                    + result.vxlanPeers() + " peers through weft.1, not " + (3 * peers + 2) + " for " + peers);
        }
    }

    /** This thread's CPU time, user and system: what a pass costs whatever else the machine runs. */
    private static long cpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long median(long[] times) {
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
