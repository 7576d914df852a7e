package io.weft.lab.measure;

import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Throughput without iperf3: a listening socket made in the server namespace, a client socket made in
 * the client namespace, the client writing as fast as it can for the duration, the receiver counting
 * bytes from the accepted connection to the end of the stream.
 */
final class TcpStream {
    private static final int BUFFER_BYTES = 128 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Beyond the duration: connecting, and draining what is in flight once the sender stops. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private TcpStream() {
    }

    /** What the receiver counted. */
    private record Received(long bytes, long nanos) {
    }

    static ThroughputResult measure(ThroughputPair pair, Duration duration) throws InterruptedException {
        try (NetNamespace serverNamespace = NetNamespace.open(pair.serverNetns());
             NetNamespace clientNamespace = NetNamespace.open(pair.clientNetns());
             ServerSocketChannel listener = Sockets.serverIn(serverNamespace, InetAddress.ofLiteral(pair.serverIp()), 0);
             SocketChannel client = clientNamespace.call(() -> SocketChannel.open(Sockets.family(InetAddress.ofLiteral(pair.serverIp()))));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Received> receiver = threads.submit(() -> receive(listener));
            Future<Void> sender = threads.submit(() -> send(client, listener, duration));
            try {
                sender.get(duration.plus(GRACE).toNanos(), TimeUnit.NANOSECONDS);
                Received received = receiver.get(GRACE.toNanos(), TimeUnit.NANOSECONDS);
                return new ThroughputResult.Measured(pair, Throughput.Tool.BUILT_IN, received.bytes(),
                        Duration.ofNanos(received.nanos()), received.bytes() * 8e9 / received.nanos());
            } catch (TimeoutException e) {
                // unblock both sides; the executor's close then finds them finished
                Sockets.closeQuietly(client);
                Sockets.closeQuietly(listener);
                return new ThroughputResult.Failed(pair, Throughput.Tool.BUILT_IN,
                        "the stream to " + pair.serverIp() + " stalled: not done " + GRACE.toSeconds() + " s after it should have ended");
            } catch (InterruptedException e) {
                // the executor's close would wait out the duration: closing the sockets ends both sides now
                Sockets.closeQuietly(client);
                Sockets.closeQuietly(listener);
                throw e;
            } catch (ExecutionException e) {
                Sockets.closeQuietly(client);
                Sockets.closeQuietly(listener);
                Throwable cause = e.getCause();
                return new ThroughputResult.Failed(pair, Throughput.Tool.BUILT_IN,
                        "to " + pair.serverIp() + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
            }
        } catch (IOException | RuntimeException e) {
            return new ThroughputResult.Failed(pair, Throughput.Tool.BUILT_IN, String.valueOf(e.getMessage()));
        }
    }

    private static Void send(SocketChannel client, ServerSocketChannel listener, Duration duration) throws IOException {
        client.socket().connect(listener.getLocalAddress(), (int) CONNECT_TIMEOUT.toMillis());
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            buffer.clear();
            client.write(buffer);
        }
        client.shutdownOutput();
        return null;
    }

    /** Counts from the accepted connection to the end of the stream, slow start included, as iperf3 does. */
    private static Received receive(ServerSocketChannel listener) throws IOException {
        try (SocketChannel connection = listener.accept()) {
            long start = System.nanoTime();
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
            long bytes = 0;
            int read;
            while ((read = connection.read(buffer)) >= 0) {
                bytes += read;
                buffer.clear();
            }
            if (bytes == 0) {
                throw new IOException("the stream ended before any byte arrived");
            }
            return new Received(bytes, Math.max(1, System.nanoTime() - start));
        }
    }
}
