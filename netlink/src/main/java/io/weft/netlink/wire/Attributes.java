package io.weft.netlink.wire;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.weft.netlink.sys.Kernel.NLA_F_NESTED;
import static io.weft.netlink.sys.Kernel.NLA_HDRLEN;
import static io.weft.netlink.sys.Kernel.NLA_TYPE_MASK;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The attributes of a message or of a nested attribute, read in place. Lookup by type returns the
 * last occurrence, as the kernel's own parser does; {@link #all()} keeps every one in order.
 */
public final class Attributes {
    /** One attribute: its type (flags masked off), whether it was marked nested, and its value bytes. */
    public record Attribute(int type, boolean nestedFlag, MemorySegment value) {
        public byte[] bytes() {
            return value.toArray(JAVA_BYTE);
        }
    }

    private final List<Attribute> all;
    private MemorySegment[] byType = new MemorySegment[32];

    private Attributes(List<Attribute> all) {
        this.all = all;
        for (Attribute attribute : all) {
            if (attribute.type() >= byType.length) {
                byType = java.util.Arrays.copyOf(byType, attribute.type() + 1);
            }
            byType[attribute.type()] = attribute.value();
        }
    }

    /**
     * Parses a region holding attributes back to back. A truncated attribute, even just a few bytes
     * of a header at the end, is an error: the message was cut short or misread.
     */
    public static Attributes parse(MemorySegment region) {
        List<Attribute> all = new ArrayList<>();
        long offset = 0;
        long size = region.byteSize();
        while (offset < size) {
            if (offset + NLA_HDRLEN > size) {
                throw malformed(offset, size, (size - offset) + " bytes left, less than an attribute header");
            }
            int length = Short.toUnsignedInt(region.get(JAVA_SHORT_UNALIGNED, offset));
            if (length < NLA_HDRLEN || offset + length > size) {
                throw malformed(offset, size, "length " + length);
            }
            int rawType = Short.toUnsignedInt(region.get(JAVA_SHORT_UNALIGNED, offset + 2));
            all.add(new Attribute(rawType & NLA_TYPE_MASK, (rawType & NLA_F_NESTED) != 0,
                    region.asSlice(offset + NLA_HDRLEN, length - NLA_HDRLEN)));
            offset += Message.align(length);
        }
        return new Attributes(all);
    }

    private static IllegalArgumentException malformed(long offset, long size, String problem) {
        return new IllegalArgumentException("malformed netlink attribute at offset " + offset + " in a region of "
                + size + " bytes: " + problem);
    }

    public List<Attribute> all() {
        return all;
    }

    public boolean has(int type) {
        return get(type) != null;
    }

    /** The value of the last attribute of this type, or null. */
    public MemorySegment get(int type) {
        return type < byType.length ? byType[type] : null;
    }

    public int u8(int type, int absent) {
        MemorySegment value = get(type);
        return value == null ? absent : Byte.toUnsignedInt(value.get(JAVA_BYTE, 0));
    }

    public int u16(int type, int absent) {
        MemorySegment value = get(type);
        return value == null ? absent : Short.toUnsignedInt(value.get(JAVA_SHORT_UNALIGNED, 0));
    }

    public int u16BigEndian(int type, int absent) {
        MemorySegment value = get(type);
        return value == null ? absent
                : Short.toUnsignedInt(value.get(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0));
    }

    public int u32(int type, int absent) {
        MemorySegment value = get(type);
        return value == null ? absent : value.get(JAVA_INT_UNALIGNED, 0);
    }

    /** A string attribute without its terminating NUL, or null. */
    public String string(int type) {
        MemorySegment value = get(type);
        if (value == null) {
            return null;
        }
        byte[] bytes = value.toArray(JAVA_BYTE);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        MemorySegment value = get(type);
        return value == null ? null : value.toArray(JAVA_BYTE);
    }

    /** An IPv4 or IPv6 address attribute, or null. */
    public InetAddress address(int type) {
        byte[] bytes = bytes(type);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("attribute " + type + " is not an IP address: " + bytes.length + " bytes", e);
        }
    }

    /** The attributes nested inside attribute {@code type}, or an empty set. */
    public Attributes nested(int type) {
        MemorySegment value = get(type);
        return value == null ? new Attributes(List.of()) : parse(value);
    }
}
