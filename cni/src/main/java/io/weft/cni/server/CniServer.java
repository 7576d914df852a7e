package io.weft.cni.server;

import io.weft.cni.CniHandler;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;
import io.weft.cni.server.CniFrame.MalformedFrameException;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
    /** How long a client may take to send its whole request frame. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Path socket;
    private final ServerSocketChannel server;
    private final CniHandler handler;
    private final ExecutorService connections =
            Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("weft-cni-", 0).daemon().factory());
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final Duration requestTimeout;
    /** Closes connections whose request is late; one daemon thread, made when the first connection comes. */
    private final ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name("weft-cni-deadline").daemon().factory());

    private CniServer(Path socket, ServerSocketChannel server, CniHandler handler, Duration requestTimeout) {
        this.socket = socket;
        this.server = server;
        this.handler = handler;
        this.requestTimeout = requestTimeout;
        deadlines.setRemoveOnCancelPolicy(true);
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
        return start(socket, handler, REQUEST_TIMEOUT);
    }

    /**
     * As {@link #start(Path, CniHandler)}, closing a connection whose request frame has not fully arrived
     * within {@code requestTimeout} (the forwarder writes it at once; a client that stalls would otherwise
     * hold a thread for ever).
     */
    public static CniServer start(Path socket, CniHandler handler, Duration requestTimeout) throws IOException {
        Path path = socket.toAbsolutePath();
        Files.createDirectories(path.getParent());
        removeStale(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            bindPrivately(server, path);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new CniServer(path, server, handler, requestTimeout);
    }

    /**
     * Binds in a fresh directory only root may enter, restricts the socket to 0600 there, then renames
     * it into place: no moment exists at which another user could connect (a bind applies the umask,
     * and a chmod after it would leave a window). The bound socket follows its inode through the rename.
     */
    private static void bindPrivately(ServerSocketChannel server, Path socket) throws IOException {
        Path staging = Files.createTempDirectory(socket.getParent(), ".s",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Path bound = staging.resolve("s");
            server.bind(UnixDomainSocketAddress.of(bound));
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, socket, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(staging.resolve("s"));
            Files.delete(staging);
        }
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
            CniResponse response = answer(channel);
            Channels.newOutputStream(channel).write(frame(response));
        } catch (AsynchronousCloseException late) {
            LOG.log(WARNING, "a CNI client on " + socket + " sent no complete request within " + requestTimeout.toMillis() + " ms; closed it");
        } catch (IOException e) {
            LOG.log(DEBUG, "CNI client on " + socket + " went away: " + e); // its runtime sees the failure
        } finally {
            open.remove(channel);
        }
    }

    private CniResponse answer(SocketChannel channel) throws IOException {
        CniInvocation invocation;
        ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(channel), requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            invocation = CniFrame.readRequest(new BufferedInputStream(Channels.newInputStream(channel)));
        } catch (MalformedFrameException e) {
            return AgentProtocolError.response("weft agent: malformed request frame", e.getMessage());
        } finally {
            deadline.cancel(false);
        }
        if (!channel.isOpen()) {
            throw new AsynchronousCloseException(); // the deadline struck just as the frame completed
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
        deadlines.shutdownNow();
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
