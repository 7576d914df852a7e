package io.weft.agent.lease.local;

import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseEvent;
import io.weft.netlink.IpPrefix;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Polls the current leases on one platform thread and reports the difference to the last poll. Polling
 * rather than inotify (WatchService): expiry is a change no file event announces, so a timer is needed
 * anyway, and one loop that reads and compares catches writes, deletions and lapses alike.
 */
final class LeaseWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LeaseWatch.class.getName());

    private final Supplier<Map<IpPrefix, Lease>> leases;
    private final Consumer<LeaseEvent> listener;
    private final Duration interval;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private Map<IpPrefix, Lease> last;
    private String lastFailure;

    /** Reads the leases once before returning, so that only what changes after the call is reported. */
    LeaseWatch(String name, Duration interval, Supplier<Map<IpPrefix, Lease>> leases, Consumer<LeaseEvent> listener) {
        this.leases = leases;
        this.listener = listener;
        this.interval = interval;
        this.last = leases.get();
        this.thread = Thread.ofPlatform().name(name).daemon(true).start(this::run);
    }

    /** What turned {@code before} into {@code after}: removals first, so a subnet that changed hands ends up held. */
    static List<LeaseEvent> changes(Map<IpPrefix, Lease> before, Map<IpPrefix, Lease> after) {
        List<LeaseEvent> events = new ArrayList<>();
        before.forEach((subnet, lease) -> {
            Lease now = after.get(subnet);
            if (now == null || !now.node().equals(lease.node())) {
                events.add(new LeaseEvent.Removed(lease.node(), subnet));
            }
        });
        after.forEach((subnet, lease) -> {
            if (!lease.equals(before.get(subnet))) {
                events.add(new LeaseEvent.Updated(lease));
            }
        });
        return events;
    }

    /** Stops polling and waits for the thread to end, unless called from the listener (the thread itself). */
    @Override
    public void close() {
        stop.countDown();
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            while (!stop.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
                poll();
            }
        } catch (InterruptedException e) {
            // nobody interrupts this thread but the JVM on its way out
        }
    }

    private void poll() {
        Map<IpPrefix, Lease> current;
        try {
            current = leases.get();
        } catch (RuntimeException e) {
            if (!Objects.equals(lastFailure, e.toString())) {
                LOG.log(WARNING, "cannot read the leases; retrying every " + interval.toMillis() + " ms", e);
                lastFailure = e.toString();
            }
            return;
        }
        lastFailure = null;
        for (LeaseEvent event : changes(last, current)) {
            if (stop.getCount() == 0) {
                return;
            }
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(WARNING, "lease listener failed on " + event, e);
            }
        }
        last = current;
    }
}
