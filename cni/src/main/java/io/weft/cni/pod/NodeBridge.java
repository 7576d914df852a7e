package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.link.LinkSpec;

import java.util.List;

import static io.weft.netlink.sys.Kernel.EEXIST;

/**
 * The node's bridge ({@code cni0}) that joins its pods: made on the first ADD, with the gateway address,
 * and kept. Concurrent ADDs may race to make it; the loser uses the winner's. Public for the agent,
 * which makes the same bridge at start so that both agree on it.
 */
public final class NodeBridge {
    private NodeBridge() {}

    /**
     * The bridge's MAC, pinned from the gateway ({@code 0a:58:} and its four bytes, as Kubernetes'
     * kubenet does): a bridge otherwise takes the lowest MAC of its ports, which changes as pods come
     * and go, and every pod's ARP entry for the gateway would go stale.
     */
    public static MacAddress macFor(IpPrefix gateway) {
        byte[] ip = gateway.address().getAddress();
        return new MacAddress(new byte[] {0x0a, 0x58, ip[0], ip[1], ip[2], ip[3]});
    }

    /** Whether {@code name} is the node end of a pod's veth as Weft names them ({@code weft} and 11 hex digits). */
    public static boolean isPodVeth(String name) {
        return HostVeth.isWeftName(name);
    }

    /** Makes sure {@code name} is a bridge with {@code gateway}, the pinned MAC, and up; returns it as it now is. */
    public static Link ensure(Netlink node, String name, IpPrefix gateway, int mtu) {
        MacAddress mac = macFor(gateway);
        Link bridge = node.links().find(name).orElseGet(() -> create(node, name, mac, mtu));
        if (!(bridge.kind() instanceof LinkKind.Bridge)) {
            throw new CniException(CniException.INVALID_CONFIG, "bridge " + name + " exists but is a "
                    + bridge.kind().typeName() + " device, not a bridge");
        }
        ensureAddress(node, bridge, gateway);
        if (!mac.equals(bridge.mac())) {
            node.links().setMac(name, mac);
        }
        if (!bridge.up()) {
            node.links().setUp(name);
        }
        return node.links().get(name);
    }

    private static Link create(Netlink node, String name, MacAddress mac, int mtu) {
        try {
            return node.links().add(LinkSpec.bridge(name).withMac(mac).withMtu(mtu));
        } catch (NetlinkException e) {
            if (e.errno() == EEXIST) {
                return node.links().get(name); // another ADD made it first
            }
            throw e;
        }
    }

    /**
     * The gateway address, and no other IPv4 address: one of another subnet means the node's subnet
     * changed and the agent has not reconfigured the bridge yet.
     */
    private static void ensureAddress(Netlink node, Link bridge, IpPrefix gateway) {
        List<IpPrefix> ipv4 = node.addresses().list(bridge.index()).stream()
                .map(Address::prefix).filter(IpPrefix::isIpv4).toList();
        if (ipv4.contains(gateway)) {
            return;
        }
        if (!ipv4.isEmpty()) {
            throw new CniException(CniException.TRY_AGAIN_LATER, "bridge " + bridge.name() + " has " + ipv4
                    + ", not the gateway " + gateway + " of this node's subnet: the agent has not reconfigured it yet");
        }
        try {
            node.addresses().add(bridge.index(), gateway);
        } catch (NetlinkException e) {
            if (e.errno() != EEXIST) { // another ADD added it first
                throw e;
            }
        }
    }
}
