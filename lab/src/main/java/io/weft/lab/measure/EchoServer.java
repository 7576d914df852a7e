package io.weft.lab.measure;

import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP echo server listening on one pod's address. Its socket is opened on a thread inside the pod's
 * namespace and keeps that namespace for its life, so ordinary threads accept and serve it: platform
 * threads, as a virtual thread's blocking read goes through the JDK's poller and would add its wake-up
 * to every round trip measured.
 * Each connection first gets a greeting naming the pod, then has everything it sends echoed back.
 */
final class EchoServer implements AutoCloseable {
    /** The greeting is this prefix, the pod's name and a newline; it lets a client tell which pod answered. */
    static final String GREETING = "weft-echo ";

    private final String pod;
    private final ServerSocketChannel channel;
    private final InetSocketAddress address;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private EchoServer(String pod, ServerSocketChannel channel) throws IOException {
        this.pod = pod;
        this.channel = channel;
        this.address = (InetSocketAddress) channel.getLocalAddress();
        this.acceptor = Thread.ofPlatform().daemon().name("echo-" + pod).start(this::accept);
    }

    /** Listens on {@code address} and {@code port} inside {@code namespace}. */
    static EchoServer start(String pod, NetNamespace namespace, InetAddress address, int port) throws IOException {
        ServerSocketChannel channel = Sockets.serverIn(namespace, address, port);
        try {
            return new EchoServer(pod, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The address and port clients connect to. */
    InetSocketAddress address() {
        return address;
    }

    static String greeting(String pod) {
        return GREETING + pod + "\n";
    }

    private void accept() {
        while (true) {
            SocketChannel connection;
            try {
                connection = channel.accept();
            } catch (IOException closed) {
                return; // close() closed the channel
            }
            connections.add(connection);
            Thread.ofPlatform().daemon().name("echo-" + pod + "-conn").start(() -> serve(connection));
        }
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            connection.socket().setTcpNoDelay(true);
            connection.write(ByteBuffer.wrap(greeting(pod).getBytes(StandardCharsets.UTF_8)));
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (connection.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    connection.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException gone) {
            // the client went away or close() closed the connection: nothing to serve any more
        } finally {
            connections.remove(connection);
        }
    }

    @Override
    public void close() {
        Sockets.closeQuietly(channel);
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.forEach(Sockets::closeQuietly);
    }
}
