package io.weft.agent.lease.etcd;

import io.weft.agent.lease.Lease;

import java.util.List;

/** The leases as etcd held them at {@code revision}: a watch from {@code revision + 1} misses nothing. */
record Snapshot(long revision, List<Lease> leases) {
    Snapshot {
        leases = List.copyOf(leases);
    }
}
