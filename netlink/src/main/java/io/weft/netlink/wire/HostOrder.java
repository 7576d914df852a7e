package io.weft.netlink.wire;

import java.nio.ByteOrder;

/**
 * Reads and writes the 16- and 32-bit fields of netlink messages, which are in the host's byte order,
 * in a byte array. Messages are put together and read in plain arrays, not in the socket's native memory:
 * array code runs fast from its first call, where an access to a {@code MemorySegment} goes through
 * layers of var handles that take microseconds each until compiled, and a cold agent's first pass
 * encodes thousands of messages. A datagram is copied to or from native memory once, whole.
 */
final class HostOrder {
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private HostOrder() {}

    static int u16(byte[] array, int offset) {
        int first = array[offset] & 0xff;
        int second = array[offset + 1] & 0xff;
        return LITTLE_ENDIAN ? first | second << 8 : first << 8 | second;
    }

    static int u16BigEndian(byte[] array, int offset) {
        return (array[offset] & 0xff) << 8 | (array[offset + 1] & 0xff);
    }

    static int u32(byte[] array, int offset) {
        return LITTLE_ENDIAN ? u16(array, offset) | u16(array, offset + 2) << 16
                : u16(array, offset) << 16 | u16(array, offset + 2);
    }

    static void put16(byte[] array, int offset, int value) {
        array[offset] = (byte) (LITTLE_ENDIAN ? value : value >>> 8);
        array[offset + 1] = (byte) (LITTLE_ENDIAN ? value >>> 8 : value);
    }

    static void put16BigEndian(byte[] array, int offset, int value) {
        array[offset] = (byte) (value >>> 8);
        array[offset + 1] = (byte) value;
    }

    static void put32(byte[] array, int offset, int value) {
        put16(array, offset + (LITTLE_ENDIAN ? 0 : 2), value);
        put16(array, offset + (LITTLE_ENDIAN ? 2 : 0), value >>> 16);
    }
}
