package io.weft.netlink;

import io.weft.netlink.addr.Addresses;
import io.weft.netlink.ethtool.Ethtool;
import io.weft.netlink.link.Links;
import io.weft.netlink.neigh.Fdb;
import io.weft.netlink.neigh.Neighbours;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Routes;
import io.weft.netlink.wire.NetlinkSocket;

import java.util.Set;
import java.util.function.Consumer;

/**
 * A netlink handle: a socket bound to one network namespace, and views of the kernel objects there.
 * Like vishvananda/netlink's {@code Handle}: open one per namespace and keep it. Thread-safe (one
 * request at a time on its socket); close it when done.
 */
public final class Netlink implements AutoCloseable {
    private final NetNamespace namespace;
    private final NetlinkSocket socket;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;
    private final Neighbours neighbours;
    private final Fdb fdb;

    private Netlink(NetNamespace namespace, NetlinkSocket socket) {
        this.namespace = namespace;
        this.socket = socket;
        this.links = new Links(socket);
        this.addresses = new Addresses(socket);
        this.routes = new Routes(socket);
        this.neighbours = new Neighbours(socket);
        this.fdb = new Fdb(socket);
    }

    /** A handle on the calling thread's namespace. */
    public static Netlink open() {
        return new Netlink(null, NetlinkSocket.open());
    }

    /**
     * A handle on {@code namespace}; it keeps working there whatever thread later uses it. The
     * namespace must stay open while the handle {@linkplain #subscribe subscribes}.
     */
    public static Netlink open(NetNamespace namespace) {
        return new Netlink(namespace, namespace.call(NetlinkSocket::open));
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

    /**
     * The offloads of this handle's namespace's devices ({@code SIOCETHTOOL}, not netlink).
     *
     * @throws IllegalStateException on a handle from {@link #open()}, which knows no namespace to open
     *     an ioctl socket in once its thread has moved on
     */
    public Ethtool ethtool() {
        if (namespace == null) {
            throw new IllegalStateException("a handle made with Netlink.open() has no namespace for ethtool: use Netlink.open(namespace)");
        }
        return Ethtool.in(namespace);
    }

    /** An empty batch of changes to routes, neighbours and FDB entries, sent together on this handle's socket. */
    public Batch batch() {
        return new Batch(socket);
    }

    /**
     * Delivers the kernel's notifications for {@code groups} to {@code listener}, on a thread of the
     * subscription's own, until the subscription is closed. Membership is in place when this returns,
     * so every change made afterwards is reported. A handle from {@link #open()} subscribes in the
     * calling thread's namespace.
     */
    public Subscription subscribe(Set<Group> groups, Consumer<NetlinkEvent> listener) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("subscribe to at least one group");
        }
        int[] numbers = groups.stream().mapToInt(Group::number).toArray();
        NetlinkSocket events = namespace == null ? NetlinkSocket.open(numbers)
                : namespace.call(() -> NetlinkSocket.open(numbers));
        return Subscription.start(events, listener, "netlink-events-" + (namespace == null ? "current" : namespace.name()));
    }

    @Override
    public void close() {
        socket.close();
    }
}
