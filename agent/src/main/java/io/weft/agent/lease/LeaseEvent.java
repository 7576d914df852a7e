package io.weft.agent.lease;

import io.weft.netlink.IpPrefix;

/** A change in the store, as a watch reports it. */
public sealed interface LeaseEvent {
    /** A lease appeared or changed (new public IP, new VTEP MAC, renewed). */
    record Updated(Lease lease) implements LeaseEvent {}

    /** A lease was deleted or expired: its node is gone. */
    record Removed(String node, IpPrefix subnet) implements LeaseEvent {}
}
