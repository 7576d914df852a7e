package io.weft.lab.trace;

/** How the packet goes from pod to pod. */
public enum PathKind {
    /** Both pods on one node's bridge: eth0 → veth → cni0 → veth → eth0. */
    SAME_NODE("same node"),
    /** Between nodes, encapsulated in VXLAN over UDP. */
    VXLAN("cross node, VXLAN"),
    /** Between nodes on one underlay subnet, routed via the other node's underlay address without encapsulation. */
    DIRECT_ROUTING("cross node, direct routing"),
    /** Not known: the trace broke before the packet left the source node. */
    UNKNOWN("unknown");

    private final String label;

    PathKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
