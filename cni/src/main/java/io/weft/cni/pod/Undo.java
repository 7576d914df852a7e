package io.weft.cni.pod;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What an ADD has made so far, to be unmade if a later step fails: an ADD either completes or leaves
 * nothing behind. Used in try-with-resources; {@link #commit} at the end keeps everything. A failure
 * while undoing is attached to the original failure as suppressed, never hides it.
 */
final class Undo implements AutoCloseable {
    private final Deque<Runnable> actions = new ArrayDeque<>();
    private boolean committed;

    /** Registers how to unmake what was just made; run in reverse order of registration. */
    void add(Runnable action) {
        actions.push(action);
    }

    void commit() {
        committed = true;
    }

    @Override
    public void close() {
        if (committed) {
            return;
        }
        RuntimeException failure = null;
        while (!actions.isEmpty()) {
            try {
                actions.pop().run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
