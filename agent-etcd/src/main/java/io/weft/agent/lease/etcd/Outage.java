package io.weft.agent.lease.etcd;

import java.time.Duration;

/**
 * A run of calls to etcd that got no answer, and when to give up on the connection they share.
 *
 * <p>gRPC reconnects to an etcd that went away with a back-off that grows to 120 s, and jetcd offers no
 * way to shorten it or to reconnect at once: after an outage of a few minutes, a client could sit out
 * up to two minutes of an etcd that is back, longer than a lease's TTL. A client made anew has no
 * back-off, so once calls have failed for {@code patience} the store makes a new one, at most once
 * per {@code patience}. Times are {@link System#nanoTime} readings. Not thread-safe: the store's lock
 * guards it.
 */
final class Outage {
    private final long patience;
    private boolean failing;
    private long since;
    private long lastRebuild;
    private boolean rebuilt;

    Outage(Duration patience) {
        this.patience = patience.toNanos();
    }

    /** Whether a call failing at {@code now} starts an outage (the first failure after an answer). */
    boolean failed(long now) {
        if (failing) {
            return false;
        }
        failing = true;
        since = now;
        return true;
    }

    /** Whether, after a failure at {@code now}, the connection should be made anew; if so, it is noted as made. */
    boolean rebuildDue(long now) {
        if (!failing || now - since < patience || rebuilt && now - lastRebuild < patience) {
            return false;
        }
        rebuilt = true;
        lastRebuild = now;
        return true;
    }

    /** Ends the outage on an answer; whether there was one to end. */
    boolean answered() {
        boolean was = failing;
        failing = false;
        return was;
    }

    /** How long the outage ending at {@code now} lasted. */
    Duration length(long now) {
        return Duration.ofNanos(now - since);
    }
}
