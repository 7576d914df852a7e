package io.weft.netlink.wire;

import io.weft.netlink.NetlinkException;
import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import static io.weft.netlink.sys.Kernel.AF_NETLINK;
import static io.weft.netlink.sys.Kernel.EAGAIN;
import static io.weft.netlink.sys.Kernel.EINTR;
import static io.weft.netlink.sys.Kernel.ENOBUFS;
import static io.weft.netlink.sys.Kernel.NETLINK_ADD_MEMBERSHIP;
import static io.weft.netlink.sys.Kernel.NETLINK_CAP_ACK;
import static io.weft.netlink.sys.Kernel.NETLINK_EXT_ACK;
import static io.weft.netlink.sys.Kernel.NETLINK_ROUTE;
import static io.weft.netlink.sys.Kernel.NLMSGERR_ATTR_MSG;
import static io.weft.netlink.sys.Kernel.NLMSG_DONE;
import static io.weft.netlink.sys.Kernel.NLMSG_ERROR;
import static io.weft.netlink.sys.Kernel.NLMSG_NOOP;
import static io.weft.netlink.sys.Kernel.NLMSG_OVERRUN;
import static io.weft.netlink.sys.Kernel.NLM_F_ACK;
import static io.weft.netlink.sys.Kernel.NLM_F_ACK_TLVS;
import static io.weft.netlink.sys.Kernel.NLM_F_CAPPED;
import static io.weft.netlink.sys.Kernel.NLM_F_DUMP;
import static io.weft.netlink.sys.Kernel.NLM_F_DUMP_INTR;
import static io.weft.netlink.sys.Kernel.NLM_F_REQUEST;
import static io.weft.netlink.sys.Kernel.SIZEOF_NLMSGHDR;
import static io.weft.netlink.sys.Kernel.SIZEOF_SOCKADDR_NL;
import static io.weft.netlink.sys.Kernel.SOCK_CLOEXEC;
import static io.weft.netlink.sys.Kernel.SOCK_RAW;
import static io.weft.netlink.sys.Kernel.SOL_NETLINK;
import static io.weft.netlink.sys.Kernel.SOL_SOCKET;
import static io.weft.netlink.sys.Kernel.SO_RCVBUF;
import static io.weft.netlink.sys.Kernel.SO_RCVTIMEO;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A {@code NETLINK_ROUTE} socket in the network namespace of the thread that opened it. Requests
 * carry increasing sequence numbers and ask for an ACK; errors come back with the kernel's
 * extended-ACK message. Dumps are read to {@code NLMSG_DONE} and retried when the kernel marks them
 * interrupted. One request at a time per socket (or one batch, {@link #executeAll}): the methods are
 * synchronized, so a socket may be shared by threads.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int DUMP_ATTEMPTS = 10;
    /**
     * Requests per datagram in {@link #executeAll}. The kernel answers a refused request even unasked,
     * and drops answers that do not fit the receive buffer (208 KiB by default, each answer taking about
     * 1 KiB of it): 64 leave room for every one to be refused, and still make the two system calls per
     * datagram a small share of the kernel's work per request.
     */
    private static final int REQUESTS_PER_DATAGRAM = 64;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment receiveBuffer = arena.allocate(BUFFER_SIZE, 8);
    private byte[] received = new byte[8 * 1024]; // the last datagram, copied out of receiveBuffer: grows as datagrams do
    private final MemorySegment kernelAddress = arena.allocate(SIZEOF_SOCKADDR_NL, 4);
    private final MessageWriter writer = new MessageWriter(arena.allocate(BUFFER_SIZE, 8));
    private MemorySegment batchBuffer; // allocated by the first executeAll
    private byte[] datagram; // where executeAll puts a datagram together: plain array code is fast from the first call
    private int sequence = (int) (System.nanoTime() & 0x3fffffff);
    private boolean closed;

    private NetlinkSocket(int fd) {
        this.fd = fd;
        kernelAddress.set(JAVA_SHORT_UNALIGNED, 0, (short) AF_NETLINK);
    }

    /** Opens a socket for requests in the calling thread's network namespace. */
    public static NetlinkSocket open() {
        return open(new int[0]);
    }

    /** Opens a socket that also receives the multicast groups given ({@code RTNLGRP_*} numbers). */
    public static NetlinkSocket open(int... groups) {
        int fd = Syscalls.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        NetlinkSocket socket = new NetlinkSocket(fd);
        try {
            Syscalls.setsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
            Syscalls.setsockoptInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
            try (Arena local = Arena.ofConfined()) {
                MemorySegment address = local.allocate(SIZEOF_SOCKADDR_NL, 4);
                address.set(JAVA_SHORT_UNALIGNED, 0, (short) AF_NETLINK);
                Syscalls.bind(fd, address);
            }
            for (int group : groups) {
                Syscalls.setsockoptInt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
            }
            if (groups.length > 0) {
                Syscalls.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, 4 * 1024 * 1024);
            }
            return socket;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends one request and waits for its ACK.
     *
     * @param object what the request is about, for the error message ("weft.1", a Route…); its
     *     {@code toString} is called only when the request fails, keeping the success path cheap
     */
    public synchronized void execute(int type, int flags, Object object, Consumer<MessageWriter> body) {
        int seq = send(type, flags | NLM_F_ACK, body);
        receive(seq, type, object, message -> { });
    }

    /** Sends one request and waits for its ACK. */
    public void execute(Request request) {
        execute(request.type(), request.flags(), request.object(), request.body());
    }

    /** Why one request of a batch was refused: its index in the batch, and the kernel's answer. */
    public record Failure(int index, NetlinkException error) {}

    /**
     * Sends the requests in their order, many to a datagram, and returns those the kernel refused. The
     * kernel handles them one after the other as if each was sent alone: a refused request does not
     * stop the ones after it. Only the last request of a datagram asks for an ACK; the others are
     * answered only when refused, so a datagram costs one send and, when everything succeeds, one
     * receive. Should the kernel drop answers anyway ({@code ENOBUFS}), the requests of that datagram
     * not yet answered are reported with {@code ENOBUFS}: whether they were made is not known.
     */
    public synchronized List<Failure> executeAll(List<Request> requests) {
        if (batchBuffer == null) {
            batchBuffer = arena.allocate(BUFFER_SIZE, 8);
            datagram = new byte[BUFFER_SIZE];
        }
        List<Failure> failures = new ArrayList<>();
        int next = 0;
        while (next < requests.size()) {
            int first = next;
            int firstSeq = sequence + 1;
            int length = 0;
            int lastOffset = 0;
            while (next < requests.size() && next - first < REQUESTS_PER_DATAGRAM) {
                Request request = requests.get(next);
                start(request.type(), request.flags(), request.body(), sequence + 1);
                int end = length + Message.align(writer.length()); // the kernel finds the next message there
                if (end > datagram.length) {
                    break; // the next datagram's first
                }
                sequence++;
                int written = writer.finishInto(datagram, length);
                Arrays.fill(datagram, length + written, end, (byte) 0);
                lastOffset = length;
                length = end;
                next++;
            }
            MessageWriter.addFlags(datagram, lastOffset, NLM_F_ACK);
            MemorySegment.copy(datagram, 0, batchBuffer, JAVA_BYTE, 0, length);
            Syscalls.sendto(fd, batchBuffer, length, 0, kernelAddress);
            receiveBatch(requests, first, firstSeq, sequence, failures);
        }
        return failures;
    }

    /** Reads the refusals of requests {@code firstSeq..lastSeq} (the first being {@code requests[first]}) until the last one's answer. */
    private void receiveBatch(List<Request> requests, int first, int firstSeq, int lastSeq, List<Failure> failures) {
        boolean[] answered = new boolean[lastSeq - firstSeq + 1];
        while (true) {
            int length;
            try {
                length = receiveDatagram();
            } catch (SyscallException e) {
                if (e.errno() != ENOBUFS) {
                    throw e;
                }
                for (int i = 0; i < answered.length; i++) {
                    if (!answered[i]) {
                        Request request = requests.get(first + i);
                        failures.add(new Failure(first + i, new NetlinkException(MessageTypes.name(request.type()),
                                String.valueOf(request.object()), ENOBUFS, "the kernel dropped answers: whether this was done is not known")));
                    }
                }
                return; // an answer still queued comes with a sequence number no later request has: skipped
            }
            int offset = 0;
            while (offset + SIZEOF_NLMSGHDR <= length) {
                Message message = messageAt(offset, length);
                offset += Message.align(message.length());
                int seq = message.sequence();
                if (message.type() != NLMSG_ERROR || Integer.compareUnsigned(seq - firstSeq, lastSeq - firstSeq) > 0) {
                    continue; // a late answer to an earlier request: not ours
                }
                int index = seq - firstSeq;
                answered[index] = true;
                int error = -message.u32(0);
                if (error != 0) {
                    Request request = requests.get(first + index);
                    failures.add(new Failure(first + index, new NetlinkException(MessageTypes.name(request.type()),
                            String.valueOf(request.object()), error, extendedAckMessage(message))));
                }
                if (seq == lastSeq) {
                    return; // answers come in order: every refusal before it has been read
                }
            }
        }
    }

    /** Sends a request that the kernel answers with one message (a GET), and decodes that answer. */
    public synchronized <T> T query(int type, int flags, Object object, Consumer<MessageWriter> body, Function<Message, T> decoder) {
        int seq = send(type, flags | NLM_F_ACK, body);
        List<T> answers = new ArrayList<>(1);
        receive(seq, type, object, message -> answers.add(decoder.apply(message)));
        if (answers.isEmpty()) {
            throw new IllegalStateException(MessageTypes.name(type) + " " + object + ": the kernel acknowledged without an answer");
        }
        return answers.getFirst();
    }

    /**
     * Dumps a table: every message until {@code NLMSG_DONE}, each decoded in place (null results are
     * dropped). A dump the kernel marks inconsistent ({@code NLM_F_DUMP_INTR}) is repeated.
     */
    public synchronized <T> List<T> dump(int type, Object object, Consumer<MessageWriter> body, Function<Message, T> decoder) {
        for (int attempt = 1; ; attempt++) {
            int seq = send(type, NLM_F_DUMP, body);
            List<T> results = new ArrayList<>();
            boolean interrupted = receive(seq, type, object, message -> {
                T decoded = decoder.apply(message);
                if (decoded != null) {
                    results.add(decoded);
                }
            });
            if (!interrupted) {
                return results;
            }
            if (attempt == DUMP_ATTEMPTS) {
                throw new NetlinkException(MessageTypes.name(type), String.valueOf(object), EINTR,
                        "dump still inconsistent after " + DUMP_ATTEMPTS + " attempts (NLM_F_DUMP_INTR)");
            }
        }
    }

    /**
     * Receives one datagram of multicast notifications and hands each message to {@code handler}.
     * Returns false when the receive timed out (see {@link #receiveTimeout}).
     *
     * @throws SyscallException with ENOBUFS when the kernel dropped notifications: resynchronise by dumping
     */
    public boolean receiveNotifications(Consumer<Message> handler) {
        int length;
        try {
            length = receiveDatagram();
        } catch (SyscallException e) {
            if (e.errno() == EAGAIN /* SO_RCVTIMEO expired */) {
                return false;
            }
            throw e;
        }
        forEachMessage(length, handler);
        return true;
    }

    /** Makes {@link #receiveNotifications} return after at most this many milliseconds without data. */
    public void receiveTimeout(int millis) {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment timeval = local.allocate(16, 8);
            timeval.set(JAVA_LONG, 0, millis / 1000);
            timeval.set(JAVA_LONG, 8, (millis % 1000) * 1000L);
            Syscalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval);
        }
    }

    private int send(int type, int flags, Consumer<MessageWriter> body) {
        int seq = ++sequence;
        start(type, flags, body, seq);
        MemorySegment message = writer.finish();
        Syscalls.sendto(fd, message, message.byteSize(), 0, kernelAddress);
        return seq;
    }

    /** Writes a request into the writer, to be finished by the caller. */
    private void start(int type, int flags, Consumer<MessageWriter> body, int seq) {
        if (closed) {
            throw new IllegalStateException("netlink socket is closed");
        }
        writer.start(type, flags | NLM_F_REQUEST);
        writer.sequence(seq);
        body.accept(writer);
    }

    /** Reads replies to {@code seq} until its ACK, error or NLMSG_DONE; returns whether a dump was interrupted. */
    private boolean receive(int seq, int type, Object object, Consumer<Message> handler) {
        boolean interrupted = false;
        while (true) {
            int length = receiveDatagram();
            int offset = 0;
            while (offset + SIZEOF_NLMSGHDR <= length) {
                Message message = messageAt(offset, length);
                offset += Message.align(message.length());
                if (message.sequence() != seq) {
                    continue; // a late reply to an earlier request: not ours
                }
                if ((message.flags() & NLM_F_DUMP_INTR) != 0) {
                    interrupted = true;
                }
                switch (message.type()) {
                    case NLMSG_NOOP -> { }
                    case NLMSG_DONE -> {
                        return interrupted;
                    }
                    case NLMSG_OVERRUN -> throw new NetlinkException(MessageTypes.name(type), String.valueOf(object), ENOBUFS, "netlink overrun");
                    case NLMSG_ERROR -> {
                        int error = -message.u32(0);
                        if (error != 0) {
                            throw new NetlinkException(MessageTypes.name(type), String.valueOf(object), error, extendedAckMessage(message));
                        }
                        return interrupted;
                    }
                    default -> handler.accept(message);
                }
            }
        }
    }

    private void forEachMessage(int length, Consumer<Message> handler) {
        int offset = 0;
        while (offset + SIZEOF_NLMSGHDR <= length) {
            Message message = messageAt(offset, length);
            handler.accept(message);
            offset += Message.align(message.length());
        }
    }

    /** Receives one datagram and copies it into {@link #received}, where its messages are read; returns its length. */
    private int receiveDatagram() {
        long length = Syscalls.recv(fd, receiveBuffer, 0);
        if (length > BUFFER_SIZE) {
            throw new IllegalStateException("netlink datagram of " + length + " bytes exceeds the receive buffer");
        }
        if (length > received.length) {
            received = new byte[(int) Math.min(BUFFER_SIZE, Math.max(length, 2L * received.length))];
        }
        MemorySegment.copy(receiveBuffer, JAVA_BYTE, 0, received, 0, (int) length);
        return (int) length;
    }

    private Message messageAt(int offset, int datagramLength) {
        int messageLength = HostOrder.u32(received, offset);
        if (messageLength < SIZEOF_NLMSGHDR || messageLength > datagramLength - offset) { // not offset + length: it could overflow
            throw new IllegalStateException("malformed netlink message of length " + messageLength + " at offset " + offset);
        }
        return new Message(received, offset);
    }

    /** The {@code NLMSGERR_ATTR_MSG} text after a {@code struct nlmsgerr}, or null. */
    private static String extendedAckMessage(Message error) {
        if ((error.flags() & NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        int requestLength = error.u32(4);
        int tlvOffset = 4 + ((error.flags() & NLM_F_CAPPED) != 0 ? SIZEOF_NLMSGHDR : Message.align(requestLength));
        if (SIZEOF_NLMSGHDR + tlvOffset >= error.length()) {
            return null;
        }
        return error.attributesAt(SIZEOF_NLMSGHDR + tlvOffset).string(NLMSGERR_ATTR_MSG);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Syscalls.close(fd);
            arena.close();
        }
    }
}
