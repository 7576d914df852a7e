package io.weft.agent.lease;

import io.weft.netlink.IpPrefix;

/**
 * The cluster's pod network and the size of each node's share, e.g. 10.42.0.0/16 cut into /24s.
 */
public record ClusterNetwork(IpPrefix network, int subnetLength) {
    public ClusterNetwork {
        if (!network.isIpv4()) {
            throw new IllegalArgumentException("network " + network + ": only IPv4 pod networks are supported");
        }
        if (!network.equals(network.network())) {
            throw new IllegalArgumentException("network " + network + " has host bits set; the network is " + network.network());
        }
        if (subnetLength <= network.length() || subnetLength > 30) {
            throw new IllegalArgumentException("subnetLen " + subnetLength + " must be longer than the network's /"
                    + network.length() + " and at most 30");
        }
    }
}
