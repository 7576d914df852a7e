package io.weft.lab.measure;

import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/** Small socket helpers shared by the measurements. */
final class Sockets {
    private Sockets() {
    }

    static ProtocolFamily family(InetAddress address) {
        return address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /** A client socket made inside {@code namespace}, bound to {@code source} (port chosen by the kernel). */
    static SocketChannel clientIn(NetNamespace namespace, InetAddress source) throws IOException {
        SocketChannel channel = namespace.call(() -> SocketChannel.open(family(source)));
        try {
            channel.bind(new InetSocketAddress(source, 0));
            channel.socket().setTcpNoDelay(true);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A listening socket made inside {@code namespace} on {@code address} and {@code port} (0: ephemeral). */
    static ServerSocketChannel serverIn(NetNamespace namespace, InetAddress address, int port) throws IOException {
        ServerSocketChannel channel = namespace.call(() -> ServerSocketChannel.open(family(address)));
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true); // a rerun need not wait out TIME_WAIT
            channel.bind(new InetSocketAddress(address, port), 128);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The milliseconds left until {@code deadline} (a {@link System#nanoTime()} value), at least 1 since a
     * socket timeout of 0 means forever.
     *
     * @throws SocketTimeoutException when the deadline has passed
     */
    static int millisUntil(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
    }

    /** {@code 10.1.0.2:7} or {@code [fd00::2]:7}, not InetSocketAddress's {@code /10.1.0.2:7}. */
    static String describe(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing to release it; there is nothing left to lose
        }
    }
}
