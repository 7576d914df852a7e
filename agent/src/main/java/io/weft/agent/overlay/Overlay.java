package io.weft.agent.overlay;

import io.weft.agent.lease.Lease;

import java.util.Collection;

/**
 * The kernel side of the network between nodes: this node's {@code weft.1} and, per peer, a route
 * (plus neighbour and FDB entry when the peer is reached through VXLAN). Desired state comes in,
 * the kernel is made to match it: missing objects added, wrong ones replaced, stale ones deleted.
 */
public interface Overlay extends AutoCloseable {
    /** Makes the kernel match {@code self} and {@code peers} (which may include self: it is skipped). Idempotent. */
    ReconcileResult reconcile(Lease self, Collection<Lease> peers);

    @Override
    void close();
}
