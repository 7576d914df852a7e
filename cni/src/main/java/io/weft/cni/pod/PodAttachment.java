package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.cni.CniRequest;
import io.weft.cni.config.NetworkConfig;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.ipam.AddressesExhaustedException;
import io.weft.cni.ipam.Attachment;
import io.weft.cni.ipam.IpAllocator;
import io.weft.cni.result.CniResult;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;

import java.util.List;

import static io.weft.netlink.sys.Kernel.EEXIST;

/**
 * ADD: attaches a pod to the node's bridge, in the steps of the reference bridge plugin's
 * {@code cmdAdd}: ensure the bridge, allocate an address, create the veth with its pod end made
 * directly inside the pod's namespace, put the node end on the bridge, configure the pod end, enable
 * forwarding. A failing step undoes the earlier ones, so a failed ADD leaves neither a veth nor a
 * reservation behind.
 */
final class PodAttachment {
    private static final String LO = "lo";
    private static final IpPrefix DEFAULT_ROUTE = IpPrefix.parse("0.0.0.0/0");

    private final NetNamespace nodeNamespace;
    private final Netlink node;
    private final NetworkConfig config;
    private final SubnetEnv subnet;
    private final CniRequest request;
    private final Attachment attachment;
    private final String hostName;
    private final int mtu;

    PodAttachment(NetNamespace nodeNamespace, Netlink node, NetworkConfig config, SubnetEnv subnet, CniRequest request) {
        this.nodeNamespace = nodeNamespace;
        this.node = node;
        this.config = config;
        this.subnet = subnet;
        this.request = request;
        this.attachment = new Attachment(request.containerId(), request.ifName());
        this.hostName = HostVeth.name(request.containerId(), request.ifName());
        this.mtu = config.effectiveMtu(subnet);
    }

    CniResult attach() {
        try (PodNamespace pod = PodNamespace.open(request.netns()); Undo undo = new Undo()) {
            Link bridge = NodeBridge.ensure(node, config.bridge(), subnet.subnet(), mtu);
            IpPrefix address = allocateAddress(undo);
            Link hostVeth = createVeth(pod, undo);
            attachToBridge(bridge);
            Link podInterface = configurePodInterface(pod, address);
            enableForwarding();
            undo.commit();
            return result(bridge, hostVeth, podInterface, address);
        }
    }

    /**
     * The attachment's address. Undone only when this ADD made the reservation: one held before
     * belongs to an earlier ADD of the same attachment (a runtime retrying), which only its DEL releases.
     */
    private IpPrefix allocateAddress(Undo undo) {
        IpAllocator allocator = PodNetwork.allocator(config, subnet);
        IpAllocator.Allocation allocation;
        try {
            allocation = allocator.reserve(attachment);
        } catch (AddressesExhaustedException e) {
            throw new CniException(CniException.ADDRESSES_EXHAUSTED, e.getMessage(), e);
        }
        if (allocation.fresh()) {
            undo.add(() -> allocator.release(attachment));
        }
        return new IpPrefix(allocation.address(), subnet.subnet().length());
    }

    /** The veth pair: node end {@code hostName}, pod end {@code CNI_IFNAME} made inside the pod's namespace. */
    private Link createVeth(PodNamespace pod, Undo undo) {
        Link hostVeth;
        try {
            hostVeth = node.links().add(LinkSpec.veth(hostName, request.ifName(), pod.namespace()).withMtu(mtu));
        } catch (NetlinkException e) {
            if (e.errno() == EEXIST) {
                throw interfaceExists(pod, e);
            }
            throw e;
        }
        undo.add(() -> PodNetwork.deleteIfPresent(node, hostName));
        return hostVeth;
    }

    private CniException interfaceExists(PodNamespace pod, NetlinkException e) {
        String which = pod.netlink().links().find(request.ifName()).isPresent()
                ? "interface " + request.ifName() + " already exists in " + request.netns()
                : "the node end " + hostName + " of " + request.ifName() + "'s veth already exists (an earlier ADD without DEL)";
        return new CniException(CniException.INTERFACE_EXISTS, which, e.getMessage());
    }

    private void attachToBridge(Link bridge) {
        node.links().setMaster(hostName, bridge.index());
        if (config.hairpinMode()) {
            node.links().setHairpin(hostName, true);
        }
        node.links().setUp(hostName);
    }

    /** Address, up, default route via the gateway, and lo up (a pod without lo cannot reach itself). */
    private Link configurePodInterface(PodNamespace pod, IpPrefix address) {
        Netlink inPod = pod.netlink();
        Link podInterface = inPod.links().get(request.ifName());
        inPod.addresses().add(podInterface.index(), address);
        inPod.links().setUp(request.ifName());
        inPod.routes().add(Route.to(DEFAULT_ROUTE).via(subnet.gateway()).dev(podInterface.index()));
        inPod.links().setUp(LO);
        return podInterface;
    }

    private void enableForwarding() {
        nodeNamespace.sysctl().set("net.ipv4.ip_forward", "1");
    }

    private CniResult result(Link bridge, Link hostVeth, Link podInterface, IpPrefix address) {
        return new CniResult(
                List.of(new CniResult.Interface(bridge.name(), bridge.mac(), null),
                        new CniResult.Interface(hostVeth.name(), hostVeth.mac(), null),
                        new CniResult.Interface(podInterface.name(), podInterface.mac(), request.netns())),
                List.of(new CniResult.IpConfig(address, subnet.gateway(), 2)),
                List.of(new CniResult.RouteConfig(DEFAULT_ROUTE, subnet.gateway())),
                config.dns());
    }
}
