package io.weft.agent;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition the system under test will make true, with a generous bound for a busy machine. */
final class Await {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Await() {}

    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT.toSeconds() + " s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
