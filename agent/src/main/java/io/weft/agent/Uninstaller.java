package io.weft.agent;

import io.weft.agent.masquerade.Masquerade;
import io.weft.agent.masquerade.Nft;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.cni.pod.NodeBridge;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.route.Route;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.weft.netlink.sys.Kernel.ENODEV;
import static io.weft.netlink.sys.Kernel.ESRCH;

/**
 * Removes what the agent put on a node: {@code weft.1} (its neighbours, FDB entries and routes go with
 * it), the routes carrying Weft's route protocol (direct routes via the underlay), the nftables table
 * {@code ip weft}, and {@code subnet.env} and {@code cni.sock} in the run directory; and when asked
 * ({@code weft uninstall --all}), the pods' bridge {@code cni0} if Weft made it. Running it again finds
 * nothing and changes nothing.
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
        if (Masquerade.exists(nft)) {
            Masquerade.remove(nft);
            done.add("deleted nftables table ip " + Masquerade.TABLE);
        }
        for (Path file : List.of(runDir.resolve("subnet.env"), socket)) {
            if (Files.deleteIfExists(file)) {
                done.add("removed " + file);
            }
        }
        return done;
    }

    /**
     * Deletes the pods' bridge {@code name} when Weft made it: a bridge whose MAC is the one Weft pins
     * from its gateway address ({@link NodeBridge#macFor}), with the node ends of pod veths still on it
     * (by Weft's names; their pods are gone, or lose their network now). A device of that name that is
     * not Weft's stays, and the line returned says so.
     */
    public List<String> removeBridge(String name) {
        Optional<Link> found = node.links().find(name);
        if (found.isEmpty()) {
            return List.of();
        }
        Link bridge = found.get();
        boolean wefts = bridge.kind() instanceof LinkKind.Bridge && node.addresses().list(bridge.index()).stream()
                .map(Address::prefix).filter(IpPrefix::isIpv4)
                .anyMatch(gateway -> NodeBridge.macFor(gateway).equals(bridge.mac()));
        if (!wefts) {
            return List.of("left " + name + ": not a bridge with the MAC Weft pins from its gateway, so not Weft's");
        }
        List<String> done = new ArrayList<>();
        for (Link port : node.links().list()) {
            if (port.masterIndex() == bridge.index() && NodeBridge.isPodVeth(port.name())) {
                deleteLink(port.name()).ifPresent(done::add);
            }
        }
        deleteLink(name).map(line -> line + " (the pods' bridge)").ifPresent(done::add);
        return done;
    }

    /** A link vanishing meanwhile (a pod's namespace just went, taking its veth) is no error. */
    private Optional<String> deleteLink(String name) {
        try {
            node.links().delete(name);
            return Optional.of("deleted " + name);
        } catch (NetlinkException e) {
            if (e.errno() == ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
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
