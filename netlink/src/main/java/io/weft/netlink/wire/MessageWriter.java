package io.weft.netlink.wire;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.weft.netlink.sys.Kernel.NLA_HDRLEN;
import static io.weft.netlink.sys.Kernel.SIZEOF_NLMSGHDR;
import static io.weft.netlink.wire.HostOrder.put16;
import static io.weft.netlink.wire.HostOrder.put16BigEndian;
import static io.weft.netlink.wire.HostOrder.put32;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Writes one netlink message: the {@code nlmsghdr}, a family header, then attributes padded to 4 bytes.
 * A nested attribute remembers where it starts and has its length patched when it is closed. The
 * message is put together in an array ({@link HostOrder} says why) and copied whole into the native
 * buffer by {@link #finish}, or into a batch's datagram. Mutable by design: one writer per socket,
 * reused for every request.
 */
public final class MessageWriter {
    /** {@code nla_len} is a u16. */
    private static final int MAX_ATTRIBUTE_LENGTH = 0xffff;

    private final MemorySegment buffer;
    private byte[] bytes = new byte[4096]; // grows up to the buffer's size
    private int position;

    public MessageWriter(MemorySegment buffer) {
        this.buffer = buffer;
    }

    /** Starts a new message, discarding the previous one. The sequence number is set by {@link #sequence}. */
    public MessageWriter start(int type, int flags) {
        Arrays.fill(bytes, 0, SIZEOF_NLMSGHDR, (byte) 0);
        position = SIZEOF_NLMSGHDR;
        put16(bytes, 4, type);
        put16(bytes, 6, flags);
        return this;
    }

    void sequence(int sequence) {
        put32(bytes, 8, sequence);
    }

    /** The finished message: its header's length field is set to the bytes written. */
    public MemorySegment finish() {
        put32(bytes, 0, position);
        MemorySegment.copy(bytes, 0, buffer, JAVA_BYTE, 0, position);
        return buffer.asSlice(0, position);
    }

    /** The bytes written so far. */
    int length() {
        return position;
    }

    /** Sets {@code flags} in the header of the finished message at {@code offset} of {@code messages}. */
    static void addFlags(byte[] messages, int offset, int flags) {
        put16(messages, offset + 6, HostOrder.u16(messages, offset + 6) | flags);
    }

    /**
     * Finishes the message as {@link #finish} does, but copies it into {@code target} at {@code offset}
     * instead: how a batch puts many messages into one datagram. Returns the message's length.
     */
    int finishInto(byte[] target, int offset) {
        put32(bytes, 0, position);
        System.arraycopy(bytes, 0, target, offset, position);
        return position;
    }

    // ---- family headers: fixed structs written field by field ----

    /** {@code struct ifinfomsg}: family, pad, type, index, flags, change. */
    public MessageWriter ifinfomsg(int family, int index, int flags, int change) {
        u8(family).u8(0).u16(0).u32(index).u32(flags).u32(change);
        return this;
    }

    /** {@code struct ifaddrmsg}: family, prefixlen, flags, scope, index. */
    public MessageWriter ifaddrmsg(int family, int prefixLength, int flags, int scope, int index) {
        return u8(family).u8(prefixLength).u8(flags).u8(scope).u32(index);
    }

    /** {@code struct rtmsg} without a source prefix: family, dst_len, src_len 0, tos, table, protocol, scope, type, flags. */
    public MessageWriter rtmsg(int family, int dstLength, int table, int protocol, int scope, int type, int flags) {
        return rtmsg(family, dstLength, 0, table, protocol, scope, type, flags);
    }

    /** {@code struct rtmsg} with a source prefix length, as a lookup from a given source sends it. */
    public MessageWriter rtmsg(int family, int dstLength, int srcLength, int table, int protocol, int scope, int type, int flags) {
        return u8(family).u8(dstLength).u8(srcLength).u8(0).u8(table).u8(protocol).u8(scope).u8(type).u32(flags);
    }

    /** {@code struct ndmsg}: family, pad1, pad2, ifindex, state, flags, type. */
    public MessageWriter ndmsg(int family, int index, int state, int flags, int type) {
        return u8(family).u8(0).u16(0).u32(index).u16(state).u8(flags).u8(type);
    }

    // ---- raw fields ----

    public MessageWriter u8(int value) {
        ensure(1);
        bytes[position] = (byte) value;
        position += 1;
        return this;
    }

    public MessageWriter u16(int value) {
        ensure(2);
        put16(bytes, position, value);
        position += 2;
        return this;
    }

    public MessageWriter u32(int value) {
        ensure(4);
        put32(bytes, position, value);
        position += 4;
        return this;
    }

    public MessageWriter bytes(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, bytes, position, value.length);
        position += value.length;
        return this;
    }

    // ---- attributes ----

    public MessageWriter attribute(int type, byte[] value) {
        int start = openAttribute(type);
        bytes(value);
        closeAttribute(start);
        return this;
    }

    public MessageWriter attributeFlag(int type) {
        closeAttribute(openAttribute(type));
        return this;
    }

    public MessageWriter attributeU8(int type, int value) {
        int start = openAttribute(type);
        u8(value);
        closeAttribute(start);
        return this;
    }

    public MessageWriter attributeU16(int type, int value) {
        int start = openAttribute(type);
        u16(value);
        closeAttribute(start);
        return this;
    }

    /** A 16-bit value in network byte order, as the kernel wants for ports. */
    public MessageWriter attributeU16BigEndian(int type, int value) {
        int start = openAttribute(type);
        ensure(2);
        put16BigEndian(bytes, position, value);
        position += 2;
        closeAttribute(start);
        return this;
    }

    public MessageWriter attributeU32(int type, int value) {
        int start = openAttribute(type);
        u32(value);
        closeAttribute(start);
        return this;
    }

    /** A NUL-terminated string, as the kernel expects for names and kinds. */
    public MessageWriter attributeString(int type, String value) {
        int start = openAttribute(type);
        bytes(value.getBytes(StandardCharsets.UTF_8));
        u8(0);
        closeAttribute(start);
        return this;
    }

    /**
     * Opens an attribute that holds other attributes; pass the returned offset to {@link #endNested}.
     * The type is written as given: add {@code NLA_F_NESTED} where the kernel requires it (bridge
     * {@code IFLA_PROTINFO}); like iproute2, Weft leaves it off elsewhere.
     */
    public int beginNested(int type) {
        return openAttribute(type);
    }

    public MessageWriter endNested(int start) {
        closeAttribute(start);
        return this;
    }

    private int openAttribute(int type) {
        align();
        int start = position;
        ensure(NLA_HDRLEN);
        put16(bytes, position + 2, type);
        position += NLA_HDRLEN;
        return start;
    }

    private void closeAttribute(int start) {
        int length = position - start;
        if (length > MAX_ATTRIBUTE_LENGTH) {
            int type = HostOrder.u16(bytes, start + 2);
            throw new IllegalStateException("netlink attribute type " + type + " of " + length
                    + " bytes does not fit its 16-bit length field (at most " + MAX_ATTRIBUTE_LENGTH + ")");
        }
        put16(bytes, start, length);
        align();
    }

    private void align() {
        int aligned = Message.align(position);
        ensure(aligned - position);
        Arrays.fill(bytes, position, aligned, (byte) 0);
        position = aligned;
    }

    private void ensure(int count) {
        int needed = position + count;
        if (needed > buffer.byteSize()) {
            throw new IllegalStateException("netlink message of at least " + needed + " bytes exceeds the "
                    + buffer.byteSize() + "-byte request buffer");
        }
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(buffer.byteSize(), Math.max(needed, 2L * bytes.length)));
        }
    }
}
