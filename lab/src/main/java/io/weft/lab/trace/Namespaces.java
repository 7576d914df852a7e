package io.weft.lab.trace;

import io.weft.netlink.Netlink;
import io.weft.netlink.ns.NetNamespace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The namespaces one trace reads, each opened once (a netlink handle and sysctls inside it) and closed together. */
final class Namespaces implements AutoCloseable {
    private final Map<Path, KernelState> states = new HashMap<>();
    private final List<Netlink> opened = new ArrayList<>();
    private final List<NetNamespace> namespaces = new ArrayList<>();

    /** The kernel state of a node. */
    KernelState node(TraceNode node) {
        return state(node.name(), node.netns(), false);
    }

    /** The kernel state inside a pod, which must be in view. */
    KernelState pod(TraceEndpoint pod) {
        if (pod.podNetns() == null) {
            throw new IllegalArgumentException("the namespace of " + pod.label() + " is not known");
        }
        return state(pod.name(), pod.podNetns(), true);
    }

    /** {@code netns} null: the namespace the command runs in. */
    private KernelState state(String name, Path netns, boolean pod) {
        KernelState known = states.get(netns);
        if (known != null) {
            return known;
        }
        if (netns != null && !Files.exists(netns)) {
            throw new IllegalArgumentException("the network namespace of " + name + ", " + netns + ", does not exist");
        }
        NetNamespace namespace = netns == null ? NetNamespace.current() : NetNamespace.openPath(netns);
        namespaces.add(namespace); // kept open for the sysctls of the walk
        Netlink netlink = Netlink.open(namespace);
        opened.add(netlink);
        KernelState state = new KernelState(name, netns, netlink, namespace.sysctl(), pod);
        states.put(netns, state);
        return state;
    }

    @Override
    public void close() {
        opened.forEach(Netlink::close);
        opened.clear();
        namespaces.forEach(NetNamespace::close);
        namespaces.clear();
    }
}
