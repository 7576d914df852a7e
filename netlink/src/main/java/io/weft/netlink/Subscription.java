package io.weft.netlink;

import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.wire.Message;
import io.weft.netlink.wire.NetlinkSocket;

import java.util.function.Consumer;

import static io.weft.netlink.sys.Kernel.ENOBUFS;

/**
 * Kernel notifications delivered to a listener, one at a time, on a dedicated platform thread that
 * owns the subscribed socket. The socket wakes up every {@value #POLL_MILLIS} ms to see whether it
 * was closed, so {@link #close} returns promptly. If the listener throws, the subscription stops and
 * {@link #close} rethrows what it threw.
 */
public final class Subscription implements AutoCloseable {
    private static final int POLL_MILLIS = 100;

    private final NetlinkSocket socket;
    private final Consumer<NetlinkEvent> listener;
    private final Thread reader;
    private volatile boolean closing;
    private volatile Throwable failure;

    private Subscription(NetlinkSocket socket, Consumer<NetlinkEvent> listener, String threadName) {
        this.socket = socket;
        this.listener = listener;
        this.reader = Thread.ofPlatform().name(threadName).daemon().unstarted(this::read);
    }

    /** Starts reading {@code socket}, which must already be a member of the groups wanted; takes ownership of it. */
    static Subscription start(NetlinkSocket socket, Consumer<NetlinkEvent> listener, String threadName) {
        try {
            socket.receiveTimeout(POLL_MILLIS);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        Subscription subscription = new Subscription(socket, listener, threadName);
        subscription.reader.start();
        return subscription;
    }

    private void read() {
        try (socket) {
            while (!closing) {
                try {
                    socket.receiveNotifications(this::deliver);
                } catch (SyscallException e) {
                    if (e.errno() != ENOBUFS) {
                        throw e;
                    }
                    listener.accept(new NetlinkEvent.Overrun());
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void deliver(Message message) {
        NetlinkEvent event = NetlinkEvent.decode(message);
        if (event != null) {
            listener.accept(event);
        }
    }

    /** Whether events are still being delivered: false once closed, or once the listener or the socket failed. */
    public boolean isRunning() {
        return !closing && reader.isAlive();
    }

    /**
     * Stops delivery and waits for the reader thread to end (for the listener to return, if it is
     * running). Called from the listener itself, it stops delivery once the listener returns.
     */
    @Override
    public void close() {
        closing = true;
        if (Thread.currentThread() == reader) {
            return;
        }
        boolean interrupted = false;
        while (reader.isAlive()) {
            try {
                reader.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        switch (failure) {
            case null -> { }
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            case Throwable t -> throw new IllegalStateException(reader.getName() + " failed: " + t, t);
        }
    }
}
