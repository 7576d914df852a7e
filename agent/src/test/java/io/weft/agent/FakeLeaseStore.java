package io.weft.agent;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseEvent;
import io.weft.agent.lease.LeaseStore;
import io.weft.netlink.IpPrefix;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A store in memory that hands this node 10.42.1.0/24, or refuses while {@link #notReady} says why. */
final class FakeLeaseStore implements LeaseStore {
    static final IpPrefix SUBNET = IpPrefix.parse("10.42.1.0/24");

    final List<LeaseClaim> claims = new CopyOnWriteArrayList<>();
    final Map<String, Lease> leases = new ConcurrentHashMap<>();
    final AtomicInteger renewals = new AtomicInteger();
    volatile String notReady;
    volatile Duration renewInterval = Duration.ZERO;
    volatile boolean closed;
    private volatile Consumer<LeaseEvent> listener;

    @Override
    public ClusterNetwork network() {
        return AgentConfig.DEFAULT_NETWORK;
    }

    @Override
    public Lease acquire(LeaseClaim claim) {
        claims.add(claim);
        if (notReady != null) {
            throw new IllegalStateException(notReady);
        }
        Lease lease = new Lease(claim.node(), SUBNET, claim.publicIp(), claim.vtepMac(), Instant.MAX);
        leases.put(claim.node(), lease);
        return lease;
    }

    @Override
    public Lease renew(Lease lease) {
        renewals.incrementAndGet();
        return lease;
    }

    @Override
    public Duration renewInterval() {
        return renewInterval;
    }

    @Override
    public List<Lease> list() {
        return List.copyOf(leases.values());
    }

    /** A peer's lease appears, as a watch reports it. */
    void put(Lease lease) {
        leases.put(lease.node(), lease);
        Consumer<LeaseEvent> watcher = listener;
        if (watcher != null) {
            watcher.accept(new LeaseEvent.Updated(lease));
        }
    }

    /** A peer's lease appears without the watch saying so, as after a lost event. */
    void putSilently(Lease lease) {
        leases.put(lease.node(), lease);
    }

    @Override
    public AutoCloseable watch(Consumer<LeaseEvent> listener) {
        this.listener = listener;
        return () -> this.listener = null;
    }

    @Override
    public void close() {
        closed = true;
    }
}
