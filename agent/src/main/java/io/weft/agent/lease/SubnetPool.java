package io.weft.agent.lease;

import io.weft.netlink.IpPrefix;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A cluster network cut into its node subnets, in address order, and their names in a store: the
 * local store's file names and etcd's keys are both {@code 10.42.1.0-24}, as Flannel's are. The first
 * subnet (10.42.0.0/24) is a subnet like the others, as k3s hands it to its first node.
 */
public final class SubnetPool {
    private static final Pattern KEY = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}-[0-9]{1,2}");

    private final ClusterNetwork network;
    private final long first;
    private final int size;

    public SubnetPool(ClusterNetwork network) {
        this.network = network;
        this.first = toLong(network.network().address());
        this.size = 1 << (network.subnetLength() - network.network().length()); // at most 2^30: subnetLen <= 30
    }

    public ClusterNetwork network() {
        return network;
    }

    /** How many subnets the network holds. */
    public int size() {
        return size;
    }

    /** The subnet at {@code index}, counting from the network's first address. */
    public IpPrefix subnet(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("subnet " + index + " of " + describe() + ", which has " + size);
        }
        return new IpPrefix(toAddress(first + ((long) index << (32 - network.subnetLength()))), network.subnetLength());
    }

    /** Where {@code subnet} is in the pool; it must be one of its subnets. */
    public int index(IpPrefix subnet) {
        if (!contains(subnet)) {
            throw new IllegalArgumentException("subnet " + subnet + " is not one of the /" + network.subnetLength()
                    + " subnets of network " + network.network());
        }
        return (int) ((toLong(subnet.address()) - first) >>> (32 - network.subnetLength()));
    }

    /** True if {@code subnet} is exactly one of the pool's subnets: inside the network, of its length, in network form. */
    public boolean contains(IpPrefix subnet) {
        return subnet.isIpv4() && subnet.length() == network.subnetLength() && subnet.equals(subnet.network())
                && network.network().contains(subnet.address());
    }

    /** The first subnet not in {@code taken}; an {@link IllegalStateException} naming the network when there is none. */
    public IpPrefix lowestFree(Set<IpPrefix> taken) {
        for (int index = 0; index < size; index++) {
            IpPrefix subnet = subnet(index);
            if (!taken.contains(subnet)) {
                return subnet;
            }
        }
        throw new IllegalStateException("no free subnet in " + describe() + ": all " + size + " subnets are leased");
    }

    /** The subnet's name in a store: {@code 10.42.1.0-24}. */
    public static String key(IpPrefix subnet) {
        return IpPrefix.formatAddress(subnet.address()) + "-" + subnet.length();
    }

    /** The pool's subnet that {@code key} names, written exactly as {@link #key} writes it; empty for anything else. */
    public Optional<IpPrefix> subnetOfKey(String key) {
        if (!KEY.matcher(key).matches()) {
            return Optional.empty();
        }
        int dash = key.indexOf('-');
        try {
            IpPrefix subnet = new IpPrefix(IpPrefix.parseAddress(key.substring(0, dash)), Integer.parseInt(key.substring(dash + 1)));
            return contains(subnet) && key(subnet).equals(key) ? Optional.of(subnet) : Optional.empty();
        } catch (IllegalArgumentException notAnAddress) {
            return Optional.empty();
        }
    }

    private String describe() {
        return "network " + network.network() + " with subnetLen " + network.subnetLength();
    }

    private static long toLong(InetAddress address) {
        long value = 0;
        for (byte b : address.getAddress()) {
            value = value << 8 | Byte.toUnsignedInt(b);
        }
        return value;
    }

    private static InetAddress toAddress(long value) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
