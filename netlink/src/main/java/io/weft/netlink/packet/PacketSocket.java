package io.weft.netlink.packet;

import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;

import static io.weft.netlink.sys.Kernel.*;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A packet socket ({@code AF_PACKET}, {@code SOCK_RAW}) that sees every frame crossing one interface in
 * either direction, Ethernet header included: what {@code tcpdump -i DEV} sees. It lives in the network
 * namespace of the thread that opens it, so open it inside {@code NetNamespace.call}; receiving then
 * works from any thread, one at a time. Needs {@code CAP_NET_RAW}.
 */
public final class PacketSocket implements AutoCloseable {
    private static final int BUFFER_SIZE = 65536;
    private static final ValueLayout.OfShort NETWORK_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final int fd;
    private final int ifindex;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER_SIZE, 8);
    private final MemorySegment from = arena.allocate(SIZEOF_SOCKADDR_LL, 4);
    private boolean closed;

    /**
     * A frame as captured.
     *
     * @param ifindex the interface it crossed
     * @param protocol its EtherType ({@code ETH_P_IP}, {@code ETH_P_ARP}…)
     * @param packetType the {@code PACKET_*} class: host, broadcast, multicast, other host, outgoing
     * @param bytes the frame from the destination MAC on, cut at 64 KiB
     */
    public record Frame(int ifindex, int protocol, int packetType, byte[] bytes) {
        public Frame {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** Sent out of the interface ({@code PACKET_OUTGOING}), rather than received on it. */
        public boolean outgoing() {
            return packetType == PACKET_OUTGOING;
        }
    }

    private PacketSocket(int fd, int ifindex) {
        this.fd = fd;
        this.ifindex = ifindex;
    }

    /**
     * Opens a socket capturing every frame of interface {@code ifindex} (in the calling thread's namespace).
     * {@link #receive} waits at most {@code receiveTimeout} for a frame.
     */
    public static PacketSocket open(int ifindex, Duration receiveTimeout) {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("a packet socket needs an interface index, not " + ifindex);
        }
        // protocol 0: nothing arrives until bind names the interface, so no frame of another one slips in
        PacketSocket socket = new PacketSocket(Syscalls.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), ifindex);
        try {
            socket.setReceiveTimeout(receiveTimeout);
            try (Arena local = Arena.ofConfined()) {
                MemorySegment address = local.allocate(SIZEOF_SOCKADDR_LL, 4);
                address.set(JAVA_SHORT_UNALIGNED, OFFSETOF_SLL_FAMILY, (short) AF_PACKET);
                address.set(NETWORK_SHORT, OFFSETOF_SLL_PROTOCOL, (short) ETH_P_ALL);
                address.set(JAVA_INT_UNALIGNED, OFFSETOF_SLL_IFINDEX, ifindex);
                Syscalls.bind(socket.fd, address);
            }
            return socket;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * The next frame, or empty when none came within the receive timeout. A {@link SyscallException}
     * with ENETDOWN when the interface is down, or went down since the last receive.
     */
    public synchronized Optional<Frame> receive() {
        if (closed) {
            throw new IllegalStateException("packet socket on interface " + ifindex + " is closed");
        }
        long length;
        try {
            length = Syscalls.recvfrom(fd, buffer, MSG_TRUNC, from);
        } catch (SyscallException e) {
            if (e.errno() == EAGAIN /* SO_RCVTIMEO expired */ || e.errno() == EINTR) {
                return Optional.empty();
            }
            throw e;
        }
        byte[] bytes = buffer.asSlice(0, Math.min(length, BUFFER_SIZE)).toArray(ValueLayout.JAVA_BYTE);
        return Optional.of(new Frame(from.get(JAVA_INT_UNALIGNED, OFFSETOF_SLL_IFINDEX),
                Short.toUnsignedInt(from.get(NETWORK_SHORT, OFFSETOF_SLL_PROTOCOL)),
                Byte.toUnsignedInt(from.get(ValueLayout.JAVA_BYTE, OFFSETOF_SLL_PKTTYPE)), bytes));
    }

    private void setReceiveTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("receive timeout " + timeout + " must be positive (zero would wait forever)");
        }
        try (Arena local = Arena.ofConfined()) {
            MemorySegment timeval = local.allocate(SIZEOF_TIMEVAL, 8);
            timeval.set(JAVA_LONG, 0, timeout.toSeconds());
            long micros = timeout.toNanosPart() / 1000;
            timeval.set(JAVA_LONG, OFFSETOF_TV_USEC, timeout.toSeconds() == 0 && micros == 0 ? 1 : micros);
            Syscalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                Syscalls.close(fd);
            } finally {
                arena.close();
            }
        }
    }
}
