package io.weft.netlink;

import io.weft.netlink.addr.Addresses;
import io.weft.netlink.link.Links;
import io.weft.netlink.neigh.Fdb;
import io.weft.netlink.neigh.Neighbours;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Routes;
import io.weft.netlink.wire.NetlinkSocket;

/**
 * A netlink handle: a socket bound to one network namespace, and views of the kernel objects there.
 * Like vishvananda/netlink's {@code Handle}: open one per namespace and keep it. Thread-safe (one
 * request at a time on its socket); close it when done.
 */
public final class Netlink implements AutoCloseable {
    private final NetlinkSocket socket;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;
    private final Neighbours neighbours;
    private final Fdb fdb;

    private Netlink(NetlinkSocket socket) {
        this.socket = socket;
        this.links = new Links(socket);
        this.addresses = new Addresses(socket);
        this.routes = new Routes(socket);
        this.neighbours = new Neighbours(socket);
        this.fdb = new Fdb(socket);
    }

    /** A handle on the calling thread's namespace. */
    public static Netlink open() {
        return new Netlink(NetlinkSocket.open());
    }

    /** A handle on {@code namespace}; it keeps working there whatever thread later uses it. */
    public static Netlink open(NetNamespace namespace) {
        return new Netlink(namespace.call(NetlinkSocket::open));
    }

    public Links links() {
        return links;
    }

    public Addresses addresses() {
        return addresses;
    }

    public Routes routes() {
        return routes;
    }

    public Neighbours neighbours() {
        return neighbours;
    }

    public Fdb fdb() {
        return fdb;
    }

    @Override
    public void close() {
        socket.close();
    }
}
