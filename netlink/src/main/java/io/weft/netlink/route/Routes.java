package io.weft.netlink.route;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.wire.Attributes;
import io.weft.netlink.wire.Message;
import io.weft.netlink.wire.MessageWriter;
import io.weft.netlink.wire.NetlinkSocket;
import io.weft.netlink.wire.Request;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static io.weft.netlink.sys.Kernel.*;

/**
 * IPv4 and IPv6 routes of one namespace: add, replace, delete, list, and the kernel's own lookup.
 * Obtain through {@code Netlink.routes()}. Errors name the route as ip prints it, e.g.
 * {@code RTM_NEWROUTE 10.42.2.0/24 via 10.42.2.0 dev 5 onlink: EEXIST (File exists)}.
 */
public final class Routes {
    private final NetlinkSocket socket;

    public Routes(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Adds a route; EEXIST when its table has one to the same destination with the same metric. */
    public void add(Route route) {
        socket.execute(addRequest(route));
    }

    /** Adds the route, or replaces the one to the same destination and metric in its table (a new gateway, say). */
    public void replace(Route route) {
        socket.execute(replaceRequest(route));
    }

    /**
     * Deletes the route to the destination in the route's table that also matches its type and protocol
     * and, where set, its gateway, device, metric and preferred source; the scope is not compared.
     * Unlike {@code ip route del}, the protocol always counts, so Weft cannot remove a route it did
     * not make by accident. ESRCH when no route matches.
     */
    public void delete(Route route) {
        socket.execute(deleteRequest(route));
    }

    /** What {@link #add} sends; a {@link io.weft.netlink.Batch} sends many together. */
    public static Request addRequest(Route route) {
        return new Request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, route, w -> encode(w, route, route.scope()));
    }

    /** What {@link #replace} sends. */
    public static Request replaceRequest(Route route) {
        return new Request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, route, w -> encode(w, route, route.scope()));
    }

    /** What {@link #delete} sends. */
    public static Request deleteRequest(Route route) {
        return new Request(RTM_DELROUTE, 0, route, w -> encode(w, route, RT_SCOPE_NOWHERE));
    }

    /**
     * Every route of both families in every table: main, local (the kernel's local and broadcast
     * routes) and any other. Callers filter, e.g. on {@link Route#table()} or on Weft's
     * {@link Route#protocol()}; listing everything keeps one dump the only way to read routes.
     */
    public List<Route> list() {
        return list(AF_UNSPEC);
    }

    /** Every route of one family ({@code AF_INET}, {@code AF_INET6}, or {@code AF_UNSPEC} for both) in every table. */
    public List<Route> list(int family) {
        if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("not AF_UNSPEC, AF_INET or AF_INET6: address family " + family);
        }
        return socket.dump(RTM_GETROUTE, "all routes", w -> w.rtmsg(family, 0, 0, 0, 0, 0, 0),
                message -> isIp(message) ? decode(message) : null);
    }

    /**
     * Asks the kernel where it would send a packet to {@code destination}, like {@code ip route get}:
     * the answer is a host route with the output device, gateway, preferred source and the table
     * the lookup found it in. ENETUNREACH when no route covers the destination.
     */
    public Route lookup(InetAddress destination) {
        byte[] address = destination.getAddress();
        int family = destination instanceof Inet4Address ? AF_INET : AF_INET6;
        return socket.query(RTM_GETROUTE, 0, destination.getHostAddress(),
                w -> w.rtmsg(family, address.length * 8, 0, 0, 0, 0, RTM_F_LOOKUP_TABLE).attribute(RTA_DST, address),
                Routes::decode);
    }

    /**
     * Asks the kernel what it does with a packet from {@code source} to {@code destination} arriving on
     * the interface {@code inputIndex}, like {@code ip route get DESTINATION from SOURCE iif DEV}: the
     * input path a forwarded packet takes, with the policy rules keyed on the input interface, the
     * interface's forwarding switch and reverse-path filtering. The answer is a host route with the
     * output device and gateway (type local when the packet is for this namespace), without a preferred
     * source. A packet the kernel would drop comes back as the error it drops it with; on Linux 6.18:
     * EHOSTUNREACH when forwarding is off on the input interface (or an unreachable route matches),
     * EINVAL when the source fails reverse-path filtering or is martian (or a blackhole route or rule
     * matches), ENETUNREACH without a route (or an unreachable rule), EACCES for a prohibit route or rule.
     */
    public Route lookup(InetAddress destination, InetAddress source, int inputIndex) {
        if ((destination instanceof Inet4Address) != (source instanceof Inet4Address)) {
            throw new IllegalArgumentException("route lookup source " + IpPrefix.formatAddress(source)
                    + " is not of the family of its destination " + IpPrefix.formatAddress(destination));
        }
        if (inputIndex <= 0) {
            throw new IllegalArgumentException("route lookup input interface index must be positive, not " + inputIndex);
        }
        byte[] to = destination.getAddress();
        byte[] from = source.getAddress();
        int family = destination instanceof Inet4Address ? AF_INET : AF_INET6;
        return socket.query(RTM_GETROUTE, 0,
                IpPrefix.formatAddress(destination) + " from " + IpPrefix.formatAddress(source) + " iif " + inputIndex,
                w -> w.rtmsg(family, to.length * 8, from.length * 8, 0, 0, 0, 0, RTM_F_LOOKUP_TABLE)
                        .attribute(RTA_DST, to).attribute(RTA_SRC, from).attributeU32(RTA_IIF, inputIndex),
                Routes::decode);
    }

    /**
     * The header and attributes of an add, replace or delete. A table beyond the header's 8 bits
     * travels in {@code RTA_TABLE} only, as ip sends it; the attribute wins either way.
     */
    private static void encode(MessageWriter w, Route route, int scope) {
        int table = route.table();
        int headerTable = Integer.compareUnsigned(table, 256) < 0 ? table : RT_TABLE_UNSPEC;
        w.rtmsg(route.family(), route.destination().length(), headerTable, route.protocol(), scope, route.type(),
                route.onlink() ? RTNH_F_ONLINK : 0);
        w.attribute(RTA_DST, route.destination().address().getAddress());
        w.attributeU32(RTA_TABLE, table);
        if (route.gateway() != null) {
            w.attribute(RTA_GATEWAY, route.gateway().getAddress());
        }
        if (route.outputIndex() != 0) {
            w.attributeU32(RTA_OIF, route.outputIndex());
        }
        if (route.metric() != 0) {
            w.attributeU32(RTA_PRIORITY, route.metric());
        }
        if (route.preferredSource() != null) {
            w.attribute(RTA_PREFSRC, route.preferredSource().getAddress());
        }
    }

    private static boolean isIp(Message message) {
        int family = message.u8(0);
        return family == AF_INET || family == AF_INET6;
    }

    /**
     * Decodes an {@code RTM_NEWROUTE} message of family {@code AF_INET} or {@code AF_INET6}. A
     * multipath route ({@code RTA_MULTIPATH}) comes back without gateway and device: Weft makes none.
     */
    public static Route decode(Message message) {
        if (!isIp(message)) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 route message: family " + message.u8(0));
        }
        int family = message.u8(0);
        int destinationLength = message.u8(1);
        int headerTable = message.u8(4);
        int protocol = message.u8(5);
        int scope = message.u8(6);
        int type = message.u8(7);
        int flags = message.u32(8);
        Attributes attributes = message.attributes(SIZEOF_RTMSG);
        InetAddress destination = attributes.has(RTA_DST) ? attributes.address(RTA_DST) : unspecified(family);
        return new Route(new IpPrefix(destination, destinationLength), attributes.address(RTA_GATEWAY),
                attributes.u32(RTA_OIF, 0), attributes.u32(RTA_TABLE, headerTable), protocol, scope, type,
                attributes.u32(RTA_PRIORITY, 0), (flags & RTNH_F_ONLINK) != 0, attributes.address(RTA_PREFSRC));
    }

    /** {@code 0.0.0.0} or {@code ::}, the destination of a default route, which the kernel leaves out. */
    private static InetAddress unspecified(int family) {
        try {
            return InetAddress.getByAddress(new byte[family == AF_INET ? 4 : 16]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
