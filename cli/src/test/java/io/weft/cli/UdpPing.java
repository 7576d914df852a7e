package io.weft.cli;

import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * One pod pinging another over UDP at a steady rate: an echo server in one pod, and in the other a
 * sender that numbers each datagram and notes when its echo comes back. The sockets are made inside
 * the pods' namespaces (a socket stays in the namespace it was made in) and then used from ordinary
 * platform threads.
 */
final class UdpPing implements AutoCloseable {
    private static final int PORT = 7007;

    private final DatagramSocket echo;
    private final DatagramSocket sender;
    private final InetSocketAddress target;
    private final Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
    private final Map<Integer, Long> answeredAt = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("udp-ping-send").daemon().factory());
    private final Thread echoLoop;
    private final Thread replyLoop;

    private UdpPing(DatagramSocket echo, DatagramSocket sender, InetSocketAddress target) {
        this.echo = echo;
        this.sender = sender;
        this.target = target;
        this.echoLoop = Thread.ofPlatform().name("udp-ping-echo").daemon().start(this::echoAll);
        this.replyLoop = Thread.ofPlatform().name("udp-ping-reply").daemon().start(this::noteReplies);
    }

    /** An echo server on {@code toAddress} in {@code to}, and a sender in {@code from} that has not sent yet. */
    static UdpPing between(NetNamespace from, String fromAddress, NetNamespace to, String toAddress) {
        DatagramSocket echo = to.call(() -> new DatagramSocket(new InetSocketAddress(InetAddress.getByName(toAddress), PORT)));
        DatagramSocket sender = from.call(() -> new DatagramSocket(new InetSocketAddress(InetAddress.getByName(fromAddress), 0)));
        return new UdpPing(echo, sender, new InetSocketAddress(toAddress, PORT));
    }

    /** Sends a numbered datagram every {@code period} until {@link #stop}. */
    void start(Duration period) {
        pacer.scheduleAtFixedRate(this::sendNext, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops sending; echoes still on their way are still noted. */
    void stop() throws InterruptedException {
        pacer.shutdown();
        if (!pacer.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the sender did not stop");
        }
    }

    int sent() {
        return sentAt.size();
    }

    int answered() {
        return answeredAt.size();
    }

    /**
     * The numbers whose echo did not come back within {@code timeout} of their sending: waits until every
     * datagram sent has its echo, or {@code timeout} has passed since the last was sent.
     */
    List<Integer> lost(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answered() < sent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return IntStream.range(0, sent()).filter(n -> {
            Long answer = answeredAt.get(n);
            return answer == null || answer - sentAt.get(n) > timeout.toNanos();
        }).boxed().toList();
    }

    /** The longest round trip of the datagrams answered so far. */
    Duration slowest() {
        return Duration.ofNanos(answeredAt.entrySet().stream().mapToLong(e -> e.getValue() - sentAt.get(e.getKey())).max().orElse(0));
    }

    private void sendNext() {
        int number = next.getAndIncrement();
        byte[] payload = ByteBuffer.allocate(Integer.BYTES).putInt(number).array();
        sentAt.put(number, System.nanoTime());
        try {
            sender.send(new DatagramPacket(payload, payload.length, target));
        } catch (IOException refused) {
            // e.g. no route for a moment: no echo comes, and the datagram counts as lost
        }
    }

    private void echoAll() {
        byte[] buffer = new byte[64];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                echo.receive(packet);
                echo.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException("echoing", e);
            }
        }
    }

    private void noteReplies() {
        byte[] buffer = new byte[64];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                sender.receive(packet);
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException("receiving echoes", e);
            }
            long now = System.nanoTime();
            if (packet.getLength() == Integer.BYTES) {
                answeredAt.putIfAbsent(ByteBuffer.wrap(packet.getData(), 0, Integer.BYTES).getInt(), now);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        pacer.shutdownNow();
        echo.close();
        sender.close();
        echoLoop.join();
        replyLoop.join();
    }
}
