package io.weft.netlink.neigh;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;

import java.net.InetAddress;

import static io.weft.netlink.sys.Kernel.NTF_SELF;
import static io.weft.netlink.sys.Kernel.NUD_PERMANENT;

/**
 * A forwarding-database entry of a device's own table ({@code NTF_SELF}): on a VXLAN device, the
 * underlay address of the node behind a remote VTEP's MAC, as {@code bridge fdb add MAC dev weft.1
 * dst 192.0.2.2 self permanent} makes it.
 *
 * @param linkIndex the device that owns the entry
 * @param destination the remote underlay IP (VXLAN {@code NDA_DST}), or null for entries without one
 * @param state the {@code NUD_*} state bits
 * @param flags the {@code NTF_*} flags; {@link Fdb} always adds {@code NTF_SELF}
 */
public record FdbEntry(int linkIndex, MacAddress mac, InetAddress destination, int state, int flags) {
    public FdbEntry {
        if (mac == null) {
            throw new IllegalArgumentException("an fdb entry needs a MAC address (dev " + linkIndex + ")");
        }
        if (linkIndex <= 0) {
            throw new IllegalArgumentException("fdb entry " + mac + ": link index " + linkIndex + " is not positive");
        }
        if (state < 0 || state > 0xffff || flags < 0 || flags > 0xff) {
            throw new IllegalArgumentException("fdb entry " + mac + ": state " + state
                    + " (16 bits) or flags " + flags + " (8 bits) out of range");
        }
    }

    /** A permanent entry: never aged out, as Weft keeps the VTEPs of other nodes. */
    public static FdbEntry permanent(int linkIndex, MacAddress mac, InetAddress destination) {
        return new FdbEntry(linkIndex, mac, destination, NUD_PERMANENT, NTF_SELF);
    }

    public boolean permanent() {
        return (state & NUD_PERMANENT) != 0;
    }

    @Override
    public String toString() {
        return mac + " dev " + linkIndex + (destination == null ? "" : " dst " + IpPrefix.formatAddress(destination));
    }
}
