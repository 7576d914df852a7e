package io.weft.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address with a prefix length, e.g. {@code 10.42.1.1/24}. The address keeps its host
 * bits (an interface address); {@link #network()} masks them off (a route destination).
 */
public record IpPrefix(InetAddress address, int length) {
    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9a-fA-F.:]+");

    public IpPrefix {
        int bits = address.getAddress().length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " is out of range 0.." + bits + " for " + formatAddress(address));
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

    /** Parses a literal IPv4 (dotted quad) or IPv6 address; never resolves a host name. */
    public static InetAddress parseAddress(String text) {
        try {
            if (IPV4_LITERAL.matcher(text).matches()) {
                byte[] bytes = new byte[4];
                String[] parts = text.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) {
                        throw new IllegalArgumentException("not an IP address: \"" + text + "\" (octet " + octet + ")");
                    }
                    bytes[i] = (byte) octet;
                }
                return InetAddress.getByAddress(bytes);
            }
            // with a colon the JDK parses an IPv6 literal and never looks the text up as a host name
            if (text.contains(":") && IPV6_CHARACTERS.matcher(text).matches()) {
                return InetAddress.getByName(text);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: \"" + text + "\"", e);
        }
        throw new IllegalArgumentException("not an IP address: \"" + text + "\"");
    }

    /**
     * Prints an address as {@code ip} does: IPv6 in the RFC 5952 short form ({@code 2001:db8::2}, not
     * Java's {@code 2001:db8:0:0:0:0:0:2}), so that error messages name it the way users typed it.
     */
    public static String formatAddress(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (Byte.toUnsignedInt(bytes[2 * i]) << 8) | Byte.toUnsignedInt(bytes[2 * i + 1]);
        }
        int zerosStart = -1;
        int zerosLength = 1; // RFC 5952: a single zero group is never shortened
        for (int i = 0; i < 8; ) {
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > zerosLength) {
                zerosStart = i;
                zerosLength = end - i;
            }
            i = Math.max(end, i + 1);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == zerosStart) {
                text.append("::");
                i += zerosLength - 1;
            } else {
                if (i > 0 && i != zerosStart + zerosLength) {
                    text.append(':');
                }
                text.append(Integer.toHexString(groups[i]));
            }
        }
        String scope = address.getHostAddress();
        return scope.contains("%") ? text + scope.substring(scope.indexOf('%')) : text.toString();
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /**
     * The same prefix with the host bits cleared: this prefix itself when it has none. Checked on
     * every route and lease built (a reconcile pass builds thousands), so that case allocates nothing.
     */
    public IpPrefix network() {
        byte[] bytes = address.getAddress();
        if (!clearHostBits(bytes, length)) {
            return this;
        }
        try {
            return new IpPrefix(InetAddress.getByAddress(bytes), length);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether {@code other} is of this prefix's family and inside it. */
    public boolean contains(InetAddress other) {
        byte[] mine = address.getAddress();
        byte[] theirs = other.getAddress();
        if (theirs.length != mine.length) {
            return false;
        }
        clearHostBits(mine, length);
        clearHostBits(theirs, length);
        return java.util.Arrays.equals(mine, theirs);
    }

    /** Clears the bits of {@code bytes} past the first {@code length}; returns whether any was set. */
    private static boolean clearHostBits(byte[] bytes, int length) {
        boolean changed = false;
        for (int i = length / 8; i < bytes.length; i++) {
            int keep = i == length / 8 ? 0xff << (8 - length % 8) : 0; // the first partial byte keeps its top length % 8 bits
            byte masked = (byte) (bytes[i] & keep);
            changed |= masked != bytes[i];
            bytes[i] = masked;
        }
        return changed;
    }

    /*
     * Written out rather than left to the record: its generated equals and hashCode run through method
     * handles, which cost a microsecond or more a call until compiled, and a reconcile pass in a fresh JVM
     * hashes and compares thousands of prefixes (maps keyed by subnet, every Route and Lease checked to
     * be a network).
     */
    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof IpPrefix prefix && length == prefix.length && address.equals(prefix.address);
    }

    @Override
    public int hashCode() {
        return 31 * address.hashCode() + length;
    }

    @Override
    public String toString() {
        return formatAddress(address) + "/" + length;
    }
}
