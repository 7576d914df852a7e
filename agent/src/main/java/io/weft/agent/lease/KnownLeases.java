package io.weft.agent.lease;

import io.weft.netlink.IpPrefix;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The leases as the agent knows them: a store's list, kept current by its watch's events in between,
 * so that a pass started by an event reads memory rather than the store (a thousand lease files, an
 * etcd range, every Kubernetes node). A {@link #refresh} takes the store's list as the truth again,
 * which heals anything an event could not say; events that arrive while the list is being read are
 * applied on top of it, in order, so a change is never lost to a list read just before it (an event
 * older than the list is undone by the newer ones that follow it). Events may arrive on any thread;
 * refreshes come from one thread at a time.
 */
public final class KnownLeases {
    private final Map<IpPrefix, Lease> bySubnet = new LinkedHashMap<>();
    private List<LeaseEvent> duringRefresh;

    /** Replaces what is known with {@code lister}'s answer, plus the events that arrived meanwhile; returns the leases. */
    public List<Lease> refresh(Supplier<? extends Collection<Lease>> lister) {
        synchronized (this) {
            duringRefresh = new ArrayList<>();
        }
        Collection<Lease> listed;
        try {
            listed = lister.get();
        } catch (RuntimeException e) {
            synchronized (this) {
                duringRefresh = null; // the events were applied to what was known: nothing is lost
            }
            throw e;
        }
        synchronized (this) {
            bySubnet.clear();
            listed.forEach(lease -> bySubnet.put(lease.subnet(), lease));
            duringRefresh.forEach(this::update);
            duringRefresh = null;
            return leases();
        }
    }

    /** A watch's event. */
    public synchronized void apply(LeaseEvent event) {
        update(event);
        if (duringRefresh != null) {
            duringRefresh.add(event);
        }
    }

    /** Every lease known, in the order they became known. */
    public synchronized List<Lease> leases() {
        return List.copyOf(bySubnet.values());
    }

    /** A removal names the node that held the subnet: a subnet that changed hands meanwhile stays with its new holder. */
    private void update(LeaseEvent event) {
        switch (event) {
            case LeaseEvent.Updated(Lease lease) -> bySubnet.put(lease.subnet(), lease);
            case LeaseEvent.Removed(String node, IpPrefix subnet) -> bySubnet.computeIfPresent(subnet,
                    (_, held) -> held.node().equals(node) ? null : held);
        }
    }
}
