package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.cni.CniRequest;
import io.weft.cni.config.NetworkConfig;
import io.weft.cni.ipam.Attachment;
import io.weft.cni.ipam.IpAllocator;
import io.weft.cni.result.CniResult;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;
import io.weft.netlink.route.Route;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import static io.weft.netlink.sys.Kernel.RT_TABLE_MAIN;

/**
 * CHECK: the pod's network is still what its ADD result ({@code prevResult}) says: the pod
 * interface with its MAC, addresses and routes, the node end of its veth on the bridge, and the
 * address reservation. The first difference fails the check (105), saying what differs.
 */
final class PodCheck {
    private final Netlink node;
    private final NetworkConfig config;
    private final IpAllocator allocator;
    private final CniRequest request;

    PodCheck(Netlink node, NetworkConfig config, IpAllocator allocator, CniRequest request) {
        this.node = node;
        this.config = config;
        this.allocator = allocator;
        this.request = request;
    }

    void run() {
        CniResult expected = CniResult.parse(request.prevResult().orElseThrow(() -> new CniException(
                CniException.INVALID_CONFIG, "prevResult is missing: CHECK compares the pod against its ADD result")), "prevResult");
        int podIndex = podInterfaceIndex(expected);
        try (PodNamespace pod = PodNamespace.open(request.netns())) {
            Link podInterface = checkPodInterface(pod, expected.interfaces().get(podIndex));
            List<CniResult.IpConfig> ips = expected.ips().stream().filter(ip -> ip.interfaceIndex() == podIndex).toList();
            checkAddresses(pod, podInterface, ips);
            checkRoutes(pod, podInterface, expected.routes(), ips);
            checkHostVeth(podInterface);
            checkReservation(ips);
        }
    }

    private int podInterfaceIndex(CniResult expected) {
        for (int i = 0; i < expected.interfaces().size(); i++) {
            CniResult.Interface each = expected.interfaces().get(i);
            if (each.name().equals(request.ifName()) && request.netns().equals(each.sandbox())) {
                return i;
            }
        }
        throw failed("prevResult has no interface " + request.ifName() + " in " + request.netns());
    }

    private Link checkPodInterface(PodNamespace pod, CniResult.Interface expected) {
        Link link = pod.netlink().links().find(request.ifName())
                .orElseThrow(() -> failed("interface " + request.ifName() + " does not exist in " + request.netns()));
        if (expected.mac() != null && !expected.mac().equals(link.mac())) {
            throw failed(request.ifName() + " in " + request.netns() + " has MAC " + link.mac() + ", not " + expected.mac());
        }
        if (!link.up()) {
            throw failed(request.ifName() + " in " + request.netns() + " is down");
        }
        return link;
    }

    private void checkAddresses(PodNamespace pod, Link podInterface, List<CniResult.IpConfig> ips) {
        List<IpPrefix> actual = pod.netlink().addresses().list(podInterface.index()).stream().map(Address::prefix).toList();
        for (CniResult.IpConfig ip : ips) {
            if (!actual.contains(ip.address())) {
                throw failed(request.ifName() + " in " + request.netns() + " lacks " + ip.address() + " (has " + actual + ")");
            }
        }
    }

    /** Each route of the result, in the main table, out of the pod interface, via its gateway (or the address's). */
    private void checkRoutes(PodNamespace pod, Link podInterface, List<CniResult.RouteConfig> routes, List<CniResult.IpConfig> ips) {
        List<Route> actual = pod.netlink().routes().list();
        for (CniResult.RouteConfig expected : routes) {
            InetAddress gateway = expected.gateway() != null ? expected.gateway() : ips.stream()
                    .filter(ip -> ip.address().isIpv4() == expected.destination().isIpv4())
                    .map(CniResult.IpConfig::gateway).findFirst().orElse(null);
            boolean present = actual.stream().anyMatch(route -> route.table() == RT_TABLE_MAIN
                    && route.destination().equals(expected.destination()) && route.outputIndex() == podInterface.index()
                    && (gateway == null || gateway.equals(route.gateway())));
            if (!present) {
                throw failed("route " + expected.destination() + (gateway == null ? "" : " via " + gateway.getHostAddress())
                        + " dev " + request.ifName() + " is missing in " + request.netns());
            }
        }
    }

    /** The node end exists, is the pod interface's peer, and is a port of the bridge. */
    private void checkHostVeth(Link podInterface) {
        String hostName = HostVeth.name(request.containerId(), request.ifName());
        Link hostVeth = node.links().find(hostName)
                .orElseThrow(() -> failed("the node end " + hostName + " of " + request.ifName() + "'s veth does not exist"));
        if (hostVeth.parentIndex() != podInterface.index() || podInterface.parentIndex() != hostVeth.index()) {
            throw failed(hostName + " is not the peer of " + request.ifName() + " in " + request.netns());
        }
        Optional<Link> bridge = node.links().find(config.bridge());
        if (bridge.isEmpty() || hostVeth.masterIndex() != bridge.get().index()) {
            throw failed(hostName + " is not a port of bridge " + config.bridge());
        }
        if (hostVeth.hairpin() != config.hairpinMode()) {
            throw failed(hostName + " has hairpin mode " + (hostVeth.hairpin() ? "on" : "off") + ", the configuration says "
                    + (config.hairpinMode() ? "on" : "off"));
        }
    }

    private void checkReservation(List<CniResult.IpConfig> ips) {
        Attachment attachment = new Attachment(request.containerId(), request.ifName());
        Optional<InetAddress> reserved = allocator.find(attachment);
        if (reserved.isEmpty()) {
            throw failed("no address is reserved for container " + request.containerId() + " " + request.ifName());
        }
        if (ips.stream().noneMatch(ip -> ip.address().address().equals(reserved.get()))) {
            throw failed("the address reserved for container " + request.containerId() + " " + request.ifName() + " is "
                    + reserved.get().getHostAddress() + ", not the result's " + ips.stream().map(ip -> ip.address().toString()).toList());
        }
    }

    private static CniException failed(String message) {
        return new CniException(CniException.CHECK_FAILED, message);
    }
}
