package io.weft.agent.lease;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where nodes claim pod subnets and learn each other's: kubernetes (node.spec.podCIDR), etcd, or a
 * local directory for a one-machine lab. The overlay never sees which one it is.
 */
public interface LeaseStore extends AutoCloseable {
    /** The cluster network the subnets are cut from. */
    ClusterNetwork network();

    /**
     * Claims this node's subnet: the one it held before a restart if still free, else a free one
     * (kubernetes: the node's podCIDR, failing with a clear message while it has none).
     */
    Lease acquire(LeaseClaim claim);

    /** Extends the lease; a lease the store lost (expired, deleted) is claimed again for the same subnet. */
    Lease renew(Lease lease);

    /** How often {@link #renew} should run (e.g. TTL/3); {@link Duration#ZERO} when leases do not expire. */
    Duration renewInterval();

    /** Every current lease, this node's included. */
    List<Lease> list();

    /**
     * Reports changes to {@code listener} from now on, on a thread of the store's, until the returned
     * handle is closed. A watch that had to reconnect reports what it missed (or, when it cannot tell, everything again) as {@link LeaseEvent.Updated} and {@link LeaseEvent.Removed}.
     */
    AutoCloseable watch(Consumer<LeaseEvent> listener);

    @Override
    void close();
}
