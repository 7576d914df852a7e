package io.weft.cli;

import io.weft.netlink.ns.NetNamespace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static java.lang.System.Logger.Level.WARNING;

/**
 * A TCP server in a pod that answers each connection's line with the line and the address it came
 * from, so a client sees both that the path works both ways and that nothing rewrote its address.
 */
final class TcpEcho implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TcpEcho.class.getName());
    private static final int PORT = 7000;
    /** Generous: the machine is shared and slow; a broken path fails by this, not by a refusal. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ServerSocket listener;
    private final Thread acceptor;

    private TcpEcho(ServerSocket listener) {
        this.listener = listener;
        this.acceptor = Thread.ofPlatform().name("tcp-echo").daemon().start(this::serve);
    }

    /** Listens in {@code pod} on {@code address}, port 7000. */
    static TcpEcho start(NetNamespace pod, String address) {
        return new TcpEcho(pod.call(() -> new ServerSocket(PORT, 16, InetAddress.getByName(address))));
    }

    /** From a pod: connects to the server at {@code serverAddress}, sends {@code line}, returns the answer. */
    static String exchange(NetNamespace client, String serverAddress, String line) {
        return client.call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(serverAddress, PORT), (int) TIMEOUT.toMillis());
                socket.setSoTimeout((int) TIMEOUT.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            }
        });
    }

    private void serve() {
        while (!listener.isClosed()) {
            try (Socket accepted = listener.accept()) {
                accepted.setSoTimeout((int) TIMEOUT.toMillis());
                String line = new BufferedReader(new InputStreamReader(accepted.getInputStream(), StandardCharsets.UTF_8)).readLine();
                String answer = line + " from " + accepted.getInetAddress().getHostAddress() + "\n";
                accepted.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
            } catch (SocketException closed) {
                if (!listener.isClosed()) {
                    LOG.log(WARNING, "tcp echo: " + closed.getMessage());
                }
            } catch (IOException e) {
                LOG.log(WARNING, "tcp echo: " + e.getMessage()); // the client sees it fail
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        try {
            acceptor.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
