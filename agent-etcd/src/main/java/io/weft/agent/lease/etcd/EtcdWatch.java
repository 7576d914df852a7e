package io.weft.agent.lease.etcd;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseEvent;
import io.weft.netlink.IpPrefix;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * A watch on the lease keys that survives etcd going away: after an error it watches again from the
 * revision after the last event it delivered, so nothing is lost or repeated; when etcd has compacted
 * that revision away it lists the leases again, reports each as {@link LeaseEvent.Updated} and those
 * that vanished meanwhile as {@link LeaseEvent.Removed}.
 *
 * <p>jetcd resumes a broken watch by itself, but from a revision it tracks loosely and not across a
 * compaction, so this class closes jetcd's watcher on any error and opens its own. Everything runs
 * on one thread of the watch's, which is also the thread the listener is called on.
 */
final class EtcdWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EtcdWatch.class.getName());
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration LAST_RETRY = Duration.ofSeconds(4);

    /** The store's current client's: the store replaces its client after an outage. */
    private final Supplier<Watch> watches;
    private final Layout layout;
    private final Duration ttl;
    private final Supplier<Snapshot> lister;
    private final Consumer<LeaseEvent> listener;
    private final ScheduledThreadPoolExecutor thread;
    private volatile boolean closed;

    // confined to `thread`
    private final Map<IpPrefix, String> known = new HashMap<>();
    private long nextRevision;
    private boolean mustList;
    private int generation;
    private int failures;
    private Watch.Watcher watcher;

    /**
     * Starts watching for changes after {@code from}, which the listener's owner has seen.
     *
     * @param lister lists the leases again after a compaction
     */
    EtcdWatch(Supplier<Watch> watches, Layout layout, Duration ttl, Supplier<Snapshot> lister, Snapshot from, Consumer<LeaseEvent> listener) {
        this.watches = watches;
        this.layout = layout;
        this.ttl = ttl;
        this.lister = lister;
        this.listener = listener;
        this.thread = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1,
                Thread.ofPlatform().name("weft-etcd-watch").daemon().factory());
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        from.leases().forEach(lease -> known.put(lease.subnet(), lease.node()));
        nextRevision = from.revision() + 1;
        thread.execute(this::connect);
    }

    private void connect() {
        if (closed) {
            return;
        }
        int current = ++generation;
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(nextRevision)
                .withCreateNotify(true) // an answer to reset the back-off on, even when nothing changes
                .build();
        try {
            watcher = watches.get().watch(layout.leasePrefix(), option, Watch.listener(
                    response -> post(() -> onResponse(current, response)),
                    error -> post(() -> onBroken(current, error)),
                    () -> post(() -> onBroken(current, null))));
        } catch (RuntimeException e) {
            onBroken(current, e);
        }
    }

    /** Hands jetcd's callback over to this watch's thread; after close, there is nothing to do. */
    private void post(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closing) {
            // closed: jetcd reports the end of the stream it was told to end
        }
    }

    private void later(Runnable task, Duration delay) {
        try {
            thread.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // closed meanwhile: nothing to resume
        }
    }

    private void onResponse(int from, WatchResponse response) {
        if (from != generation || closed) {
            return;
        }
        failures = 0;
        for (WatchEvent event : response.getEvents()) {
            KeyValue record = event.getKeyValue();
            nextRevision = Math.max(nextRevision, record.getModRevision() + 1);
            IpPrefix subnet = layout.subnet(record.getKey());
            if (subnet == null) {
                continue;
            }
            switch (event.getEventType()) {
                case PUT -> updated(record);
                case DELETE -> {
                    String node = known.remove(subnet);
                    if (node != null) {
                        deliver(new LeaseEvent.Removed(node, subnet));
                    }
                }
                case UNRECOGNIZED -> LOG.log(WARNING, "etcd watch: an event of an unknown type on " + record.getKey());
            }
        }
    }

    private void updated(KeyValue record) {
        Lease lease;
        try {
            lease = layout.lease(record, Instant.now().plus(ttl));
        } catch (IllegalArgumentException e) {
            LOG.log(WARNING, "etcd watch: ignoring " + record.getKey() + ": " + e.getMessage());
            return;
        }
        String before = known.put(lease.subnet(), lease.node());
        if (before != null && !before.equals(lease.node())) {
            deliver(new LeaseEvent.Removed(before, lease.subnet()));
        }
        deliver(new LeaseEvent.Updated(lease));
    }

    /** jetcd reports an error, or the end of the stream it gave up on. */
    private void onBroken(int from, Throwable error) {
        if (from != generation || closed) {
            return;
        }
        generation++;
        closeWatcher();
        Duration delay = retryDelay();
        if (isCompaction(error)) {
            mustList = true;
            LOG.log(INFO, "etcd watch on " + layout.leasePrefix() + ": revision " + nextRevision
                    + " was compacted; listing the leases again in " + delay.toMillis() + " ms");
        } else {
            LOG.log(WARNING, "etcd watch on " + layout.leasePrefix() + " broke ("
                    + (error == null ? "stream ended" : error.getMessage()) + "); resuming from revision " + nextRevision
                    + " in " + delay.toMillis() + " ms");
        }
        later(this::resume, delay);
    }

    private void resume() {
        if (closed) {
            return;
        }
        if (mustList) {
            try {
                relist();
            } catch (RuntimeException e) {
                Duration delay = retryDelay();
                LOG.log(WARNING, "etcd watch: listing the leases failed (" + e.getMessage() + "); again in "
                        + delay.toMillis() + " ms");
                later(this::resume, delay);
                return;
            }
        }
        connect();
    }

    private void relist() {
        Snapshot snapshot = lister.get();
        Map<IpPrefix, String> before = new HashMap<>(known);
        known.clear();
        snapshot.leases().forEach(lease -> known.put(lease.subnet(), lease.node()));
        // a subnet that changed hands is a removal too: its former holder is gone
        before.forEach((subnet, node) -> {
            if (!node.equals(known.get(subnet))) {
                deliver(new LeaseEvent.Removed(node, subnet));
            }
        });
        snapshot.leases().forEach(lease -> deliver(new LeaseEvent.Updated(lease)));
        nextRevision = snapshot.revision() + 1;
        mustList = false;
    }

    private Duration retryDelay() {
        Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(failures, 4));
        failures++;
        return delay.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : delay;
    }

    private void deliver(LeaseEvent event) {
        if (closed) {
            return;
        }
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            LOG.log(ERROR, "lease watch listener failed on " + event, e);
        }
    }

    private static boolean isCompaction(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof CompactedException) {
                return true;
            }
        }
        return false;
    }

    private void closeWatcher() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (RuntimeException e) {
                LOG.log(WARNING, "etcd watch: closing jetcd's watcher failed: " + e.getMessage());
            }
            watcher = null;
        }
    }

    /**
     * Watches again from where it was, on the store's new client (a resume already due takes that client
     * anyway); returns once the old client's watcher is closed, so that closing that client then does not
     * count as a break, or after {@code patience} when this watch's thread is busy.
     */
    void reconnect(Duration patience) {
        Future<?> moved;
        try {
            moved = thread.submit(() -> {
                if (closed || watcher == null) {
                    return;
                }
                generation++;
                closeWatcher();
                connect();
            });
        } catch (RejectedExecutionException closing) {
            return;
        }
        try {
            moved.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException busy) {
            // the task still runs; at worst the old client's end is logged as a break, and resumed from
        } catch (ExecutionException e) {
            LOG.log(WARNING, "etcd watch: moving to a new connection failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the watch: no event is delivered once this returns, bar one the listener may be receiving. */
    @Override
    public void close() {
        closed = true;
        post(() -> {
            generation++;
            closeWatcher();
        });
        thread.shutdown();
    }
}
