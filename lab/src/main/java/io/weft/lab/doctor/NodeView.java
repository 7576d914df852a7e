package io.weft.lab.doctor;

import io.weft.agent.lease.Lease;
import io.weft.cni.config.SubnetEnv;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;

/**
 * The node as the checks see it: its namespace opened once, its links read once (every check looks at
 * the same snapshot), and the facts several checks need. Read only.
 */
final class NodeView implements AutoCloseable {
    private final DoctorTarget target;
    private final NetNamespace namespace;
    private final Netlink netlink;
    private final List<Link> links;

    private NodeView(DoctorTarget target, NetNamespace namespace, Netlink netlink) {
        this.target = target;
        this.namespace = namespace;
        this.netlink = netlink;
        this.links = netlink.links().list();
    }

    static NodeView open(DoctorTarget target) {
        NetNamespace namespace = NetNamespace.openPath(target.netns());
        Netlink netlink = null;
        try {
            netlink = Netlink.open(namespace);
            return new NodeView(target, namespace, netlink);
        } catch (RuntimeException e) {
            if (netlink != null) {
                netlink.close();
            }
            namespace.close();
            throw e;
        }
    }

    DoctorTarget target() {
        return target;
    }

    NetNamespace namespace() {
        return namespace;
    }

    Netlink netlink() {
        return netlink;
    }

    List<Link> links() {
        return links;
    }

    Optional<Link> link(String name) {
        return links.stream().filter(link -> link.name().equals(name)).findFirst();
    }

    Optional<Link> link(int index) {
        return links.stream().filter(link -> link.index() == index).findFirst();
    }

    /** The name of the link with this index, or {@code #index} when there is none. */
    String nameOf(int index) {
        return link(index).map(Link::name).orElse("#" + index);
    }

    String overlayName() {
        return target.overlay().deviceName();
    }

    /** {@code weft.1}, when it exists. */
    Optional<Link> overlayDevice() {
        return link(overlayName());
    }

    /** {@code weft.1}'s VXLAN settings, when it exists and is a VXLAN device. */
    Optional<LinkKind.Vxlan> overlayVxlan() {
        return overlayDevice().map(Link::kind).filter(LinkKind.Vxlan.class::isInstance).map(LinkKind.Vxlan.class::cast);
    }

    /**
     * The interface between nodes: the one {@code weft.1} sends through, else the one holding the
     * address this node's lease gives its peers.
     */
    Optional<Link> underlay() {
        Optional<Link> ofDevice = overlayVxlan().flatMap(vxlan -> link(vxlan.underlayIndex()));
        if (ofDevice.isPresent()) {
            return ofDevice;
        }
        return self().flatMap(lease -> netlink.addresses().list().stream()
                .filter(address -> address.prefix().address().equals(lease.publicIp()))
                .findFirst()
                .flatMap(address -> link(address.linkIndex())));
    }

    /** This node's lease in the store. */
    Optional<Lease> self() {
        return target.leases().stream().filter(lease -> lease.node().equals(target.node())).findFirst();
    }

    /** A {@code /proc/sys} value inside the node's namespace. */
    String sysctl(String key) {
        return namespace.sysctl().get(key);
    }

    /** What {@code subnet.env} holds, if anything readable. */
    SubnetFile subnetFile() {
        try {
            return new SubnetFile.Present(SubnetEnv.read(target.subnetFile()));
        } catch (NoSuchFileException e) {
            return new SubnetFile.Missing();
        } catch (IOException | IllegalArgumentException e) {
            return new SubnetFile.Unreadable(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    /** {@code subnet.env} as the plugin would find it. */
    sealed interface SubnetFile {
        record Present(SubnetEnv env) implements SubnetFile {}

        record Missing() implements SubnetFile {}

        record Unreadable(String reason) implements SubnetFile {}
    }

    @Override
    public void close() {
        try {
            netlink.close();
        } finally {
            namespace.close();
        }
    }
}
