package io.weft.netlink;

import io.weft.netlink.neigh.Fdb;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.neigh.Neighbour;
import io.weft.netlink.neigh.Neighbours;
import io.weft.netlink.route.Route;
import io.weft.netlink.route.Routes;
import io.weft.netlink.wire.NetlinkSocket;
import io.weft.netlink.wire.Request;

import java.util.ArrayList;
import java.util.List;

/**
 * Changes to routes, neighbours and FDB entries, collected and then sent together by {@link #send}: the
 * same requests the views send one at a time ({@code netlink.routes().replace(route)}), with the same
 * meaning, made by the kernel in the order given, a refused one not stopping the others. Sending many
 * to a datagram and hearing back only about refusals spares the two system calls per change that
 * waiting for each ACK costs, which is most of Weft's own share of programming a thousand peers.
 * Obtain through {@link Netlink#batch()}; not thread-safe.
 */
public final class Batch {
    /**
     * A change the kernel refused.
     *
     * @param index the change's position in the batch, counting from 0
     * @param object what the change was about: the {@link Route}, {@link Neighbour} or {@link FdbEntry} given
     */
    public record Failure(int index, Object object, NetlinkException error) {}

    private final NetlinkSocket socket;
    private final List<Request> requests = new ArrayList<>();

    Batch(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** As {@link Routes#add}: EEXIST when the table has a route to the destination with the metric. */
    public Batch add(Route route) {
        return queue(Routes.addRequest(route));
    }

    /** As {@link Routes#replace}. */
    public Batch replace(Route route) {
        return queue(Routes.replaceRequest(route));
    }

    /** As {@link Routes#delete}: ESRCH when no route matches. */
    public Batch delete(Route route) {
        return queue(Routes.deleteRequest(route));
    }

    /** As {@link Neighbours#add}. */
    public Batch add(Neighbour neighbour) {
        return queue(Neighbours.addRequest(neighbour));
    }

    /** As {@link Neighbours#replace}. */
    public Batch replace(Neighbour neighbour) {
        return queue(Neighbours.replaceRequest(neighbour));
    }

    /** As {@link Neighbours#delete}: ENOENT when the link has no entry for the address. */
    public Batch delete(Neighbour neighbour) {
        return queue(Neighbours.deleteRequest(neighbour));
    }

    /** As {@link Fdb#add}. */
    public Batch add(FdbEntry entry) {
        return queue(Fdb.addRequest(entry));
    }

    /** As {@link Fdb#replace}. */
    public Batch replace(FdbEntry entry) {
        return queue(Fdb.replaceRequest(entry));
    }

    /** As {@link Fdb#delete}: ENOENT when there is no entry for the MAC. */
    public Batch delete(FdbEntry entry) {
        return queue(Fdb.deleteRequest(entry));
    }

    /** How many changes are waiting to be sent. */
    public int size() {
        return requests.size();
    }

    /**
     * Sends the changes collected and empties the batch; returns the refused ones, in order (empty when
     * all were made). A refusal with {@code ENOBUFS} means the kernel dropped its answer: whether that
     * change was made is not known, and reading the state again tells.
     */
    public List<Failure> send() {
        List<Request> sending = List.copyOf(requests);
        requests.clear();
        return socket.executeAll(sending).stream()
                .map(failure -> new Failure(failure.index(), sending.get(failure.index()).object(), failure.error()))
                .toList();
    }

    private Batch queue(Request request) {
        requests.add(request);
        return this;
    }
}
