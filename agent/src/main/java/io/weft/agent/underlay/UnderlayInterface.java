package io.weft.agent.underlay;

import io.weft.netlink.IpPrefix;

import java.net.InetAddress;

/**
 * The interface chosen to carry traffic between nodes.
 *
 * @param name e.g. {@code eth0}
 * @param index its interface index in the node's namespace
 * @param address its address used as the VXLAN source, with the prefix of the subnet it is on
 * @param mtu its MTU
 * @param reason why it was chosen, for the start-up log: e.g. {@code the default route leaves through it}
 */
public record UnderlayInterface(String name, int index, IpPrefix address, int mtu, String reason) {
    public InetAddress ip() {
        return address.address();
    }

    @Override
    public String toString() {
        return name + " (index " + index + ", " + address + ", MTU " + mtu + "): " + reason;
    }
}
