package io.weft.netlink.wire;

import java.lang.foreign.MemorySegment;

import static io.weft.netlink.sys.Kernel.NLMSG_ALIGNTO;
import static io.weft.netlink.sys.Kernel.SIZEOF_NLMSGHDR;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A view of one received netlink message, in place in the socket's receive buffer: valid only until
 * the socket receives again, so decode it into a record before returning.
 */
public final class Message {
    private final MemorySegment segment;

    Message(MemorySegment segment) {
        this.segment = segment;
    }

    /** Wraps a whole encoded message (header included), e.g. the output of {@link MessageWriter#finish()}. */
    public static Message wrap(MemorySegment segment) {
        return new Message(segment);
    }

    static int align(int length) {
        return (length + NLMSG_ALIGNTO - 1) & -NLMSG_ALIGNTO;
    }

    public int length() {
        return segment.get(JAVA_INT_UNALIGNED, 0);
    }

    public int type() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT_UNALIGNED, 4));
    }

    public int flags() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT_UNALIGNED, 6));
    }

    public int sequence() {
        return segment.get(JAVA_INT_UNALIGNED, 8);
    }

    /** Everything after the {@code nlmsghdr}. */
    public MemorySegment payload() {
        return segment.asSlice(SIZEOF_NLMSGHDR, length() - SIZEOF_NLMSGHDR);
    }

    public int u8(int payloadOffset) {
        return Byte.toUnsignedInt(segment.get(JAVA_BYTE, SIZEOF_NLMSGHDR + payloadOffset));
    }

    public int u16(int payloadOffset) {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT_UNALIGNED, SIZEOF_NLMSGHDR + payloadOffset));
    }

    public int u32(int payloadOffset) {
        return segment.get(JAVA_INT_UNALIGNED, SIZEOF_NLMSGHDR + payloadOffset);
    }

    /** The attributes that follow a family header of {@code headerSize} bytes. */
    public Attributes attributes(int headerSize) {
        int start = SIZEOF_NLMSGHDR + align(headerSize);
        return Attributes.parse(segment.asSlice(start, Math.max(0, length() - start)));
    }
}
