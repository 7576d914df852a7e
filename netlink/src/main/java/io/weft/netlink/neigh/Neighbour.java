package io.weft.netlink.neigh;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;

import java.net.InetAddress;

import static io.weft.netlink.sys.Kernel.NUD_FAILED;
import static io.weft.netlink.sys.Kernel.NUD_PERMANENT;
import static io.weft.netlink.sys.Kernel.NUD_REACHABLE;
import static io.weft.netlink.sys.Kernel.NUD_STALE;

/**
 * An IPv4 (ARP) or IPv6 (NDP) neighbour entry: which hardware address answers for an IP address on
 * a link. Weft installs permanent ones for the VTEPs of other nodes, so the kernel never has to ask.
 *
 * @param linkIndex the interface the entry belongs to
 * @param mac the hardware address, or null while unresolved (or when it is not 6 bytes long)
 * @param state the {@code NUD_*} state bits
 * @param flags the {@code NTF_*} flags
 */
public record Neighbour(int linkIndex, InetAddress address, MacAddress mac, int state, int flags) {
    public Neighbour {
        if (address == null) {
            throw new IllegalArgumentException("a neighbour needs an IP address (dev " + linkIndex + ")");
        }
        if (linkIndex <= 0) {
            throw new IllegalArgumentException("neighbour " + IpPrefix.formatAddress(address) + ": link index "
                    + linkIndex + " is not positive");
        }
        if (state < 0 || state > 0xffff || flags < 0 || flags > 0xff) {
            throw new IllegalArgumentException("neighbour " + IpPrefix.formatAddress(address) + ": state " + state
                    + " (16 bits) or flags " + flags + " (8 bits) out of range");
        }
    }

    /** A permanent entry: the kernel neither probes nor expires it. */
    public static Neighbour permanent(int linkIndex, InetAddress address, MacAddress mac) {
        return new Neighbour(linkIndex, address, mac, NUD_PERMANENT, 0);
    }

    public boolean permanent() {
        return (state & NUD_PERMANENT) != 0;
    }

    /** Confirmed recently ({@code NUD_REACHABLE}). */
    public boolean reachable() {
        return (state & NUD_REACHABLE) != 0;
    }

    /** Usable but unconfirmed; the kernel will probe before relying on it ({@code NUD_STALE}). */
    public boolean stale() {
        return (state & NUD_STALE) != 0;
    }

    /** Resolution failed ({@code NUD_FAILED}): packets to this address are dropped. */
    public boolean failed() {
        return (state & NUD_FAILED) != 0;
    }

    @Override
    public String toString() {
        return IpPrefix.formatAddress(address) + (mac == null ? "" : " lladdr " + mac) + " dev " + linkIndex;
    }
}
