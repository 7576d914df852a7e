package io.weft.lab.doctor;

import io.weft.agent.Agent;
import io.weft.lab.doctor.NodeView.SubnetFile;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.ns.NetNamespace;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The MTUs along a pod's path must not grow: pod {@code eth0} ≤ {@code weft.1} ≤ underlay − 50 (70 when
 * the underlay is IPv6: the outer headers), the bridge's ports as the bridge, and {@code WEFT_MTU}, what
 * new pods get, ≤ {@code weft.1}.
 */
final class MtuCheck implements Check {
    private static final String AGENT_RESTART = "restart the agent: it sets the device to the underlay's MTU less the "
            + "headers, reading the underlay's MTU at start";

    @Override
    public String name() {
        return "mtu";
    }

    @Override
    public CheckResult run(NodeView node) {
        Optional<Link> device = node.overlayDevice();
        if (device.isEmpty()) {
            return CheckResult.skipped(name(), node.overlayName() + " is missing (see peers)");
        }
        int deviceMtu = device.get().mtu();
        List<Finding> findings = new ArrayList<>();
        List<String> seen = new ArrayList<>();

        Optional<Link> underlay = node.underlay();
        if (underlay.isPresent()) {
            int overhead = node.overlayVxlan().map(LinkKind.Vxlan::local).filter(local -> !(local instanceof Inet4Address))
                    .isPresent() ? 70 : 50;
            int room = underlay.get().mtu() - overhead;
            seen.add("underlay " + underlay.get().name() + " " + underlay.get().mtu());
            if (deviceMtu > room) {
                findings.add(new Finding(
                        node.overlayName() + " has MTU " + deviceMtu + ", more than the underlay " + underlay.get().name()
                                + "'s " + underlay.get().mtu() + " less " + overhead + " bytes of VXLAN headers (" + room + ")",
                        "a full-size packet from a pod to another node no longer fits the underlay once encapsulated: "
                                + "it is fragmented or, with DF set (all TCP), dropped; small packets (ping, TCP handshakes) "
                                + "still pass, so connections hang on the first large transfer",
                        AGENT_RESTART + " (this happens when the underlay's MTU was lowered after the agent started); "
                                + "pods made before keep their MTU: recreate them"));
            }
        }
        seen.add(node.overlayName() + " " + deviceMtu);

        if (node.subnetFile() instanceof SubnetFile.Present(var env)) {
            seen.add("WEFT_MTU " + env.mtu());
            if (env.mtu() > deviceMtu) {
                findings.add(new Finding(
                        "WEFT_MTU=" + env.mtu() + " in " + node.target().subnetFile() + " is more than " + node.overlayName()
                                + "'s MTU " + deviceMtu,
                        "new pods get WEFT_MTU on eth0, so their large packets to other nodes will not fit " + node.overlayName(),
                        "start the agent: it rewrites subnet.env with the device's MTU every --reconcile-interval"));
            }
        }

        bridgeFindings(node, findings, seen);
        podFindings(node, deviceMtu, findings, seen);
        return CheckResult.of(name(), String.join(", ", seen), findings);
    }

    /** Every port of {@code cni0} at the bridge's MTU: a bridge drops a frame too big for the port it leaves by. */
    private static void bridgeFindings(NodeView node, List<Finding> findings, List<String> seen) {
        Optional<Link> bridge = node.link(Agent.BRIDGE);
        if (bridge.isEmpty()) {
            return;
        }
        int bridgeMtu = bridge.get().mtu();
        List<Link> ports = node.links().stream().filter(link -> link.masterIndex() == bridge.get().index()).toList();
        seen.add(Agent.BRIDGE + " " + bridgeMtu + " with " + ports.size() + (ports.size() == 1 ? " port" : " ports"));
        for (Link port : ports) {
            if (port.mtu() != bridgeMtu) {
                findings.add(new Finding(
                        port.name() + ", a port of " + Agent.BRIDGE + ", has MTU " + port.mtu() + " and " + Agent.BRIDGE
                                + " has " + bridgeMtu,
                        "the bridge drops frames larger than the MTU of the port they leave by, so packets of the sizes "
                                + "in between are lost " + (port.mtu() < bridgeMtu ? "toward this pod" : "from this pod")
                                + " without any ICMP error",
                        "ip link set " + port.name() + " mtu " + bridgeMtu + " (the plugin gives every veth WEFT_MTU; "
                                + "recreating the pod does the same)"));
            }
        }
    }

    private static void podFindings(NodeView node, int deviceMtu, List<Finding> findings, List<String> seen) {
        int checked = 0;
        for (DoctorTarget.Pod pod : node.target().pods()) {
            Optional<Link> link;
            try (NetNamespace namespace = NetNamespace.openPath(pod.netns()); Netlink netlink = Netlink.open(namespace)) {
                link = netlink.links().find(pod.ifName());
            } catch (RuntimeException e) {
                seen.add("pod " + pod.name() + " unreadable (" + e.getMessage() + ")");
                continue;
            }
            if (link.isEmpty()) {
                seen.add("pod " + pod.name() + " without " + pod.ifName());
                continue;
            }
            checked++;
            if (link.get().mtu() > deviceMtu) {
                findings.add(new Finding(
                        "pod " + pod.name() + "'s " + pod.ifName() + " has MTU " + link.get().mtu() + ", more than "
                                + node.overlayName() + "'s " + deviceMtu,
                        "the pod sends packets up to " + link.get().mtu() + " bytes (TCP's MSS follows), which do not fit "
                                + node.overlayName() + " on their way to other nodes: dropped or answered with ICMP "
                                + "\"fragmentation needed\" that firewalls often eat, so large transfers hang",
                        "recreate the pod (the plugin gives new pods WEFT_MTU), or " + inPod(pod.netns())
                                + "ip link set " + pod.ifName() + " mtu " + deviceMtu));
            }
        }
        if (!node.target().pods().isEmpty()) {
            seen.add(checked + (checked == 1 ? " pod" : " pods"));
        }
    }

    /** How to run a command in the pod's namespace: {@code ip -n NAME} understands only named ones. */
    private static String inPod(Path netns) {
        return netns.getParent() != null && netns.getParent().equals(NetNamespace.NAMED_DIR)
                ? "ip netns exec " + netns.getFileName() + " "
                : "nsenter --net=" + netns + " ";
    }
}
