package io.weft.lab.measure;

import io.weft.netlink.ns.NetNamespace;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * One client's look at one server: connect from inside the client pod's namespace, check the greeting
 * names the pod we meant, then time a few round trips of a small message.
 */
final class EchoProbe {
    /** Odd, so the median is one of the samples. */
    static final int ROUND_TRIPS = 5;
    private static final int MESSAGE_BYTES = 64;
    private static final int MAX_GREETING_BYTES = 512;

    private EchoProbe() {
    }

    static PairResult probe(String from, NetNamespace fromNamespace, InetAddress fromAddress,
                            String to, InetSocketAddress server, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = Sockets.clientIn(fromNamespace, fromAddress)) {
            Socket socket = channel.socket();
            long start = System.nanoTime();
            socket.connect(server, Sockets.millisUntil(deadline));
            Duration connect = Duration.ofNanos(System.nanoTime() - start);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();

            socket.setSoTimeout(Sockets.millisUntil(deadline));
            String greeting = readLine(in);
            if (!greeting.equals(EchoServer.greeting(to).strip())) {
                return new PairResult.Unreached(from, to, FailureReason.WRONG_POD,
                        Sockets.describe(server) + " answered \"" + greeting + "\", expected the echo server of " + to);
            }
            long[] samples = new long[ROUND_TRIPS];
            byte[] message = new byte[MESSAGE_BYTES];
            for (int round = 0; round < ROUND_TRIPS; round++) {
                Arrays.fill(message, (byte) round);
                socket.setSoTimeout(Sockets.millisUntil(deadline));
                long sent = System.nanoTime();
                out.write(message);
                byte[] echo = in.readNBytes(MESSAGE_BYTES);
                samples[round] = System.nanoTime() - sent;
                if (!Arrays.equals(echo, message)) {
                    return new PairResult.Unreached(from, to, FailureReason.ERROR,
                            "round trip " + (round + 1) + " came back " + echo.length + " bytes, not the "
                                    + MESSAGE_BYTES + " bytes sent");
                }
            }
            Arrays.sort(samples);
            return new PairResult.Reached(from, to, connect, Duration.ofNanos(Math.max(1, samples[ROUND_TRIPS / 2])));
        } catch (IOException | RuntimeException e) {
            return unreached(from, to, server, timeout, e);
        }
    }

    /** Names the failure as the socket reported it. */
    static PairResult.Unreached unreached(String from, String to, InetSocketAddress server, Duration timeout, Exception e) {
        String message = String.valueOf(e.getMessage());
        FailureReason reason = switch (e) {
            case SocketTimeoutException _ -> FailureReason.TIMEOUT;
            case NoRouteToHostException _ -> FailureReason.NO_ROUTE;
            case ConnectException _ when message.contains("refused") -> FailureReason.REFUSED;
            case IOException _ when message.contains("unreachable") -> FailureReason.NO_ROUTE;
            default -> FailureReason.ERROR;
        };
        String detail = reason == FailureReason.TIMEOUT
                ? "no answer from " + Sockets.describe(server) + " within " + timeout.toMillis() + " ms"
                : Sockets.describe(server) + ": " + e.getClass().getSimpleName() + ": " + message;
        return new PairResult.Unreached(from, to, reason, detail);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (line.size() < MAX_GREETING_BYTES) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed before the greeting ended");
            }
            if (b == '\n') {
                break;
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
