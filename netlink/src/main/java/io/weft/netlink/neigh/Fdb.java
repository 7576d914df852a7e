package io.weft.netlink.neigh;

import io.weft.netlink.MacAddress;
import io.weft.netlink.wire.Attributes;
import io.weft.netlink.wire.Message;
import io.weft.netlink.wire.MessageWriter;
import io.weft.netlink.wire.NetlinkSocket;
import io.weft.netlink.wire.Request;

import java.util.List;

import static io.weft.netlink.sys.Kernel.*;

/**
 * The forwarding databases of devices in one namespace (what {@code bridge fdb ... self} shows),
 * used by Weft to tell its VXLAN device which node is behind each remote VTEP MAC. Obtain through
 * {@code Netlink.fdb()}. Every change addresses the device's own table ({@code NTF_SELF}), never a
 * master bridge's; {@link #listOfBridge} reads a bridge's table, for tools that explain a path. Errors name the entry as {@code bridge} would: {@code 0e:00:00:00:00:02 dev 5 dst 192.0.2.2}.
 */
public final class Fdb {
    private final NetlinkSocket socket;

    public Fdb(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * The device's own entries. The dump also reports, for a bridge port, the entries its master
     * bridge keeps about it (without {@code NTF_SELF}): those are left out.
     */
    public List<FdbEntry> list(int linkIndex) {
        return socket.dump(RTM_GETNEIGH, "fdb of dev " + linkIndex, w -> w.ndmsg(AF_BRIDGE, 0, 0, 0, 0), message ->
                message.u32(4) == linkIndex && (message.u8(10) & NTF_SELF) != 0 ? decode(message) : null);
    }

    /**
     * The forwarding table of bridge {@code bridgeIndex} itself: behind which port each MAC is, learnt
     * or static, as {@code bridge fdb show br NAME} lists it less the ports' own {@code self} entries.
     * An entry's link is the port (the bridge itself for its own MAC); no entry carries {@code NTF_SELF}.
     */
    public List<FdbEntry> listOfBridge(int bridgeIndex) {
        return socket.dump(RTM_GETNEIGH, "fdb of bridge " + bridgeIndex, w -> w.ndmsg(AF_BRIDGE, 0, 0, 0, 0), message ->
                (message.u8(10) & NTF_SELF) == 0 && message.attributes(SIZEOF_NDMSG).u32(NDA_MASTER, 0) == bridgeIndex
                        ? decode(message) : null);
    }

    /** Adds an entry; EEXIST when the device has one for that MAC already, whatever its destination. */
    public void add(FdbEntry entry) {
        socket.execute(addRequest(entry));
    }

    /** Adds the entry, or points the existing one for that MAC at the new destination. */
    public void replace(FdbEntry entry) {
        socket.execute(replaceRequest(entry));
    }

    /**
     * Deletes the entry for the MAC; ENOENT when there is none. With a destination, a VXLAN device
     * removes only that remote, and if the entry points elsewhere it acknowledges and keeps the
     * entry: pass a null destination to remove the MAC wherever it points.
     */
    public void delete(FdbEntry entry) {
        socket.execute(deleteRequest(entry));
    }

    /** What {@link #add} sends; a {@link io.weft.netlink.Batch} sends many together. */
    public static Request addRequest(FdbEntry entry) {
        return new Request(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, entry, w -> encode(w, entry));
    }

    /** What {@link #replace} sends. */
    public static Request replaceRequest(FdbEntry entry) {
        return new Request(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, entry, w -> encode(w, entry));
    }

    /** What {@link #delete} sends. */
    public static Request deleteRequest(FdbEntry entry) {
        return new Request(RTM_DELNEIGH, 0, entry, w -> encode(w, entry));
    }

    private static void encode(MessageWriter w, FdbEntry entry) {
        w.ndmsg(AF_BRIDGE, entry.linkIndex(), entry.state(), entry.flags() | NTF_SELF, 0);
        w.attribute(NDA_LLADDR, entry.mac().bytes());
        if (entry.destination() != null) {
            w.attribute(NDA_DST, entry.destination().getAddress());
        }
    }

    /** Decodes an {@code AF_BRIDGE} {@code RTM_NEWNEIGH}/{@code RTM_DELNEIGH} message (a dump entry or a notification). */
    public static FdbEntry decode(Message message) {
        int family = message.u8(0);
        if (family != AF_BRIDGE) {
            throw new IllegalArgumentException("not an fdb message: address family " + family + ", expected AF_BRIDGE");
        }
        Attributes attributes = message.attributes(SIZEOF_NDMSG);
        return new FdbEntry(message.u32(4), new MacAddress(attributes.bytes(NDA_LLADDR)), attributes.address(NDA_DST),
                message.u16(8), message.u8(10));
    }
}
