package io.weft.lab.trace;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static io.weft.netlink.sys.Kernel.IFF_LOOPBACK;

/**
 * What a trace's scope looks like, read from live kernel state for drawing: per node its underlay
 * interfaces, VXLAN devices and bridges, the pods attached to each bridge and any bridge port whose
 * pod is not in view. Ids are {@link ElementId}s, the same the steps of a trace name.
 */
public record Topology(List<NodeBox> nodes) {
    public Topology {
        nodes = List.copyOf(nodes);
    }

    /**
     * A node.
     *
     * @param ports veth ends on a bridge whose pod is not in view
     */
    public record NodeBox(String id, String name, List<Device> underlay, List<Device> vxlans, List<Device> bridges,
                          List<PodBox> pods, List<Device> ports) {
        public NodeBox {
            underlay = List.copyOf(underlay);
            vxlans = List.copyOf(vxlans);
            bridges = List.copyOf(bridges);
            pods = List.copyOf(pods);
            ports = List.copyOf(ports);
        }
    }

    /**
     * An interface.
     *
     * @param details lines that say what it is: addresses, MAC, VNI and port, MTU
     * @param attachedTo the name of the device it hangs off (a veth's bridge, a VXLAN device's underlay), or null
     */
    public record Device(String id, String name, List<String> details, String attachedTo) {
        public Device {
            details = List.copyOf(details);
        }
    }

    /** A pod, its interface and the node end of its veth (null when not found on the node). */
    public record PodBox(String id, String name, String ip, Device eth0, Device veth) {
    }

    /** Reads the topology of every node and pod in {@code scope}. Changes nothing. */
    public static Topology read(TraceScope scope) {
        try (Namespaces namespaces = new Namespaces()) {
            List<NodeBox> nodes = new ArrayList<>();
            for (TraceNode node : scope.nodes()) {
                nodes.add(node(namespaces.node(node), scope.pods().stream()
                        .filter(pod -> pod.node() != null && pod.node().name().equals(node.name()) && pod.podNetns() != null)
                        .toList(), namespaces));
            }
            return new Topology(nodes);
        }
    }

    private static NodeBox node(KernelState node, List<TraceEndpoint> pods, Namespaces namespaces) {
        List<Device> underlay = new ArrayList<>();
        List<Device> vxlans = new ArrayList<>();
        List<Device> bridges = new ArrayList<>();
        List<PodBox> podBoxes = new ArrayList<>();
        List<Integer> podPorts = new ArrayList<>();
        for (TraceEndpoint pod : pods) {
            KernelState inPod = namespaces.pod(pod);
            Link eth0 = inPod.linkWith(pod.ip()).orElse(null);
            if (eth0 == null) {
                continue;
            }
            Link veth = node.link(eth0.parentIndex());
            boolean peers = veth != null && veth.parentIndex() == eth0.index();
            if (peers) {
                podPorts.add(veth.index());
            }
            podBoxes.add(new PodBox(ElementId.pod(pod.name()), pod.name(), IpPrefix.formatAddress(pod.ip()),
                    new Device(ElementId.podInterface(pod.name(), eth0.name()), eth0.name(), List.of(String.valueOf(eth0.mac())), null),
                    peers ? device(node, veth) : null));
        }
        List<Device> ports = new ArrayList<>();
        for (Link link : node.links()) {
            switch (link.kind()) {
                case LinkKind.Bridge() -> bridges.add(device(node, link));
                case LinkKind.Vxlan vxlan -> vxlans.add(new Device(ElementId.device(node.name(), link.name()), link.name(),
                        List.of("VNI " + vxlan.vni() + ", UDP " + vxlan.port(), "mac " + link.mac(), "mtu " + link.mtu()),
                        vxlan.underlayIndex() == 0 || node.link(vxlan.underlayIndex()) == null ? null : node.link(vxlan.underlayIndex()).name()));
                case LinkKind.Veth() when link.masterIndex() != 0 -> {
                    if (!podPorts.contains(link.index())) {
                        ports.add(device(node, link));
                    }
                }
                default -> {
                    if ((link.flags() & IFF_LOOPBACK) == 0 && node.addresses(link.index()).stream().anyMatch(IpPrefix::isIpv4)) {
                        underlay.add(device(node, link));
                    }
                }
            }
        }
        return new NodeBox(ElementId.node(node.name()), node.name(), underlay, vxlans, bridges, podBoxes, ports);
    }

    private static Device device(KernelState node, Link link) {
        List<String> details = new ArrayList<>();
        String addresses = node.addresses(link.index()).stream().filter(IpPrefix::isIpv4).map(IpPrefix::toString)
                .collect(Collectors.joining(" "));
        if (!addresses.isEmpty()) {
            details.add(addresses);
        }
        details.add("mac " + link.mac());
        Link master = link.masterIndex() == 0 ? null : node.link(link.masterIndex());
        return new Device(ElementId.device(node.name(), link.name()), link.name(), details, master == null ? null : master.name());
    }
}
