package io.weft.agent;

import io.weft.agent.masquerade.Masquerade;
import io.weft.agent.masquerade.Nft;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.route.Route;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.weft.netlink.sys.Kernel.ESRCH;

/**
 * Removes what the agent put on a node: {@code weft.1} (its neighbours, FDB entries and routes go with
 * it), the routes carrying Weft's route protocol (direct routes via the underlay), the nftables table
 * {@code ip weft}, and {@code subnet.env} and {@code cni.sock} in the run directory. {@code cni0} stays:
 * it is the pods' bridge, the plugin's. Running it again finds nothing and changes nothing.
 */
public final class Uninstaller {
    private final Netlink node;
    private final Nft nft;
    private final int routeProtocol;

    /** @param routeProtocol the route protocol number the overlay marks Weft's routes with */
    public Uninstaller(Netlink node, Nft nft, int routeProtocol) {
        this.node = node;
        this.nft = nft;
        this.routeProtocol = routeProtocol;
    }

    /**
     * Removes it all; returns one line per thing removed.
     *
     * @throws IllegalStateException when an agent still answers on the run directory's socket: it
     *     would put everything back
     */
    public List<String> uninstall(Path runDir) throws IOException {
        Path socket = runDir.resolve("cni.sock");
        if (agentAnswersOn(socket)) {
            throw new IllegalStateException("an agent still answers on " + socket + ": stop it first, or it puts everything back");
        }
        List<String> done = new ArrayList<>();
        if (node.links().find(Agent.OVERLAY_DEVICE).isPresent()) {
            node.links().delete(Agent.OVERLAY_DEVICE);
            done.add("deleted " + Agent.OVERLAY_DEVICE + " with its neighbours, FDB entries and routes");
        }
        for (Route route : node.routes().list()) {
            if (route.protocol() == routeProtocol && delete(route)) {
                done.add("deleted route " + route);
            }
        }
        Masquerade.remove(nft);
        done.add("deleted nftables table ip " + Masquerade.TABLE + " (if there was one)");
        for (Path file : List.of(runDir.resolve("subnet.env"), socket)) {
            if (Files.deleteIfExists(file)) {
                done.add("removed " + file);
            }
        }
        return done;
    }

    /** False when the route vanished meanwhile (with a device deleted just before, say). */
    private boolean delete(Route route) {
        try {
            node.routes().delete(route);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == ESRCH) {
                return false;
            }
            throw e;
        }
    }

    private static boolean agentAnswersOn(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
            return true;
        } catch (ConnectException stale) {
            return false; // a socket file left by an agent that is gone
        } catch (IOException e) {
            return false;
        }
    }
}
