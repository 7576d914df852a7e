package io.weft.lab.trace.probe;

import io.weft.lab.trace.CapturePoint;
import io.weft.lab.trace.Hop;
import io.weft.lab.trace.Trace;
import io.weft.lab.trace.TraceEndpoint;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.packet.PacketSocket;
import io.weft.netlink.sys.SyscallException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code weft trace --probe}: sends one real UDP datagram from the source pod to the destination while
 * packet sockets listen on the path's capture points (the source pod's veth end, the underlay interfaces,
 * the destination's veth end), each opened inside its namespace, and reports the ARP exchanges and the
 * datagram (encapsulated where it crosses in VXLAN) each point saw. When the destination pod is in view a
 * socket bound there tells whether the datagram arrived.
 */
public final class Probe {
    /** How long one receive on a packet socket waits, which bounds how late the capture stops. */
    private static final Duration POLL = Duration.ofMillis(50);
    /** The traceroute port, for a destination the probe cannot bind a socket in. */
    private static final int UNBOUND_PORT = 33434;

    private final Trace trace;
    private final byte[] payload;
    private final Set<Integer> vxlanPorts;

    private Probe(Trace trace) {
        this.trace = trace;
        byte[] nonce = new byte[8];
        new SecureRandom().nextBytes(nonce);
        this.payload = ("weft-trace-probe " + HexFormat.of().formatHex(nonce)).getBytes(StandardCharsets.US_ASCII);
        this.vxlanPorts = trace.steps().stream().filter(step -> step.hop() == Hop.ENCAPSULATION)
                .map(step -> Integer.parseInt(step.fact("udp-port"))).collect(Collectors.toSet());
    }

    /**
     * Sends the datagram and captures until the destination received it, or {@code wait} has passed.
     * Changes no kernel state (the kernel itself may resolve neighbours on the way, as for any packet).
     */
    public static ProbeResult send(Trace trace, Duration wait) {
        return new Probe(trace).run(wait);
    }

    private ProbeResult run(Duration wait) {
        TraceEndpoint source = trace.source();
        TraceEndpoint destination = trace.destination();
        List<Tap> taps = new ArrayList<>();
        try (Receiver receiver = destination.podNetns() == null ? null : Receiver.open(destination, payload)) {
            for (CapturePoint point : trace.capturePoints().stream().distinct().toList()) {
                taps.add(Tap.open(point, frame -> carriesProbe(FrameDecoder.decode(frame.bytes(), vxlanPorts))));
            }
            taps.forEach(Tap::start);
            int port = receiver == null ? UNBOUND_PORT : receiver.port();
            send(source, new InetSocketAddress(destination.ip(), port));
            boolean delivered = receiver != null && receiver.await(wait);
            if (receiver == null && !taps.isEmpty()) {
                taps.getLast().awaitProbe(wait); // no socket to tell arrival: the farthest capture point seeing it will do
            }
            taps.forEach(Tap::stop);
            List<ProbeResult.Capture> captures = taps.stream().map(this::capture).toList();
            String sent = "UDP " + IpPrefix.formatAddress(source.ip()) + " → " + IpPrefix.formatAddress(destination.ip()) + ":" + port
                    + " \"" + new String(payload, StandardCharsets.US_ASCII) + "\"";
            return new ProbeResult(sent, captures, receiver == null ? ProbeResult.Delivery.NOT_OBSERVED
                    : delivered ? ProbeResult.Delivery.DELIVERED : ProbeResult.Delivery.LOST);
        } finally {
            taps.forEach(Tap::close);
        }
    }

    private void send(TraceEndpoint source, InetSocketAddress to) {
        try (NetNamespace pod = NetNamespace.openPath(source.podNetns())) {
            pod.run(() -> {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source.ip(), 0))) {
                    socket.send(new DatagramPacket(payload, payload.length, to));
                } catch (IOException e) {
                    throw new UncheckedIOException("sending the probe from " + source.label() + " to " + to + ": " + e.getMessage(), e);
                }
            });
        }
    }

    /** ARP of any kind, and the probe's own datagram, plain or inside VXLAN; nothing else. */
    private ProbeResult.Capture capture(Tap tap) {
        List<ProbeResult.Observation> observations = new ArrayList<>();
        for (PacketSocket.Frame frame : tap.frames) {
            Packet packet = FrameDecoder.decode(frame.bytes(), vxlanPorts);
            if (packet instanceof Packet.Arp || carriesProbe(packet)) {
                observations.add(new ProbeResult.Observation(frame.outgoing(), packet));
            }
        }
        return new ProbeResult.Capture(tap.point, observations, tap.error);
    }

    private boolean carriesProbe(Packet packet) {
        return switch (packet) {
            case Packet.Datagram datagram -> datagram.carries(payload);
            case Packet.Vxlan vxlan -> carriesProbe(vxlan.inner());
            case null, default -> false;
        };
    }

    /** A packet socket on one capture point and the thread reading it until stopped. */
    private static final class Tap {
        private final CapturePoint point;
        private final PacketSocket socket;
        private final ConcurrentLinkedQueue<PacketSocket.Frame> frames = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final Predicate<PacketSocket.Frame> isProbe;
        private final CountDownLatch probeSeen = new CountDownLatch(1);
        private Thread reader;
        private volatile String error;

        private Tap(CapturePoint point, PacketSocket socket, Predicate<PacketSocket.Frame> isProbe) {
            this.point = point;
            this.socket = socket;
            this.isProbe = isProbe;
        }

        static Tap open(CapturePoint point, Predicate<PacketSocket.Frame> isProbe) {
            if (point.netns() == null) {
                return new Tap(point, PacketSocket.open(point.index(), POLL), isProbe);
            }
            try (NetNamespace namespace = NetNamespace.openPath(point.netns())) {
                return new Tap(point, namespace.call(() -> PacketSocket.open(point.index(), POLL)), isProbe);
            }
        }

        /** Waits until the probe's datagram crossed this point, at most {@code wait}. */
        void awaitProbe(Duration wait) {
            try {
                probeSeen.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void start() {
            reader = Thread.ofPlatform().daemon().name("probe-" + point.label()).start(this::read);
        }

        /** Reads until stopped, then what is still queued. */
        private void read() {
            try {
                boolean more = true;
                while (!stopping.get() || more) {
                    var frame = socket.receive();
                    frame.ifPresent(each -> {
                        frames.add(each);
                        if (isProbe.test(each)) {
                            probeSeen.countDown();
                        }
                    });
                    more = frame.isPresent();
                }
            } catch (SyscallException e) {
                error = e.getMessage();
            }
        }

        void stop() {
            stopping.set(true);
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void close() {
            if (reader != null && reader.isAlive()) {
                stop();
            }
            socket.close();
        }
    }

    /** A UDP socket bound in the destination pod, receiving on its own thread. */
    private static final class Receiver implements AutoCloseable {
        private final DatagramSocket socket;
        private final CompletableFuture<Boolean> received = new CompletableFuture<>();

        private Receiver(DatagramSocket socket) {
            this.socket = socket;
        }

        static Receiver open(TraceEndpoint destination, byte[] expected) {
            try (NetNamespace pod = NetNamespace.openPath(destination.podNetns())) {
                DatagramSocket socket = pod.call(() -> new DatagramSocket(new InetSocketAddress(destination.ip(), 0)));
                Receiver receiver = new Receiver(socket);
                Thread.ofPlatform().daemon().name("probe-receiver").start(() -> receiver.receive(expected));
                return receiver;
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        /** Receives until the probe's datagram comes, or the socket is closed. */
        private void receive(byte[] expected) {
            byte[] buffer = new byte[2048];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                do {
                    socket.receive(packet);
                } while (!Arrays.equals(Arrays.copyOf(buffer, packet.getLength()), expected));
                received.complete(true);
            } catch (IOException e) {
                received.complete(false); // closed: the wait is over
            }
        }

        /** Whether the probe's datagram arrives within {@code wait}. */
        boolean await(Duration wait) {
            try {
                return received.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
