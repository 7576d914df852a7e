package io.weft.lab.measure;

import io.weft.lab.LabPod;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.weft.netlink.testing.Sandbox.ip;

/**
 * Four "pods" in throwaway namespaces around a "node" namespace that forwards: pods 1 and 2 on its
 * bridge {@code br0} (10.1.0.0/24), pod 3 on a routed veth (10.2.0.0/24), and pod 4 on a veth the node
 * has no address or route for (10.9.0.0/24), so it reaches nobody and nobody reaches it.
 */
final class FourPods implements AutoCloseable {
    final Sandbox sandbox = new Sandbox();
    final NetNamespace node;
    final LabPod bridged1;
    final LabPod bridged2;
    final LabPod routed;
    final LabPod isolated;
    private final Map<String, NetNamespace> namespaces = new HashMap<>();

    FourPods() {
        try {
            node = sandbox.namespace();
            up(node, "lo");
            node.sysctl().set("net.ipv4.ip_forward", "1");
            try (Netlink links = Netlink.open(node)) {
                links.links().add(LinkSpec.bridge("br0"));
                ip(node, "addr", "add", "10.1.0.1/24", "dev", "br0");
                up(node, "br0");
                bridged1 = pod(links, "pod1", "10.1.0.2/24", "10.1.0.1", "br0");
                bridged2 = pod(links, "pod2", "10.1.0.3/24", "10.1.0.1", "br0");
                routed = pod(links, "pod3", "10.2.0.2/24", "10.2.0.1", null);
                ip(node, "addr", "add", "10.2.0.1/24", "dev", "v-pod3");
                isolated = pod(links, "pod4", "10.9.0.2/24", null, null);
            }
        } catch (RuntimeException | Error e) {
            sandbox.close();
            throw e;
        }
    }

    /** The namespace of one of this lab's pods, to change it in a test. */
    NetNamespace sandboxNamespace(LabPod pod) {
        return namespaces.get(pod.name());
    }

    List<LabPod> all() {
        return List.of(bridged1, bridged2, routed, isolated);
    }

    /** A pod namespace with eth0 (its veth peer {@code v-NAME} in the node, on {@code bridge} if given). */
    private LabPod pod(Netlink links, String name, String address, String gateway, String bridge) {
        NetNamespace pod = sandbox.namespace();
        String hostEnd = "v-" + name;
        links.links().add(LinkSpec.veth(hostEnd, "eth0", pod));
        if (bridge != null) {
            links.links().setMaster(hostEnd, links.links().get(bridge).index());
        }
        up(node, hostEnd);
        up(pod, "lo");
        ip(pod, "addr", "add", address, "dev", "eth0");
        up(pod, "eth0");
        if (gateway != null) {
            ip(pod, "route", "add", "default", "via", gateway);
        }
        namespaces.put(name, pod);
        return new LabPod(name, "node", pod.name(), address.substring(0, address.indexOf('/')));
    }

    private static void up(NetNamespace namespace, String link) {
        ip(namespace, "link", "set", link, "up");
    }

    @Override
    public void close() {
        sandbox.close();
    }
}
