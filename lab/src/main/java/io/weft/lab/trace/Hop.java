package io.weft.lab.trace;

/** What a step of a trace looks at, in the words of the classic explanation. */
public enum Hop {
    /** A route lookup ({@code RTM_GETROUTE}): in a pod, on a node, or to another node's underlay address. */
    ROUTE("route"),
    /** A pod's own interface ({@code eth0}), where the packet leaves or arrives. */
    POD_INTERFACE("eth0"),
    /** The node end of a pod's veth pair, a port of the bridge. */
    VETH("veth"),
    /** The node's bridge ({@code cni0}), with the pods' gateway address. */
    BRIDGE("bridge"),
    /** Address resolution on a bridge: who answers for the next hop, with which MAC. */
    ARP("arp"),
    /** The bridge's forwarding table: behind which port a MAC is. */
    BRIDGE_FDB("bridge fdb"),
    /** A VXLAN device ({@code weft.1}), sending or receiving. */
    VXLAN("vxlan"),
    /** The permanent neighbour entry giving the remote VTEP's MAC for a route's gateway. */
    VTEP_NEIGHBOUR("neighbour"),
    /** The VXLAN device's FDB entry giving the underlay address of the node behind a VTEP MAC. */
    VTEP_FDB("vxlan fdb"),
    /** The packet wrapped in VXLAN over UDP between two nodes. */
    ENCAPSULATION("encap"),
    /** A node's underlay interface, where packets between nodes leave or arrive. */
    UNDERLAY("underlay");

    private final String label;

    Hop(String label) {
        this.label = label;
    }

    /** The short name a text trace shows, e.g. {@code vxlan fdb}. */
    public String label() {
        return label;
    }
}
