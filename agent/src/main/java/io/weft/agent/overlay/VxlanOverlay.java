package io.weft.agent.overlay;

import io.weft.agent.kernel.KernelRelease;
import io.weft.agent.lease.Lease;
import io.weft.agent.overlay.Changes.Kind;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.neigh.Neighbour;
import io.weft.netlink.route.Route;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.weft.netlink.sys.Kernel.RTPROT_KERNEL;
import static io.weft.netlink.sys.Kernel.RT_TABLE_MAIN;

/**
 * The VXLAN overlay of one node, Flannel's topology kept by a reconciler: each pass reads what the
 * kernel holds (the device, Weft's routes by their protocol, the neighbours and FDB entries on the
 * device) and makes it match the leases. Per peer the neighbour and the FDB entry come before the
 * route, so the kernel never has to ask for the route's gateway; stale routes go before their
 * neighbours and FDB entries. The device is Weft's: every FDB entry, permanent neighbour and
 * non-kernel route on it that no peer needs is removed, whoever made it.
 *
 * <p>A pass with nothing to do only reads (the device, its addresses, its TX checksum offload when the
 * settings keep it at a value, the routes, neighbours and FDB entries) and changes nothing. The
 * changes the peers need are sent to the kernel together, in that order (a {@link io.weft.netlink.Batch}:
 * no waiting for an ACK per change). A change the kernel refuses for one peer (or for the offload) does
 * not stop the others: the pass goes on and throws the first refusal at the end, the rest suppressed in it.
 * Passes run one at a time. Closing leaves the kernel as it is, so that traffic keeps flowing while
 * the agent restarts.
 */
public final class VxlanOverlay implements Overlay {
    private final Netlink netlink;
    private final Underlay underlay;
    private final OverlaySettings settings;
    private final VxlanDevice device;
    private boolean closed;

    /**
     * @param netlink a handle on the node's namespace, which the caller keeps open and closes
     * @param deviceMac the device's MAC, the same across restarts (the caller persists it): peers
     *     program it into their neighbour and FDB entries
     */
    public VxlanOverlay(Netlink netlink, Underlay underlay, OverlaySettings settings, MacAddress deviceMac) {
        this(netlink, underlay, settings, deviceMac, KernelRelease.running());
    }

    /** @param kernelRelease the kernel's {@code uname -r} that {@link TxChecksumOffload#AUTO} is judged by */
    VxlanOverlay(Netlink netlink, Underlay underlay, OverlaySettings settings, MacAddress deviceMac, String kernelRelease) {
        this.netlink = Objects.requireNonNull(netlink, "netlink");
        this.underlay = Objects.requireNonNull(underlay, "underlay");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.device = new VxlanDevice(netlink, underlay, settings, deviceMac, kernelRelease);
    }

    /** The MTU of the device, and so the one pods get ({@code WEFT_MTU}). */
    public int mtu() {
        return device.mtu();
    }

    @Override
    public synchronized ReconcileResult reconcile(Lease self, Collection<Lease> peers) {
        if (closed) {
            throw new IllegalStateException("the overlay of " + device.name() + " is closed");
        }
        long start = System.nanoTime();
        Changes changes = new Changes(netlink.batch());
        int index = device.ensure(self.subnet(), changes);
        PeerPlan plan = PeerPlan.of(self, peers, index, underlay, settings);
        List<Route> mainRoutes = netlink.routes().list().stream().filter(route -> route.table() == RT_TABLE_MAIN).toList();
        List<Route> weftRoutes = mainRoutes.stream().filter(route -> route.protocol() == settings.routeProtocol()).toList();
        List<Neighbour> neighbours = netlink.neighbours().list(index);
        List<FdbEntry> fdb = netlink.fdb().list(index);

        removeForeignRoutes(mainRoutes, index, changes);
        ensureNeighbours(plan, neighbours, changes);
        ensureFdb(plan, fdb, index, changes);
        ensureRoutes(plan, weftRoutes, changes);
        removeStaleRoutes(plan, weftRoutes, changes);
        removeStaleNeighbours(plan, neighbours, changes);
        removeStaleFdb(plan, fdb, index, changes);
        changes.send();

        changes.throwIfRefused();
        return changes.result(plan.vxlanPeers(), plan.directPeers(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** Routes out of the device that neither Weft nor the kernel (for the device's own address) made. */
    private void removeForeignRoutes(List<Route> mainRoutes, int index, Changes changes) {
        for (Route route : mainRoutes) {
            if (route.outputIndex() == index && route.protocol() != settings.routeProtocol() && route.protocol() != RTPROT_KERNEL) {
                changes.queue(Kind.DELETED, batch -> batch.delete(route));
            }
        }
    }

    private void ensureNeighbours(PeerPlan plan, List<Neighbour> present, Changes changes) {
        Map<InetAddress, Neighbour> byAddress = present.stream()
                .collect(Collectors.toMap(Neighbour::address, Function.identity(), (a, b) -> a));
        for (Neighbour wanted : plan.neighbours().values()) {
            Neighbour actual = byAddress.get(wanted.address());
            if (actual == null) {
                changes.queue(Kind.ADDED, batch -> batch.replace(wanted));
            } else if (!actual.permanent() || !wanted.mac().equals(actual.mac())) {
                changes.queue(Kind.REPLACED, batch -> batch.replace(wanted));
            }
        }
    }

    /** One entry per MAC: a MAC pointing at several remotes (someone appended) is made again with only the wanted one. */
    private void ensureFdb(PeerPlan plan, List<FdbEntry> present, int index, Changes changes) {
        Map<MacAddress, List<FdbEntry>> byMac = byMac(present);
        for (FdbEntry wanted : plan.fdb().values()) {
            List<FdbEntry> actual = byMac.getOrDefault(wanted.mac(), List.of());
            if (actual.isEmpty()) {
                changes.queue(Kind.ADDED, batch -> batch.replace(wanted));
            } else if (actual.size() > 1) { // two requests, the second only if the first was made: now, not queued
                changes.attempt(Kind.REPLACED, () -> {
                    netlink.fdb().delete(everyRemote(index, wanted.mac()));
                    netlink.fdb().add(wanted);
                });
            } else if (!actual.getFirst().permanent() || !Objects.equals(actual.getFirst().destination(), wanted.destination())) {
                changes.queue(Kind.REPLACED, batch -> batch.replace(wanted));
            }
        }
    }

    /** A replace overwrites the route to the same destination and metric, Weft's or not. */
    private void ensureRoutes(PeerPlan plan, List<Route> weftRoutes, Changes changes) {
        Map<IpPrefix, List<Route>> byDestination = weftRoutes.stream().collect(Collectors.groupingBy(Route::destination));
        for (Route wanted : plan.routes().values()) {
            List<Route> actual = byDestination.getOrDefault(wanted.destination(), List.of());
            if (!actual.contains(wanted)) {
                changes.queue(hasMetric(actual, wanted.metric()) ? Kind.REPLACED : Kind.ADDED, batch -> batch.replace(wanted));
            }
        }
    }

    /** Whether one of {@code routes} has this metric: a loop, not a stream, as it is asked once per peer. */
    private static boolean hasMetric(List<Route> routes, int metric) {
        for (Route route : routes) {
            if (route.metric() == metric) {
                return true;
            }
        }
        return false;
    }

    /**
     * Weft's routes to subnets no peer has, and those to a peer's subnet that the replace could not
     * have overwritten (another metric); a wrong one of the same metric was replaced and is gone.
     */
    private void removeStaleRoutes(PeerPlan plan, List<Route> weftRoutes, Changes changes) {
        for (Route route : weftRoutes) {
            Route wanted = plan.routes().get(route.destination());
            if (wanted == null || (!wanted.equals(route) && wanted.metric() != route.metric())) {
                changes.queue(Kind.DELETED, batch -> batch.delete(route));
            }
        }
    }

    /** Permanent entries only: the kernel's own (resolved, stale, failed) come and go by themselves. */
    private void removeStaleNeighbours(PeerPlan plan, List<Neighbour> present, Changes changes) {
        for (Neighbour neighbour : present) {
            if (neighbour.permanent() && !plan.neighbours().containsKey(neighbour.address())) {
                changes.queue(Kind.DELETED, batch -> batch.delete(neighbour));
            }
        }
    }

    private void removeStaleFdb(PeerPlan plan, List<FdbEntry> present, int index, Changes changes) {
        for (MacAddress mac : byMac(present).keySet()) {
            if (!plan.fdb().containsKey(mac)) {
                changes.queue(Kind.DELETED, batch -> batch.delete(everyRemote(index, mac)));
            }
        }
    }

    private static Map<MacAddress, List<FdbEntry>> byMac(List<FdbEntry> entries) {
        return entries.stream().collect(Collectors.groupingBy(FdbEntry::mac, LinkedHashMap::new, Collectors.toList()));
    }

    /** Without a destination, a VXLAN device deletes the MAC's entry with all its remotes. */
    private static FdbEntry everyRemote(int index, MacAddress mac) {
        return new FdbEntry(index, mac, null, 0, 0);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
