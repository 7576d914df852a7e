package io.weft.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGINT or SIGTERM (the JVM shutting down) into an interrupt of the thread doing a command's
 * work, and holds the JVM up, for a bounded while, until that thread has cleaned up after itself. So
 * the command's own cleanup runs once, in its order, after what it interrupted has stopped: a second
 * cleanup on the hook's thread would race the work it cleans up after.
 *
 * <p>Once the worker {@linkplain #cleaningUp() is cleaning up} a signal no longer interrupts it, so
 * the cleanup itself is never cut short.
 */
final class InterruptOnShutdown implements AutoCloseable {
    private final Thread worker;
    private final Duration wait;
    private final Runnable onSignal;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    /** Guarded by this: whether a signal may still interrupt the worker. */
    private boolean cleaningUp;

    private InterruptOnShutdown(Thread worker, Duration wait, Runnable onSignal) {
        this.worker = worker;
        this.wait = wait;
        this.onSignal = onSignal;
        this.hook = Thread.ofPlatform().name("weft-shutdown").unstarted(this::shutdown);
    }

    /**
     * From now until {@link #close}, a shutdown interrupts the calling thread.
     *
     * @param wait     how long the shutdown waits for the thread to finish
     * @param onSignal run on the hook's thread when a signal interrupts the worker, e.g. to say what happens now
     */
    static InterruptOnShutdown install(Duration wait, Runnable onSignal) {
        InterruptOnShutdown interrupt = new InterruptOnShutdown(Thread.currentThread(), wait, onSignal);
        Runtime.getRuntime().addShutdownHook(interrupt.hook);
        return interrupt;
    }

    /** The worker starts its cleanup: no interrupt from here on, and one that came already is forgotten. */
    synchronized void cleaningUp() {
        cleaningUp = true;
        Thread.interrupted();
    }

    private void shutdown() {
        synchronized (this) {
            if (!cleaningUp) { // else the worker is past its work: nothing to say, nothing to stop
                onSignal.run();
                worker.interrupt();
            }
        }
        try {
            finished.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the JVM halts now either way
        }
    }

    /** The worker is done: the JVM may exit. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs, and returns now that the worker is done
        }
    }
}
