package io.weft.agent.lease;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * A node's hold on a pod subnet, with what its peers need to reach it.
 *
 * @param node the node's name
 * @param subnet the pod subnet in network form, e.g. {@code 10.42.1.0/24}
 * @param publicIp the address peers send encapsulated traffic to (the node's underlay IP, or
 *     {@code --public-ip} behind NAT)
 * @param vtepMac the MAC of the node's {@code weft.1}, for the peers' neighbour and FDB entries
 * @param expiry when the lease lapses unless renewed; {@link Instant#MAX} for stores without expiry (kubernetes)
 */
public record Lease(String node, IpPrefix subnet, InetAddress publicIp, MacAddress vtepMac, Instant expiry) {
    public Lease {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(publicIp, "publicIp");
        Objects.requireNonNull(vtepMac, "vtepMac");
        Objects.requireNonNull(expiry, "expiry");
        if (!subnet.equals(subnet.network())) {
            throw new IllegalArgumentException("lease subnet " + subnet + " has host bits set");
        }
    }

    /** The subnet's first address, the gateway on the node's bridge (e.g. 10.42.1.1/24). */
    public IpPrefix gateway() {
        byte[] address = subnet.address().getAddress();
        address[address.length - 1] |= 1;
        try {
            return new IpPrefix(InetAddress.getByAddress(address), subnet.length());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
