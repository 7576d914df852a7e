package io.weft.agent.overlay;

/**
 * Whether a peer on a directly connected subnet of the underlay is reached by a plain route to its
 * underlay IP instead of through VXLAN (Flannel's {@code DirectRouting}): no encapsulation, full MTU
 * on that path, no neighbour or FDB entry.
 */
public enum DirectRouting {
    /** Route directly where the underlay reaches the peer without a router; VXLAN elsewhere. */
    AUTO,
    /** Always VXLAN, even to peers on the same subnet. */
    OFF
}
