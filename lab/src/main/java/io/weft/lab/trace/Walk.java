package io.weft.lab.trace;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.neigh.Neighbour;
import io.weft.netlink.route.Route;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static io.weft.lab.trace.StepText.*;
import static io.weft.netlink.sys.Kernel.*;

/**
 * One walk of a packet from the source pod toward the destination, step by step, the way the kernel
 * would carry it: the pod's route, its eth0, the veth to the node, the bridge, ARP; then either the
 * bridge delivers to a pod on the same node, or the node routes: into {@code weft.1} (neighbour, FDB,
 * the underlay route, encapsulation, the other node's VXLAN device and routing there), or straight
 * out of the underlay to another node (direct routing). Where a node forwards, its route is looked up
 * as for the packet arriving on its interface ({@link RouteLookups}). The first step found missing or
 * wrong ends the walk as the break; leaving what the trace can see ends it too, without a break.
 */
final class Walk {
    /** The outer headers VXLAN adds over IPv4: Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
    private static final int VXLAN_OVERHEAD = 50;

    private final TraceScope scope;
    private final Namespaces namespaces;
    private final TraceEndpoint source;
    private final TraceEndpoint destination;
    private final Steps steps = new Steps();
    private final RouteLookups routes = new RouteLookups(steps);
    private final List<CapturePoint> capturePoints = new ArrayList<>();
    private final Set<String> routedBy = new HashSet<>();
    private PathKind path = PathKind.UNKNOWN;
    private int podMtu;
    /** The source pod's subnet, as its eth0 has it: what a node must route back to for reverse-path filtering. */
    private IpPrefix sourceSubnet;

    Walk(TraceScope scope, Namespaces namespaces, TraceEndpoint source, TraceEndpoint destination) {
        this.scope = scope;
        this.namespaces = namespaces;
        this.source = source;
        this.destination = destination;
    }

    Trace run() {
        Break brokenAt = null;
        String outOfView = null;
        try {
            fromSourcePod();
        } catch (Broken e) {
            brokenAt = new Break(steps.size(), e.getMessage());
        } catch (OutOfView e) {
            outOfView = e.getMessage();
        }
        return new Trace(source, destination, path, steps.list(), brokenAt, outOfView, capturePoints);
    }

    // ---- the source pod and its node

    private void fromSourcePod() {
        if (source.node() == null) {
            throw new IllegalArgumentException("the node of " + source.label() + " is not known");
        }
        KernelState pod = namespaces.pod(source);
        Route route = routes.sent(pod, destination.ip());
        Link eth0 = outputOf(pod, route);
        podInterface(pod, source, eth0, "leaves");
        podMtu = eth0.mtu();
        sourceSubnet = pod.addresses(eth0.index()).stream().filter(a -> a.address().equals(source.ip())).findFirst()
                .map(IpPrefix::network).orElse(null);
        if (!(eth0.kind() instanceof LinkKind.Veth)) {
            throw new Broken(eth0.name() + " of " + source.name() + " is a " + kindName(eth0)
                    + " device, not a veth: the trace follows pods attached by a veth pair to a bridge");
        }

        KernelState node = namespaces.node(source.node());
        Link veth = vethPeer(node, pod, eth0, source.name());
        if (eth0.mtu() > veth.mtu()) {
            throw new Broken("MTU mismatch: " + eth0.name() + " of " + source.name() + " has MTU " + eth0.mtu() + " but its veth peer "
                    + veth.name() + " has " + veth.mtu() + ": frames longer than " + veth.mtu() + " bytes are dropped between them");
        }
        Link bridge = bridgeOf(node, veth);

        InetAddress nextHop = route.gateway() != null ? route.gateway() : destination.ip();
        boolean gateway = node.addresses(bridge.index()).stream().anyMatch(a -> a.address().equals(nextHop));
        MacAddress expected = gateway ? bridge.mac() : destinationMac();
        String answerer = gateway ? bridge.name() + " (the gateway, the node itself)" : "eth0 of " + destination.name();
        MacAddress mac = arp(pod, source.name(), eth0, bridge, node, nextHop, expected, answerer);
        if (gateway) {
            routeOn(node, bridge);
        } else {
            path = PathKind.SAME_NODE;
            forwardOnBridge(node, bridge, mac);
        }
    }

    private static Link outputOf(KernelState state, Route route) {
        return state.link(route.outputIndex());
    }

    /** The pod's own interface: up, with a carrier, and holding the endpoint's address. */
    private void podInterface(KernelState pod, TraceEndpoint endpoint, Link eth0, String verb) {
        List<IpPrefix> addresses = pod.addresses(eth0.index()).stream().filter(IpPrefix::isIpv4).toList();
        String ip = addresses.stream().map(IpPrefix::toString).collect(Collectors.joining(","));
        steps.add(Hop.POD_INTERFACE, endpoint.name(), eth0.name() + " " + ip + " mac " + eth0.mac() + " mtu " + eth0.mtu() + " " + state(eth0)
                        + " (the packet " + verb + " " + endpoint.name() + ")",
                facts("interface", eth0.name(), "ip", ip, "mac", String.valueOf(eth0.mac()), "mtu", String.valueOf(eth0.mtu()),
                        "state", state(eth0)),
                List.of(ElementId.podInterface(endpoint.name(), eth0.name())));
        requireUp(eth0, endpoint.name());
        if (addresses.stream().noneMatch(a -> a.address().equals(endpoint.ip()))) {
            throw new Broken(eth0.name() + " of " + endpoint.name() + " does not have " + format(endpoint.ip())
                    + (ip.isEmpty() ? ", nor any IPv4 address" : ", only " + ip));
        }
    }

    /** The node end of a pod's veth: a veth whose peer is the pod's interface, up. */
    private Link vethPeer(KernelState node, KernelState pod, Link podEnd, String podName) {
        Link veth = node.link(podEnd.parentIndex());
        if (veth == null || !(veth.kind() instanceof LinkKind.Veth) || veth.parentIndex() != podEnd.index()) {
            steps.add(Hop.VETH, node.name(), "no veth with index " + podEnd.parentIndex() + " peering with " + podEnd.name() + " of " + podName,
                    facts("index", String.valueOf(podEnd.parentIndex())), List.of());
            throw new Broken("the other end of " + podEnd.name() + " of " + podName + " (index " + podEnd.parentIndex()
                    + ") is not in " + node.name() + "'s namespace: the pod is attached to another node, or its veth is gone");
        }
        Link master = veth.masterIndex() == 0 ? null : node.link(veth.masterIndex());
        String masterName = master == null ? "" : master.name();
        steps.add(Hop.VETH, node.name(), veth.name() + " (peer of " + podEnd.name() + " of " + podName + ") mac " + veth.mac() + " mtu " + veth.mtu()
                        + (master == null ? " no master" : " master " + masterName) + (veth.hairpin() ? " hairpin" : "") + " " + state(veth),
                facts("interface", veth.name(), "index", String.valueOf(veth.index()), "peer", podEnd.name(), "mac", String.valueOf(veth.mac()),
                        "mtu", String.valueOf(veth.mtu()), "master", masterName, "state", state(veth)),
                List.of(element(node, veth)));
        capturePoints.add(new CapturePoint(node.name(), node.netns(), veth.name(), veth.index()));
        requireUp(veth, node.name());
        return veth;
    }

    private Link bridgeOf(KernelState node, Link port) {
        Link bridge = port.masterIndex() == 0 ? null : node.link(port.masterIndex());
        if (bridge == null || !(bridge.kind() instanceof LinkKind.Bridge)) {
            throw new Broken(port.name() + " is not a port of a bridge: frames from the pod reach no one (the CNI plugin enslaves it to cni0)");
        }
        bridge(node, bridge);
        return bridge;
    }

    private void bridge(KernelState node, Link bridge) {
        String ip = node.addresses(bridge.index()).stream().filter(IpPrefix::isIpv4).map(IpPrefix::toString).collect(Collectors.joining(","));
        steps.add(Hop.BRIDGE, node.name(), bridge.name() + " " + ip + " mac " + bridge.mac() + " mtu " + bridge.mtu() + " " + state(bridge),
                facts("interface", bridge.name(), "ip", ip, "mac", String.valueOf(bridge.mac()), "mtu", String.valueOf(bridge.mtu()),
                        "state", state(bridge)),
                List.of(element(node, bridge)));
        requireUp(bridge, node.name());
    }

    /**
     * Who answers for {@code nextHop} on the bridge, from the asking namespace's neighbour table. An entry
     * not there yet is no break (the first packet asks); an entry with another MAC than the one that
     * should answer is.
     */
    private MacAddress arp(KernelState asker, String askerName, Link on, Link bridge, KernelState node, InetAddress nextHop,
                           MacAddress expected, String answerer) {
        Optional<Neighbour> entry = asker.neighbour(on.index(), nextHop);
        MacAddress known = entry.map(Neighbour::mac).orElse(null);
        String state = entry.map(n -> neighbourState(n.state())).orElse("none");
        String summary;
        if (known != null) {
            summary = format(nextHop) + " lladdr " + known + " dev " + on.name() + " " + state
                    + (known.equals(expected) ? ", answered by " + answerer : "");
        } else {
            String asked = entry.isEmpty() ? "no entry yet" : "entry " + state;
            summary = format(nextHop) + ": " + asked + (expected != null
                    ? ", the first packet asks who-has " + format(nextHop) + " on " + bridge.name() + ", " + answerer + " answers " + expected
                    : ", and no one in view has it");
        }
        steps.add(Hop.ARP, askerName, summary, facts("address", format(nextHop), "mac", known == null ? null : known.toString(),
                        "state", state, "answered-by", expected == null ? null : answerer,
                        "expected-mac", expected == null ? null : expected.toString()),
                List.of(element(node, bridge)));
        if (known != null && expected != null && !known.equals(expected)) {
            throw new Broken("stale ARP entry in " + askerName + ": " + format(nextHop) + " is at " + expected + " (" + answerer
                    + ") but the entry says " + known + ": frames go to the wrong MAC until it expires (ip neigh flush)");
        }
        if (known == null && expected == null) {
            if (nextHop.equals(destination.ip())) {
                throw new OutOfView(askerName + " asks who-has " + format(nextHop) + " on " + bridge.name()
                        + "; the pod that answers is not in view");
            }
            throw new Broken("no one on " + bridge.name() + " has " + format(nextHop) + ", the next hop of " + askerName
                    + "'s route: its ARP requests go unanswered");
        }
        return known != null ? known : expected;
    }

    /** The bridge sends the frame for {@code mac} to the port it learnt it behind, then the veth, then the pod. */
    private void forwardOnBridge(KernelState node, Link bridge, MacAddress mac) {
        Link expectedPort = destinationPort(node);
        Optional<FdbEntry> entry = node.bridgeFdb(bridge.index(), mac);
        Link port = entry.map(e -> node.link(e.linkIndex())).orElse(null);
        String summary;
        if (port != null) {
            summary = mac + " dev " + port.name() + " master " + bridge.name() + " " + neighbourState(entry.get().state());
        } else if (expectedPort != null) {
            summary = mac + " not learnt yet: " + bridge.name() + " floods the frame to every port, " + expectedPort.name() + " leads to "
                    + destination.name();
        } else {
            summary = mac + " not learnt yet: " + bridge.name() + " floods the frame to every port";
        }
        steps.add(Hop.BRIDGE_FDB, node.name(), summary, facts("mac", mac.toString(), "port", port == null ? null : port.name(),
                "state", entry.map(e -> neighbourState(e.state())).orElse("none"), "flooded", String.valueOf(port == null)),
                List.of(element(node, bridge)));
        if (port != null && expectedPort != null && port.index() != expectedPort.index()) {
            throw new Broken(bridge.name() + " has learnt " + mac + " behind " + port.name() + ", but " + destination.name()
                    + " is behind " + expectedPort.name() + ": frames go to the wrong port until the entry ages out");
        }
        Link out = port != null ? port : expectedPort;
        if (out == null) {
            throw new OutOfView(bridge.name() + " on " + node.name() + " floods the frame for " + mac
                    + "; the pod it is for is not in view");
        }
        if (!(out.kind() instanceof LinkKind.Veth)) {
            throw new Broken(mac + " is behind " + out.name() + ", a " + kindName(out) + " device, not a pod's veth");
        }
        deliver(node, out, mac);
    }

    /** The destination pod's veth end on {@code node}, when the pod is in view and attached there. */
    private Link destinationPort(KernelState node) {
        Link eth0 = destinationInterface();
        if (eth0 == null) {
            return null;
        }
        Link port = node.link(eth0.parentIndex());
        return port != null && port.kind() instanceof LinkKind.Veth && port.parentIndex() == eth0.index() ? port : null;
    }

    private Link destinationInterface() {
        if (destination.podNetns() == null) {
            return null;
        }
        KernelState pod = namespaces.pod(destination);
        return pod.linkWith(destination.ip()).orElse(null);
    }

    private MacAddress destinationMac() {
        Link eth0 = destinationInterface();
        return eth0 == null ? null : eth0.mac();
    }

    /** The last veth and the pod's eth0 behind it, which must be the destination's, with the MAC the frame is for. */
    private void deliver(KernelState node, Link veth, MacAddress mac) {
        steps.add(Hop.VETH, node.name(), veth.name() + " mac " + veth.mac() + " mtu " + veth.mtu() + " " + state(veth),
                facts("interface", veth.name(), "index", String.valueOf(veth.index()), "mac", String.valueOf(veth.mac()),
                        "mtu", String.valueOf(veth.mtu()), "state", state(veth)),
                List.of(element(node, veth)));
        capturePoints.add(new CapturePoint(node.name(), node.netns(), veth.name(), veth.index()));
        requireUp(veth, node.name());
        if (destination.podNetns() == null) {
            throw new OutOfView("the packet leaves " + node.name() + " through " + veth.name()
                    + " into a pod whose namespace is not in view (give it with --dst-netns)");
        }
        KernelState pod = namespaces.pod(destination);
        Link eth0 = pod.link(veth.parentIndex());
        if (eth0 == null || eth0.parentIndex() != veth.index()) {
            steps.add(Hop.POD_INTERFACE, destination.name(), "no interface peering with " + veth.name(), facts(), List.of());
            throw new Broken(veth.name() + " on " + node.name() + " leads to another pod than " + destination.label());
        }
        podInterface(pod, destination, eth0, "arrives in");
        if (!mac.equals(eth0.mac())) {
            throw new Broken("the frame is addressed to " + mac + " but " + eth0.name() + " of " + destination.name() + " has "
                    + eth0.mac() + ": the pod drops it");
        }
    }

    // ---- routing on a node

    /** The node forwards the packet that arrived on {@code input}: its route decides where it goes next. */
    private void routeOn(KernelState node, Link input) {
        if (!routedBy.add(node.name())) {
            steps.add(Hop.ROUTE, node.name(), "back on " + node.name(), facts(), List.of());
            throw new Broken("routing loop: the packet comes back to " + node.name());
        }
        Route route = routes.forwarded(node, destination.ip(), source.ip(), sourceSubnet, input);
        Link out = outputOf(node, route);
        switch (out.kind()) {
            case LinkKind.Bridge() -> deliverFromNode(node, out, route);
            case LinkKind.Vxlan vxlan -> throughVxlan(node, out, vxlan, route);
            default -> directlyTo(node, out, route);
        }
    }

    /** The node routes into its own bridge: ARP for the pod, the bridge's forwarding, the veth, the pod. */
    private void deliverFromNode(KernelState node, Link bridge, Route route) {
        if (path == PathKind.UNKNOWN) {
            path = PathKind.SAME_NODE;
        }
        bridge(node, bridge);
        InetAddress nextHop = route.gateway() != null ? route.gateway() : destination.ip();
        MacAddress mac = arp(node, node.name(), bridge, bridge, node, nextHop, destinationMac(), "eth0 of " + destination.name());
        forwardOnBridge(node, bridge, mac);
    }

    /** Into the VXLAN device: neighbour, FDB, underlay route, encapsulation, then the other node. */
    private void throughVxlan(KernelState node, Link device, LinkKind.Vxlan vxlan, Route route) {
        path = PathKind.VXLAN;
        Link underlay = vxlan.underlayIndex() == 0 ? null : node.link(vxlan.underlayIndex());
        vxlanDevice(node, device, vxlan, underlay, "sends");
        if (podMtu > device.mtu()) {
            throw new Broken("MTU mismatch: " + source.name() + "'s eth0 has MTU " + podMtu + " but " + device.name() + " only "
                    + device.mtu() + ": packets longer than " + device.mtu() + " bytes do not fit the tunnel and are dropped"
                    + " (pods get the MTU of " + device.name() + " through WEFT_MTU in subnet.env)");
        }
        if (underlay != null && device.mtu() > underlay.mtu() - VXLAN_OVERHEAD) {
            throw new Broken("MTU mismatch: " + device.name() + " has MTU " + device.mtu() + " but its underlay " + underlay.name()
                    + " only " + underlay.mtu() + " − " + VXLAN_OVERHEAD + " = " + (underlay.mtu() - VXLAN_OVERHEAD)
                    + " for the inner packet: full-size packets, once encapsulated, exceed the underlay's MTU and are dropped");
        }
        InetAddress gateway = route.gateway();
        if (gateway == null) {
            throw new Broken("the route sends " + format(destination.ip()) + " out of " + device.name() + " without a gateway:"
                    + " the kernel would have to ARP on a VXLAN device, which no one answers (Weft routes via the remote subnet's"
                    + " network address, onlink)");
        }

        Optional<Neighbour> neighbour = node.neighbour(device.index(), gateway);
        if (neighbour.isEmpty() || neighbour.get().mac() == null) {
            steps.add(Hop.VTEP_NEIGHBOUR, node.name(), "no neighbour entry for " + format(gateway) + " on " + device.name(),
                    facts("address", format(gateway), "state", neighbour.map(n -> neighbourState(n.state())).orElse("none")),
                    List.of(element(node, device)));
            throw new Broken(device.name() + " has no neighbour entry for the route's gateway " + format(gateway)
                    + ": the kernel cannot fill in the remote VTEP's MAC and drops the packet (the agent adds one permanent entry"
                    + " per peer: is it running, and does the peer's lease exist?)");
        }
        Neighbour vtep = neighbour.get();
        steps.add(Hop.VTEP_NEIGHBOUR, node.name(), format(gateway) + " lladdr " + vtep.mac() + " dev " + device.name() + " " + neighbourState(vtep.state()),
                facts("address", format(gateway), "mac", vtep.mac().toString(), "state", neighbourState(vtep.state())),
                List.of(element(node, device)));
        if (vtep.failed() || (vtep.state() & NUD_INCOMPLETE) != 0) {
            throw new Broken("the neighbour entry for " + format(gateway) + " on " + device.name() + " is "
                    + neighbourState(vtep.state()) + ": the kernel does not use it");
        }

        List<FdbEntry> fdb = node.fdb(device.index(), vtep.mac());
        FdbEntry remoteEntry = fdb.stream().filter(e -> e.destination() != null).findFirst().orElse(null);
        if (remoteEntry == null) {
            steps.add(Hop.VTEP_FDB, node.name(), "no FDB entry for " + vtep.mac() + " on " + device.name(),
                    facts("mac", vtep.mac().toString()), List.of(element(node, device)));
            throw new Broken(device.name() + " has no FDB entry for " + vtep.mac() + ": it does not know which node that VTEP is"
                    + " behind and, learning off, drops the packet (the agent adds the entry with the neighbour, per peer)");
        }
        InetAddress remote = remoteEntry.destination();
        steps.add(Hop.VTEP_FDB, node.name(), vtep.mac() + " dst " + format(remote) + " dev " + device.name() + " self "
                        + neighbourState(remoteEntry.state()) + (fdb.size() > 1 ? " (and " + (fdb.size() - 1) + " more remotes: each gets a copy)" : ""),
                facts("mac", vtep.mac().toString(), "dst", format(remote), "state", neighbourState(remoteEntry.state())),
                List.of(element(node, device)));

        Route toRemote = routes.sent(node, remote);
        Link out = outputOf(node, toRemote);
        InetAddress outerSource = vxlan.local() != null ? vxlan.local() : toRemote.preferredSource();
        underlayOut(node, out, toRemote.gateway() != null ? toRemote.gateway() : remote);
        Optional<TraceNode> remoteNode = nodeOwning(remote);
        String wire = ElementId.wire(node.name(), remoteNode.map(TraceNode::name).orElse(format(remote)));
        steps.add(Hop.ENCAPSULATION, node.name(), "UDP " + format(outerSource) + " → " + format(remote) + ":" + vxlan.port() + " VXLAN VNI "
                        + vxlan.vni() + ", inner " + device.mac() + " → " + vtep.mac() + ", " + format(source.ip()) + " → "
                        + format(destination.ip()),
                facts("outer-src", format(outerSource), "outer-dst", format(remote), "udp-port", String.valueOf(vxlan.port()),
                        "vni", String.valueOf(vxlan.vni()), "inner-src-mac", String.valueOf(device.mac()),
                        "inner-dst-mac", vtep.mac().toString(), "inner-src", format(source.ip()), "inner-dst", format(destination.ip())),
                List.of(element(node, out), wire));
        if (remoteNode.isEmpty()) {
            throw new OutOfView("the encapsulated packet leaves " + node.name() + " through " + out.name() + " for "
                    + format(remote) + ", a node not in view");
        }
        requireDestinationNode(remoteNode.get(), "the FDB entry sends it to " + format(remote));

        KernelState there = namespaces.node(remoteNode.get());
        underlayIn(there, remote, wire, null);
        Link remoteDevice = there.links().stream()
                .filter(link -> link.kind() instanceof LinkKind.Vxlan v && v.vni() == vxlan.vni() && v.port() == vxlan.port())
                .findFirst().orElse(null);
        if (remoteDevice == null) {
            steps.add(Hop.VXLAN, there.name(), "no VXLAN device with VNI " + vxlan.vni() + " on UDP port " + vxlan.port(),
                    facts("vni", String.valueOf(vxlan.vni()), "port", String.valueOf(vxlan.port())), List.of());
            throw new Broken(there.name() + " has no VXLAN device for VNI " + vxlan.vni() + " on port " + vxlan.port()
                    + ": it refuses the datagram (ICMP port unreachable); the agent there creates " + device.name());
        }
        LinkKind.Vxlan remoteVxlan = (LinkKind.Vxlan) remoteDevice.kind();
        vxlanDevice(there, remoteDevice, remoteVxlan,
                remoteVxlan.underlayIndex() == 0 ? null : there.link(remoteVxlan.underlayIndex()), "receives");
        if (!vtep.mac().equals(remoteDevice.mac())) {
            throw new Broken("VTEP MAC mismatch: " + node.name() + "'s neighbour and FDB entries name " + vtep.mac() + " but "
                    + remoteDevice.name() + " of " + there.name() + " has " + remoteDevice.mac() + ": " + there.name()
                    + " drops the decapsulated frames, which are not addressed to it (the peer's lease carries a stale MAC)");
        }
        if (remoteVxlan.local() != null && !remoteVxlan.local().equals(remote)) {
            throw new Broken(remoteDevice.name() + " of " + there.name() + " listens on " + format(remoteVxlan.local())
                    + " but the packet is sent to " + format(remote) + ": it is refused");
        }
        routeOn(there, remoteDevice);
    }

    private void vxlanDevice(KernelState node, Link device, LinkKind.Vxlan vxlan, Link underlay, String verb) {
        steps.add(Hop.VXLAN, node.name(), device.name() + " vxlan id " + vxlan.vni() + " port " + vxlan.port()
                        + (vxlan.local() == null ? "" : " local " + format(vxlan.local()))
                        + (underlay == null ? "" : " dev " + underlay.name()) + (vxlan.learning() ? " learning" : " nolearning")
                        + " mac " + device.mac() + " mtu " + device.mtu() + " " + state(device) + " (" + verb + ")",
                facts("interface", device.name(), "vni", String.valueOf(vxlan.vni()), "port", String.valueOf(vxlan.port()),
                        "local", format(vxlan.local()), "underlay", underlay == null ? null : underlay.name(),
                        "learning", String.valueOf(vxlan.learning()), "mac", String.valueOf(device.mac()),
                        "mtu", String.valueOf(device.mtu()), "state", state(device)),
                List.of(element(node, device)));
        requireUp(device, node.name());
    }

    /** Direct routing: out of the underlay straight to the other node's underlay address. */
    private void directlyTo(KernelState node, Link out, Route route) {
        path = PathKind.DIRECT_ROUTING;
        InetAddress nextHop = route.gateway() != null ? route.gateway() : destination.ip();
        MacAddress resolved = underlayOut(node, out, nextHop);
        if (podMtu > out.mtu()) {
            throw new Broken("MTU mismatch: " + source.name() + "'s eth0 has MTU " + podMtu + " but " + out.name() + " of "
                    + node.name() + " only " + out.mtu() + ": longer packets are dropped");
        }
        Optional<TraceNode> remoteNode = nodeOwning(nextHop);
        if (remoteNode.isEmpty()) {
            throw new OutOfView("the packet leaves " + node.name() + " through " + out.name() + " via " + format(nextHop)
                    + ", which is not a node in view");
        }
        requireDestinationNode(remoteNode.get(), "the route sends it via " + format(nextHop));
        KernelState there = namespaces.node(remoteNode.get());
        Link in = underlayIn(there, nextHop, ElementId.wire(node.name(), there.name()), resolved);
        routeOn(there, in);
    }

    /** A node's underlay interface, where a packet for {@code nextHop} leaves; returns the MAC it is resolved to, or null. */
    private MacAddress underlayOut(KernelState node, Link out, InetAddress nextHop) {
        Optional<Neighbour> neighbour = node.neighbour(out.index(), nextHop);
        MacAddress mac = neighbour.map(Neighbour::mac).orElse(null);
        String ip = node.addresses(out.index()).stream().filter(IpPrefix::isIpv4).map(IpPrefix::toString).collect(Collectors.joining(","));
        steps.add(Hop.UNDERLAY, node.name(), out.name() + " " + ip + " mac " + out.mac() + " mtu " + out.mtu() + " " + state(out)
                        + ", next hop " + format(nextHop) + (mac == null ? " not resolved yet (the first packet asks who-has)"
                        : " lladdr " + mac + " " + neighbourState(neighbour.get().state())),
                facts("interface", out.name(), "ip", ip, "mac", String.valueOf(out.mac()), "mtu", String.valueOf(out.mtu()),
                        "state", state(out), "next-hop", format(nextHop), "next-hop-mac", mac == null ? null : mac.toString()),
                List.of(element(node, out)));
        capturePoints.add(new CapturePoint(node.name(), node.netns(), out.name(), out.index()));
        requireUp(out, node.name());
        return mac;
    }

    /** The other node's interface that has {@code address}, where the packet arrives. */
    private Link underlayIn(KernelState node, InetAddress address, String wire, MacAddress resolvedTo) {
        Link in = node.linkWith(address).orElseThrow();
        steps.add(Hop.UNDERLAY, node.name(), in.name() + " " + format(address) + " mac " + in.mac() + " mtu " + in.mtu() + " " + state(in)
                        + " (the packet arrives)",
                facts("interface", in.name(), "ip", format(address), "mac", String.valueOf(in.mac()), "mtu", String.valueOf(in.mtu()),
                        "state", state(in)),
                List.of(wire, element(node, in)));
        capturePoints.add(new CapturePoint(node.name(), node.netns(), in.name(), in.index()));
        requireUp(in, node.name());
        if (resolvedTo != null && !resolvedTo.equals(in.mac())) {
            throw new Broken("stale ARP entry: the sending node resolves " + format(address) + " to " + resolvedTo + " but "
                    + in.name() + " of " + node.name() + " has " + in.mac());
        }
        return in;
    }

    private void requireDestinationNode(TraceNode reached, String how) {
        if (destination.node() != null && !destination.node().name().equals(reached.name())) {
            throw new Broken(how + ", which is " + reached.name() + ", but " + destination.label() + " runs on "
                    + destination.node().name() + " (a stale route or FDB entry: the peer's subnet moved?)");
        }
    }

    /** The node in scope that has {@code address} on one of its interfaces. */
    private Optional<TraceNode> nodeOwning(InetAddress address) {
        return scope.nodes().stream().filter(node -> namespaces.node(node).linkWith(address).isPresent()).findFirst();
    }

    // ---- helpers

    private void requireUp(Link link, String where) {
        if (!link.up()) {
            throw new Broken(link.name() + " on " + where + " is down: it neither sends nor receives (ip link set " + link.name() + " up)");
        }
        if (!link.lowerUp()) {
            throw new Broken(link.name() + " on " + where + " is up but has no carrier" + switch (link.kind()) {
                case LinkKind.Veth() -> ": the other end of the veth pair is down";
                case LinkKind.Bridge() -> ": none of its ports is up";
                default -> "";
            });
        }
    }
}
