package io.weft.netlink.wire;

import java.lang.foreign.MemorySegment;

import static io.weft.netlink.sys.Kernel.NLMSG_ALIGNTO;
import static io.weft.netlink.sys.Kernel.SIZEOF_NLMSGHDR;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A view of one received netlink message, in place in the socket's copy of the datagram: valid only
 * until the socket receives again, so decode it into a record before returning.
 */
public final class Message {
    private final byte[] array;
    private final int offset;

    /** The message starting at {@code offset} of {@code array}; its header's length has been checked to fit. */
    Message(byte[] array, int offset) {
        this.array = array;
        this.offset = offset;
    }

    /** Wraps a whole encoded message (header included), e.g. the output of {@link MessageWriter#finish()}. */
    public static Message wrap(MemorySegment segment) {
        return new Message(segment.toArray(JAVA_BYTE), 0);
    }

    static int align(int length) {
        return (length + NLMSG_ALIGNTO - 1) & -NLMSG_ALIGNTO;
    }

    public int length() {
        return HostOrder.u32(array, offset);
    }

    public int type() {
        return HostOrder.u16(array, offset + 4);
    }

    public int flags() {
        return HostOrder.u16(array, offset + 6);
    }

    public int sequence() {
        return HostOrder.u32(array, offset + 8);
    }

    public int u8(int payloadOffset) {
        return array[offset + SIZEOF_NLMSGHDR + payloadOffset] & 0xff;
    }

    public int u16(int payloadOffset) {
        return HostOrder.u16(array, offset + SIZEOF_NLMSGHDR + payloadOffset);
    }

    public int u32(int payloadOffset) {
        return HostOrder.u32(array, offset + SIZEOF_NLMSGHDR + payloadOffset);
    }

    /** The attributes that follow a family header of {@code headerSize} bytes. */
    public Attributes attributes(int headerSize) {
        return attributesAt(SIZEOF_NLMSGHDR + align(headerSize));
    }

    /** The attributes from {@code start} bytes into the message (header included) to its end. */
    Attributes attributesAt(int start) {
        return Attributes.parse(array, offset + start, Math.max(0, length() - start));
    }
}
