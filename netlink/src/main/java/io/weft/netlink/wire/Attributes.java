package io.weft.netlink.wire;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.weft.netlink.sys.Kernel.NLA_F_NESTED;
import static io.weft.netlink.sys.Kernel.NLA_HDRLEN;
import static io.weft.netlink.sys.Kernel.NLA_TYPE_MASK;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The attributes of a message or of a nested attribute, read in place in an array ({@link HostOrder}
 * says why). Lookup by type returns the last occurrence, as the kernel's own parser does; {@link #all()}
 * keeps every one in order.
 */
public final class Attributes {
    private static final int ABSENT = -1;

    /** One attribute: its type (flags masked off), whether it was marked nested, and its value bytes. */
    public record Attribute(int type, boolean nestedFlag, MemorySegment value) {
        public byte[] bytes() {
            return value.toArray(JAVA_BYTE);
        }
    }

    private final byte[] array;
    private final int start;
    private final int end;
    /** By type: where the value of the last attribute of that type starts in {@link #array}, or {@link #ABSENT}. */
    private int[] valueOffsets = new int[0];
    private int[] valueLengths = new int[0];

    private Attributes(byte[] array, int start, int end) {
        this.array = array;
        this.start = start;
        this.end = end;
    }

    /**
     * Parses a region holding attributes back to back. A truncated attribute, even just a few bytes
     * of a header at the end, is an error: the message was cut short or misread.
     */
    public static Attributes parse(MemorySegment region) {
        byte[] bytes = region.toArray(JAVA_BYTE);
        return parse(bytes, 0, bytes.length);
    }

    /** Parses {@code length} bytes of {@code array} from {@code offset}, as {@link #parse(MemorySegment)} does. */
    static Attributes parse(byte[] array, int offset, int length) {
        Attributes attributes = new Attributes(array, offset, offset + length);
        for (int at = offset; at < attributes.end; ) {
            int attributeLength = attributes.checkedLength(at);
            int type = HostOrder.u16(array, at + 2) & NLA_TYPE_MASK;
            attributes.remember(type, at + NLA_HDRLEN, attributeLength - NLA_HDRLEN);
            at += Message.align(attributeLength);
        }
        return attributes;
    }

    /** The length of the attribute at {@code at}, checked to fit the region. */
    private int checkedLength(int at) {
        if (at + NLA_HDRLEN > end) {
            throw malformed(at, (end - at) + " bytes left, less than an attribute header");
        }
        int length = HostOrder.u16(array, at);
        if (length < NLA_HDRLEN || at + length > end) {
            throw malformed(at, "length " + length);
        }
        return length;
    }

    private void remember(int type, int valueOffset, int valueLength) {
        if (type >= valueOffsets.length) {
            int size = Math.max(type + 1, 32);
            int old = valueOffsets.length;
            valueOffsets = Arrays.copyOf(valueOffsets, size);
            valueLengths = Arrays.copyOf(valueLengths, size);
            Arrays.fill(valueOffsets, old, size, ABSENT);
        }
        valueOffsets[type] = valueOffset;
        valueLengths[type] = valueLength;
    }

    private IllegalArgumentException malformed(int at, String problem) {
        return new IllegalArgumentException("malformed netlink attribute at offset " + (at - start) + " in a region of "
                + (end - start) + " bytes: " + problem);
    }

    /** Every attribute, in order, each with a copy of its value. */
    public List<Attribute> all() {
        List<Attribute> all = new ArrayList<>();
        for (int at = start; at < end; ) {
            int length = checkedLength(at);
            int rawType = HostOrder.u16(array, at + 2);
            byte[] value = Arrays.copyOfRange(array, at + NLA_HDRLEN, at + length);
            all.add(new Attribute(rawType & NLA_TYPE_MASK, (rawType & NLA_F_NESTED) != 0, MemorySegment.ofArray(value)));
            at += Message.align(length);
        }
        return all;
    }

    public boolean has(int type) {
        return offset(type) != ABSENT;
    }

    /** Where the value of the last attribute of this type starts, or {@link #ABSENT}. */
    private int offset(int type) {
        return type < valueOffsets.length ? valueOffsets[type] : ABSENT;
    }

    public int u8(int type, int absent) {
        int at = offset(type);
        return at == ABSENT ? absent : array[at] & 0xff;
    }

    public int u16(int type, int absent) {
        int at = offset(type);
        return at == ABSENT ? absent : HostOrder.u16(array, at);
    }

    public int u16BigEndian(int type, int absent) {
        int at = offset(type);
        return at == ABSENT ? absent : HostOrder.u16BigEndian(array, at);
    }

    public int u32(int type, int absent) {
        int at = offset(type);
        return at == ABSENT ? absent : HostOrder.u32(array, at);
    }

    /** A string attribute without its terminating NUL, or null. */
    public String string(int type) {
        int at = offset(type);
        if (at == ABSENT) {
            return null;
        }
        int stop = at + valueLengths[type];
        int nul = at;
        while (nul < stop && array[nul] != 0) {
            nul++;
        }
        return new String(array, at, nul - at, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        int at = offset(type);
        return at == ABSENT ? null : Arrays.copyOfRange(array, at, at + valueLengths[type]);
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
        int at = offset(type);
        return at == ABSENT ? new Attributes(array, 0, 0) : parse(array, at, valueLengths[type]);
    }
}
