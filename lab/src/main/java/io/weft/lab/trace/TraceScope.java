package io.weft.lab.trace;

import io.weft.lab.LabNode;
import io.weft.lab.LabPod;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a trace may look at: the nodes whose namespaces it can enter (a packet leaving one node is
 * followed into the node that owns the address it is sent to) and the pods it knows by name, which it
 * also draws. A lab knows all its nodes and pods; a real node knows itself and the pods named on the
 * command line.
 */
public record TraceScope(List<TraceNode> nodes, List<TraceEndpoint> pods) {
    public TraceScope {
        nodes = List.copyOf(nodes);
        pods = List.copyOf(pods);
    }

    /** Every node and pod of a lab, their namespaces named under {@code /run/netns}. */
    public static TraceScope of(LabView lab) {
        Map<String, TraceNode> nodes = lab.nodes().stream().collect(Collectors.toMap(LabNode::name,
                node -> new TraceNode(node.name(), NetNamespace.NAMED_DIR.resolve(node.netns())), (a, b) -> {
                    throw new IllegalArgumentException("the lab has two nodes named " + a.name());
                }, java.util.LinkedHashMap::new));
        List<TraceEndpoint> pods = lab.pods().stream().map(pod -> endpoint(pod, nodes)).toList();
        return new TraceScope(List.copyOf(nodes.values()), pods);
    }

    private static TraceEndpoint endpoint(LabPod pod, Map<String, TraceNode> nodes) {
        TraceNode node = nodes.get(pod.node());
        if (node == null) {
            throw new IllegalArgumentException("pod " + pod.name() + " runs on node " + pod.node() + ", which the lab does not have");
        }
        return new TraceEndpoint(pod.name(), IpPrefix.parseAddress(pod.ip()), NetNamespace.NAMED_DIR.resolve(pod.netns()), node);
    }

    /**
     * The pod named {@code nameOrIp}, or the pod with that address.
     *
     * @throws IllegalArgumentException naming the argument and the pods there are
     */
    public TraceEndpoint resolve(String nameOrIp) {
        for (TraceEndpoint pod : pods) {
            if (pod.name().equals(nameOrIp)) {
                return pod;
            }
        }
        InetAddress address;
        try {
            address = IpPrefix.parseAddress(nameOrIp);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no pod named \"" + nameOrIp + "\"; the pods are " + names(), e);
        }
        return pods.stream().filter(pod -> pod.ip().equals(address)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no pod has address " + nameOrIp + "; the pods are " + names()));
    }

    private String names() {
        return pods.isEmpty() ? "(none)" : pods.stream().map(TraceEndpoint::label).collect(Collectors.joining(", "));
    }
}
