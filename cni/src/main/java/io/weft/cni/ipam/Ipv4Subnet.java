package io.weft.cni.ipam;

import io.weft.netlink.IpPrefix;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * A node's IPv4 pod subnet as the allocator walks it. Addresses are unsigned 32-bit values held in a
 * {@code long}; the assignable ones are every host address except the gateway (the network and broadcast
 * addresses are never host addresses).
 */
record Ipv4Subnet(long network, int length, long gateway) {
    static Ipv4Subnet of(IpPrefix subnet) {
        if (!subnet.isIpv4()) {
            throw new IllegalArgumentException("subnet " + subnet + " is IPv6: the allocator hands out IPv4 addresses only for now");
        }
        if (subnet.length() > 30) {
            throw new IllegalArgumentException("subnet " + subnet + " is too small to allocate from: it needs a prefix of /30 or shorter");
        }
        long gateway = toLong(subnet.address());
        Ipv4Subnet result = new Ipv4Subnet(toLong(subnet.network().address()), subnet.length(), gateway);
        if (gateway == result.network || gateway == result.broadcast()) {
            throw new IllegalArgumentException("subnet " + subnet + " must be written as gateway/prefix, e.g. "
                    + format(result.network + 1) + "/" + subnet.length() + ": its address is not a host address");
        }
        return result;
    }

    long broadcast() {
        return network + (1L << (32 - length)) - 1;
    }

    long firstHost() {
        return network + 1;
    }

    long lastHost() {
        return broadcast() - 1;
    }

    boolean assignable(long address) {
        return address >= firstHost() && address <= lastHost() && address != gateway;
    }

    /** How many host addresses there are, the gateway included. */
    long hostCount() {
        return lastHost() - firstHost() + 1;
    }

    /** The host address after {@code address}, wrapping from the last host to the first. */
    long nextHost(long address) {
        return address >= lastHost() || address < firstHost() ? firstHost() : address + 1;
    }

    /** {@code 10.42.1.2-10.42.1.254}: the first and last address the allocator may hand out. */
    String assignableRange() {
        long first = gateway == firstHost() ? firstHost() + 1 : firstHost();
        long last = gateway == lastHost() ? lastHost() - 1 : lastHost();
        return format(first) + "-" + format(last);
    }

    @Override
    public String toString() {
        return format(network) + "/" + length;
    }

    static long toLong(InetAddress address) {
        long value = 0;
        for (byte b : address.getAddress()) {
            value = value << 8 | Byte.toUnsignedInt(b);
        }
        return value;
    }

    static InetAddress toAddress(long value) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static String format(long value) {
        return (value >>> 24 & 0xff) + "." + (value >>> 16 & 0xff) + "." + (value >>> 8 & 0xff) + "." + (value & 0xff);
    }

    /**
     * The address a file name or pointer spells, only if it is written exactly as {@link #format} writes it
     * (four decimal octets, no leading zeros): anything else in the directory is not a reservation.
     */
    static Optional<Long> parse(String text) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            return Optional.empty();
        }
        long value = 0;
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || (octet.length() > 1 && octet.charAt(0) == '0')
                    || !octet.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            int number = Integer.parseInt(octet);
            if (number > 255) {
                return Optional.empty();
            }
            value = value << 8 | number;
        }
        return Optional.of(value);
    }
}
