package io.weft.netlink;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/** An Ethernet hardware address (6 bytes), printed as {@code 0e:12:34:56:78:9a}. */
public record MacAddress(byte[] bytes) {
    private static final HexFormat FORMAT = HexFormat.ofDelimiter(":");

    public MacAddress {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        bytes = bytes.clone();
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (case-insensitive). */
    public static MacAddress parse(String text) {
        if (!text.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\" (expected aa:bb:cc:dd:ee:ff)");
        }
        return new MacAddress(FORMAT.parseHex(text));
    }

    /** A random locally administered unicast address, as the kernel would pick. */
    public static MacAddress random(RandomGenerator random) {
        byte[] bytes = new byte[6];
        random.nextBytes(bytes);
        bytes[0] = (byte) ((bytes[0] & 0xfe) | 0x02);
        return new MacAddress(bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MacAddress mac && Arrays.equals(bytes, mac.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return FORMAT.formatHex(bytes);
    }
}
