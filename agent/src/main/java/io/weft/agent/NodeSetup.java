package io.weft.agent;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.masquerade.Masquerade;
import io.weft.agent.masquerade.Nft;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.pod.NodeBridge;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.ns.Sysctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.System.Logger.Level.WARNING;

/**
 * What the node needs for its lease besides the overlay, each step idempotent (run at start, again
 * after a failure, again for a new subnet): {@code cni0} with the gateway, forwarding on, the
 * masquerade table applied (or removed when off), and {@code subnet.env} for the plugin, written last
 * so that no pod is set up before the rest is in place.
 */
final class NodeSetup {
    private static final System.Logger LOG = System.getLogger(NodeSetup.class.getName());

    private final NetNamespace node;
    private final Netlink netlink;
    private final Nft nft;
    private final Optional<Masquerade> masquerade;
    private final ClusterNetwork network;
    private final int mtu;
    private final Path subnetFile;

    /** @param masquerade the table to apply, empty for {@code --masquerade off} */
    NodeSetup(NetNamespace node, Netlink netlink, Nft nft, Optional<Masquerade> masquerade, ClusterNetwork network, int mtu,
              Path subnetFile) {
        this.node = node;
        this.netlink = netlink;
        this.nft = nft;
        this.masquerade = masquerade;
        this.network = network;
        this.mtu = mtu;
        this.subnetFile = subnetFile;
    }

    void apply(Lease lease) throws IOException {
        ensureBridge(lease.gateway());
        enableForwarding();
        masquerade.ifPresentOrElse(Masquerade::apply, this::removeMasquerade);
        subnetEnv(lease).write(subnetFile);
    }

    /**
     * The periodic check that nothing was undone behind the agent's back: the bridge and its address,
     * forwarding (a sysctl reload resets it), and {@code subnet.env} (rewritten when gone or changed).
     */
    void recheck(Lease lease) {
        ensureBridge(lease.gateway());
        enableForwarding();
        SubnetEnv wanted = subnetEnv(lease);
        try {
            if (!Files.isRegularFile(subnetFile) || !Files.readString(subnetFile).equals(wanted.format())) {
                LOG.log(WARNING, subnetFile + " is gone or changed; writing it again");
                wanted.write(subnetFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("checking " + subnetFile, e);
        }
    }

    private SubnetEnv subnetEnv(Lease lease) {
        return new SubnetEnv(network.network(), lease.gateway(), mtu, masquerade.isPresent());
    }

    /**
     * {@code cni0} with this node's gateway. An IPv4 address of another subnet is left from a lease
     * this node held before: it goes (the plugin would refuse to work with it, and Flannel users
     * delete the whole bridge by hand).
     */
    private void ensureBridge(IpPrefix gateway) {
        Optional<Link> bridge = netlink.links().find(Agent.BRIDGE);
        if (bridge.isPresent()) {
            for (Address address : netlink.addresses().list(bridge.get().index())) {
                if (address.prefix().isIpv4() && !address.prefix().equals(gateway)) {
                    LOG.log(WARNING, Agent.BRIDGE + " has " + address.prefix() + ", not this node's gateway " + gateway + ": removing it");
                    netlink.addresses().delete(bridge.get().index(), address.prefix());
                }
            }
        }
        NodeBridge.ensure(netlink, Agent.BRIDGE, gateway, mtu);
    }

    /** Re-applies the masquerade table if it changed behind our back; true when it had to. */
    boolean recheckMasquerade() {
        return masquerade.map(Masquerade::ensure).orElse(false);
    }

    private void enableForwarding() {
        Sysctl sysctl = node.sysctl();
        if (!"1".equals(sysctl.get("net.ipv4.ip_forward"))) {
            sysctl.set("net.ipv4.ip_forward", "1");
        }
    }

    /** With masquerade off, a table left by an earlier run goes; a node without nft has none to remove. */
    private void removeMasquerade() {
        try {
            Masquerade.remove(nft);
        } catch (Nft.NftException e) {
            LOG.log(WARNING, "masquerade is off, and the table ip " + Masquerade.TABLE + " could not be checked for removal: "
                    + e.getMessage());
        }
    }
}
