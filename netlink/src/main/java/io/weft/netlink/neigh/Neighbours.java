package io.weft.netlink.neigh;

import io.weft.netlink.MacAddress;
import io.weft.netlink.wire.Attributes;
import io.weft.netlink.wire.Message;
import io.weft.netlink.wire.MessageWriter;
import io.weft.netlink.wire.NetlinkSocket;
import io.weft.netlink.wire.Request;

import java.net.Inet4Address;
import java.util.List;

import static io.weft.netlink.sys.Kernel.*;

/**
 * The IPv4 and IPv6 neighbour tables of one namespace (what {@code ip neigh} shows). Obtain through
 * {@code Netlink.neighbours()}. Bridge FDB entries share the message type but live in {@link Fdb}.
 * Errors name the entry as {@code ip} would: {@code 192.0.2.2 lladdr 0e:00:00:00:00:02 dev 5}.
 */
public final class Neighbours {
    private final NetlinkSocket socket;

    public Neighbours(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Every IPv4 and IPv6 entry, on every link. */
    public List<Neighbour> list() {
        return socket.dump(RTM_GETNEIGH, "all neighbours", w -> w.ndmsg(AF_UNSPEC, 0, 0, 0, 0), Neighbours::decodeIp);
    }

    public List<Neighbour> list(int linkIndex) {
        return list().stream().filter(n -> n.linkIndex() == linkIndex).toList();
    }

    /** Adds an entry; EEXIST when the link already has one for that address. */
    public void add(Neighbour neighbour) {
        socket.execute(addRequest(neighbour));
    }

    /** Adds the entry, or overwrites the one for that address: its MAC, state and flags. */
    public void replace(Neighbour neighbour) {
        socket.execute(replaceRequest(neighbour));
    }

    /** Deletes the entry for the neighbour's address on its link (the MAC is not compared); ENOENT when none. */
    public void delete(Neighbour neighbour) {
        socket.execute(deleteRequest(neighbour));
    }

    /** What {@link #add} sends; a {@link io.weft.netlink.Batch} sends many together. */
    public static Request addRequest(Neighbour neighbour) {
        return new Request(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, neighbour, w -> encode(w, neighbour));
    }

    /** What {@link #replace} sends. */
    public static Request replaceRequest(Neighbour neighbour) {
        return new Request(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, neighbour, w -> encode(w, neighbour));
    }

    /** What {@link #delete} sends. */
    public static Request deleteRequest(Neighbour neighbour) {
        return new Request(RTM_DELNEIGH, 0, neighbour, w -> {
            w.ndmsg(family(neighbour), neighbour.linkIndex(), 0, 0, 0);
            w.attribute(NDA_DST, neighbour.address().getAddress());
        });
    }

    private static void encode(MessageWriter w, Neighbour neighbour) {
        w.ndmsg(family(neighbour), neighbour.linkIndex(), neighbour.state(), neighbour.flags(), 0);
        w.attribute(NDA_DST, neighbour.address().getAddress());
        if (neighbour.mac() != null) {
            w.attribute(NDA_LLADDR, neighbour.mac().bytes());
        }
    }

    private static int family(Neighbour neighbour) {
        return neighbour.address() instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    /** A dump of AF_UNSPEC holds only IP tables today; this keeps FDB entries out should that change. */
    private static Neighbour decodeIp(Message message) {
        int family = message.u8(0);
        return family == AF_INET || family == AF_INET6 ? decode(message) : null;
    }

    /**
     * Decodes an IPv4 or IPv6 {@code RTM_NEWNEIGH}/{@code RTM_DELNEIGH} message (a dump entry or a
     * notification). An FDB message (family {@code AF_BRIDGE}) is refused: decode it with {@link Fdb#decode}.
     */
    public static Neighbour decode(Message message) {
        int family = message.u8(0);
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 neighbour message: address family " + family);
        }
        Attributes attributes = message.attributes(SIZEOF_NDMSG);
        byte[] mac = attributes.bytes(NDA_LLADDR);
        return new Neighbour(message.u32(4), attributes.address(NDA_DST),
                mac != null && mac.length == 6 ? new MacAddress(mac) : null, message.u16(8), message.u8(10));
    }
}
