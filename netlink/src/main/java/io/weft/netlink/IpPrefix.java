package io.weft.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address with a prefix length, e.g. {@code 10.42.1.1/24}. The address keeps its host
 * bits (an interface address); {@link #network()} masks them off (a route destination).
 */
public record IpPrefix(InetAddress address, int length) {
    public IpPrefix {
        int bits = address.getAddress().length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " is out of range 0.." + bits + " for " + address.getHostAddress());
        }
    }

    /** Parses {@code 10.0.0.1/24} or {@code fd00::1/64}; a bare address gets the full length. */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        InetAddress address = parseAddress(slash < 0 ? text : text.substring(0, slash));
        int bits = address.getAddress().length * 8;
        if (slash < 0) {
            return new IpPrefix(address, bits);
        }
        try {
            return new IpPrefix(address, Integer.parseInt(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a prefix length in \"" + text + "\"", e);
        }
    }

    /** Parses a literal IPv4 or IPv6 address; never resolves a host name. */
    public static InetAddress parseAddress(String text) {
        if (text.isEmpty() || !text.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalArgumentException("not an IP address: \"" + text + "\"");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: \"" + text + "\"", e);
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The same prefix with the host bits cleared. */
    public IpPrefix network() {
        byte[] bytes = address.getAddress();
        for (int bit = length; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return new IpPrefix(InetAddress.getByAddress(bytes), length);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public boolean contains(InetAddress other) {
        return other.getAddress().length == address.getAddress().length
                && new IpPrefix(other, length).network().equals(network());
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
