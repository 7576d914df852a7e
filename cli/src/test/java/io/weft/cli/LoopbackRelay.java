package io.weft.cli;

import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A port on a node namespace's loopback that forwards every connection to a server on this JVM's own
 * loopback (etcd, the Kubernetes mock): an agent process in the node's namespace reaches a store the
 * test started without the test touching the root namespace. The listening socket is made inside the
 * node's namespace, where it stays; the connections onward are made from here.
 */
final class LoopbackRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private LoopbackRelay(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
        this.acceptor = Thread.ofPlatform().name("relay-" + listener.getLocalPort()).daemon().start(this::accept);
    }

    /** Listens on {@code 127.0.0.1:port} in {@code node} and forwards to {@code 127.0.0.1:targetPort} here. */
    static LoopbackRelay open(NetNamespace node, int port, int targetPort) {
        ServerSocket listener = node.call(() -> new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
        return new LoopbackRelay(listener, new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
    }

    private void accept() {
        try {
            while (true) {
                Socket inbound = listener.accept();
                Socket outbound = new Socket();
                try {
                    outbound.connect(target, 5_000);
                } catch (IOException e) {
                    inbound.close();
                    continue;
                }
                open.add(inbound);
                open.add(outbound);
                Thread.ofVirtual().start(() -> pump(inbound, outbound));
                Thread.ofVirtual().start(() -> pump(outbound, inbound));
            }
        } catch (IOException closed) {
            // close() closed the listener
        }
    }

    /** Copies one direction until it ends, then ends the other side's output likewise. */
    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (SocketException closed) {
            // one side went away: close() or the peer
        } catch (IOException e) {
            // the same, seen while writing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            socket.close();
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
