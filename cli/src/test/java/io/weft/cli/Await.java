package io.weft.cli;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition the agents will make true, with a bound generous for a busy machine. Polls every
 * 200 ms: the conditions are mostly read with {@code ip}, a process each time.
 */
final class Await {
    private Await() {}

    static void until(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
            }
            Thread.sleep(200);
        }
    }
}
