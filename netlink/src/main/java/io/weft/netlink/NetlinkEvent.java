package io.weft.netlink;

import io.weft.netlink.link.Link;
import io.weft.netlink.link.Links;
import io.weft.netlink.wire.Message;
import io.weft.netlink.wire.MessageTypes;

import static io.weft.netlink.sys.Kernel.AF_BRIDGE;
import static io.weft.netlink.sys.Kernel.RTA_OIF;
import static io.weft.netlink.sys.Kernel.RTM_DELADDR;
import static io.weft.netlink.sys.Kernel.RTM_DELLINK;
import static io.weft.netlink.sys.Kernel.RTM_DELNEIGH;
import static io.weft.netlink.sys.Kernel.RTM_DELROUTE;
import static io.weft.netlink.sys.Kernel.RTM_NEWADDR;
import static io.weft.netlink.sys.Kernel.RTM_NEWLINK;
import static io.weft.netlink.sys.Kernel.RTM_NEWNEIGH;
import static io.weft.netlink.sys.Kernel.RTM_NEWROUTE;
import static io.weft.netlink.sys.Kernel.SIZEOF_RTMSG;

/**
 * A change the kernel announced to a {@link Subscription}. Notifications say that something changed,
 * not the whole state: after an {@link Overrun} some were lost, and the subscriber must dump again.
 */
public sealed interface NetlinkEvent {
    /** A link appeared or changed ({@code RTM_NEWLINK}): it went up or down, got a master, was renamed… */
    record LinkChanged(Link link) implements NetlinkEvent {}

    /** A link was deleted ({@code RTM_DELLINK}); {@code link} is its last state. */
    record LinkDeleted(Link link) implements NetlinkEvent {}

    /**
     * An address, route or neighbour changed, or a bridge port's settings did (an {@code AF_BRIDGE}
     * link message, whose {@code RTM_DELLINK} means the port left its bridge, not that the link is gone).
     *
     * @param messageType e.g. {@code RTM_NEWROUTE}
     * @param family the address family of the object, e.g. {@code AF_INET}
     * @param linkIndex the interface it belongs to (a route's output interface), or 0 when it has none
     */
    record ObjectChanged(int messageType, int family, int linkIndex) implements NetlinkEvent {
        public String typeName() {
            return MessageTypes.name(messageType);
        }
    }

    /** The kernel dropped notifications ({@code ENOBUFS}) because the subscriber fell behind: resynchronise by dumping. */
    record Overrun() implements NetlinkEvent {}

    /** Decodes a notification; null for a message that is not one (e.g. {@code NLMSG_NOOP}). */
    static NetlinkEvent decode(Message message) {
        int type = message.type();
        int family = message.u8(0);
        return switch (type) {
            case RTM_NEWLINK, RTM_DELLINK -> {
                if (family == AF_BRIDGE) {
                    yield new ObjectChanged(type, family, message.u32(4));
                }
                Link link = Links.decode(message);
                yield type == RTM_NEWLINK ? new LinkChanged(link) : new LinkDeleted(link);
            }
            // ifaddrmsg and ndmsg both carry the interface index at offset 4
            case RTM_NEWADDR, RTM_DELADDR, RTM_NEWNEIGH, RTM_DELNEIGH -> new ObjectChanged(type, family, message.u32(4));
            case RTM_NEWROUTE, RTM_DELROUTE ->
                    new ObjectChanged(type, family, message.attributes(SIZEOF_RTMSG).u32(RTA_OIF, 0));
            default -> null;
        };
    }
}
