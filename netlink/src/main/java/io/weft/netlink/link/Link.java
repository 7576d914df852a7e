package io.weft.netlink.link;

import io.weft.netlink.MacAddress;

import static io.weft.netlink.sys.Kernel.IFF_LOWER_UP;
import static io.weft.netlink.sys.Kernel.IFF_UP;

/**
 * A network interface as the kernel reports it.
 *
 * @param index the interface index in its namespace
 * @param kind bridge, veth, vxlan (with its settings) or other
 * @param mac the hardware address, or null for devices without one
 * @param flags the {@code IFF_*} flags
 * @param masterIndex the bridge (or other master) it is enslaved to, or 0
 * @param parentIndex {@code IFLA_LINK}: a veth's peer, a vlan's parent; 0 when none
 * @param operState the {@code IF_OPER_*} state
 * @param hairpin for a bridge port: whether frames may leave through the port they came in on
 */
public record Link(int index, String name, LinkKind kind, int mtu, MacAddress mac, int flags, int masterIndex,
                   int parentIndex, int operState, boolean hairpin) {

    /** Administratively up ({@code IFF_UP}). */
    public boolean up() {
        return (flags & IFF_UP) != 0;
    }

    /** The carrier is up ({@code IFF_LOWER_UP}). */
    public boolean lowerUp() {
        return (flags & IFF_LOWER_UP) != 0;
    }
}
