package io.weft.lab.doctor;

import io.weft.agent.Agent;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the pods of a real node among network namespaces (containerd, CRI-O and podman mount theirs
 * under {@code /run/netns}): a namespace is a pod of this node when it holds a veth whose peer is a port
 * of {@code cni0} here, each end naming the other's index, and that carries an address of the bridge's
 * subnet. Namespaces that vanish while looked at are passed over.
 */
public final class PodDiscovery {
    private PodDiscovery() {}

    /** The pods among {@code candidates} attached to the {@code cni0} of the node namespace {@code node}. */
    public static List<DoctorTarget.Pod> find(Path node, List<Path> candidates) {
        List<Link> ports;
        Optional<IpPrefix> subnet;
        Object nodeKey = key(node);
        try (NetNamespace namespace = NetNamespace.openPath(node); Netlink netlink = Netlink.open(namespace)) {
            Optional<Link> bridge = netlink.links().find(Agent.BRIDGE);
            if (bridge.isEmpty()) {
                return List.of();
            }
            ports = netlink.links().list().stream()
                    .filter(link -> link.masterIndex() == bridge.get().index() && link.kind() instanceof LinkKind.Veth).toList();
            subnet = netlink.addresses().list(bridge.get().index()).stream().map(Address::prefix).filter(IpPrefix::isIpv4)
                    .map(IpPrefix::network).findFirst();
        }
        if (subnet.isEmpty()) {
            return List.of();
        }
        List<DoctorTarget.Pod> pods = new ArrayList<>();
        for (Path candidate : candidates) {
            if (Objects.equals(key(candidate), nodeKey)) {
                continue;
            }
            try (NetNamespace namespace = NetNamespace.openPath(candidate); Netlink netlink = Netlink.open(namespace)) {
                for (Link link : netlink.links().list()) {
                    boolean paired = link.kind() instanceof LinkKind.Veth && ports.stream()
                            .anyMatch(port -> port.parentIndex() == link.index() && link.parentIndex() == port.index());
                    if (paired && netlink.addresses().list(link.index()).stream()
                            .anyMatch(address -> subnet.get().contains(address.prefix().address()))) {
                        pods.add(new DoctorTarget.Pod(candidate.getFileName().toString(), candidate, link.name()));
                    }
                }
            } catch (RuntimeException gone) {
                // deleted meanwhile, or not a network namespace: not a pod of ours
            }
        }
        return pods;
    }

    /** The namespace's identity (device and inode of its nsfs file), to leave the node's own out. */
    private static Object key(Path namespace) {
        try {
            return List.of(Files.getAttribute(namespace, "unix:dev"), Files.getAttribute(namespace, "unix:ino"));
        } catch (IOException | UnsupportedOperationException e) {
            return namespace;
        }
    }
}
