package io.weft.cni.server;

import io.weft.cni.CniHandler;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;
import io.weft.cni.server.CniFrame.MalformedFrameException;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The agent's end of the CNI forwarder: a Unix socket (mode 0600, root only) on which each connection
 * carries one {@link CniFrame} request, answered by the {@link CniHandler}.
 *
 * <p>Each connection is served on its own <em>platform</em> thread: the plugin blocks in {@code flock}
 * and netlink calls and enters namespaces with {@code setns}, which pin or break a virtual thread.
 * A malformed frame or a throwing handler is answered with a code-104 error; the server goes on.
 */
public final class CniServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CniServer.class.getName());
    /** How long {@link #close} lets requests in flight finish (a pod ADD) before cutting connections. */
    private static final Duration DRAIN = Duration.ofSeconds(30);

    private final Path socket;
    private final ServerSocketChannel server;
    private final CniHandler handler;
    private final ExecutorService connections =
            Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("weft-cni-", 0).daemon().factory());
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private CniServer(Path socket, ServerSocketChannel server, CniHandler handler) {
        this.socket = socket;
        this.server = server;
        this.handler = handler;
        this.acceptor = Thread.ofPlatform().name("weft-cni-accept").daemon().start(this::acceptLoop);
    }

    /**
     * Listens on {@code socket}, creating its directory and replacing a stale socket file left by a
     * server that is gone.
     *
     * @throws IOException when the path is something other than a socket, when another server still
     *                     answers on it, or when it cannot be bound
     */
    public static CniServer start(Path socket, CniHandler handler) throws IOException {
        Path path = socket.toAbsolutePath();
        Files.createDirectories(path.getParent());
        removeStale(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new CniServer(path, server, handler);
    }

    public Path socket() {
        return socket;
    }

    private static void removeStale(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
            throw new IOException(socket + " exists and is not a socket; not replacing it");
        }
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
        } catch (ConnectException stale) {
            Files.delete(socket);
            return;
        }
        throw new IOException("another server answers on " + socket);
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                LOG.log(WARNING, "accepting on " + socket + " failed: " + e);
                pauseAfterAcceptFailure(); // e.g. EMFILE: do not spin
                continue;
            }
            open.add(channel);
            try {
                connections.execute(() -> serve(channel));
            } catch (RejectedExecutionException closing) {
                closeQuietly(channel);
                return;
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            CniResponse response = answer(new BufferedInputStream(Channels.newInputStream(channel)));
            Channels.newOutputStream(channel).write(frame(response));
        } catch (IOException e) {
            LOG.log(DEBUG, "CNI client on " + socket + " went away: " + e); // its runtime sees the failure
        } finally {
            open.remove(channel);
        }
    }

    private CniResponse answer(InputStream in) throws IOException {
        CniInvocation invocation;
        try {
            invocation = CniFrame.readRequest(in);
        } catch (MalformedFrameException e) {
            return AgentProtocolError.response("weft agent: malformed request frame", e.getMessage());
        }
        try {
            return handler.handle(invocation);
        } catch (RuntimeException e) {
            LOG.log(ERROR, "the CNI handler threw on " + socket, e);
            return AgentProtocolError.response("weft agent: the plugin failed unexpectedly", e.toString());
        }
    }

    private static byte[] frame(CniResponse response) {
        try {
            return CniFrame.encodeResponse(response);
        } catch (IllegalArgumentException e) {
            return CniFrame.encodeResponse(AgentProtocolError.response("weft agent: the answer cannot be framed", e.getMessage()));
        }
    }

    /** Stops accepting, removes the socket file, lets requests in flight finish (up to 30 s), then cuts the rest. */
    @Override
    public void close() {
        closeQuietly(server);
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(WARNING, "cannot remove " + socket + ": " + e);
        }
        connections.shutdown();
        try {
            if (!connections.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(WARNING, "CNI requests on " + socket + " still running after " + DRAIN + "; closing their connections");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        open.forEach(CniServer::closeQuietly);
        connections.shutdownNow();
    }

    private static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
