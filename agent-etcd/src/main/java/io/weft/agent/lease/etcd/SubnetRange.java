package io.weft.agent.lease.etcd;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.netlink.IpPrefix;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;

/**
 * The subnets a cluster network is cut into, numbered from 0 in address order: 10.42.0.0/16 in /24s
 * is 10.42.0.0/24 (0) … 10.42.255.0/24 (255). The first subnet is handed out too, as k3s does.
 */
record SubnetRange(ClusterNetwork network) {
    /** How many subnets there are. */
    long size() {
        return 1L << (network.subnetLength() - network.network().length());
    }

    IpPrefix get(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("subnet " + index + " of " + size() + " in " + network.network());
        }
        long address = base() + (index << (32 - network.subnetLength()));
        try {
            return new IpPrefix(InetAddress.getByAddress(ByteBuffer.allocate(4).putInt((int) address).array()), network.subnetLength());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The position of one of this range's subnets, for ordering them by address. */
    long index(IpPrefix subnet) {
        return (address(subnet) - base()) >>> (32 - network.subnetLength());
    }

    /** Whether {@code subnet} is one of this range's subnets (right length, network form, inside the network). */
    boolean contains(IpPrefix subnet) {
        return subnet.isIpv4()
                && subnet.length() == network.subnetLength()
                && subnet.equals(subnet.network())
                && network.network().contains(subnet.address());
    }

    /** The lowest subnet not in {@code taken}, or empty when every one is. */
    Optional<IpPrefix> lowestFree(Set<IpPrefix> taken) {
        for (long index = 0; index < size(); index++) {
            IpPrefix subnet = get(index);
            if (!taken.contains(subnet)) {
                return Optional.of(subnet);
            }
        }
        return Optional.empty();
    }

    private long base() {
        return address(network.network());
    }

    private static long address(IpPrefix prefix) {
        return Integer.toUnsignedLong(ByteBuffer.wrap(prefix.address().getAddress()).getInt());
    }
}
