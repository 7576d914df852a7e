package io.weft.agent.overlay;

import io.weft.netlink.Batch;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.sys.SyscallException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import static io.weft.netlink.sys.Kernel.EADDRNOTAVAIL;
import static io.weft.netlink.sys.Kernel.ENODEV;
import static io.weft.netlink.sys.Kernel.ENOENT;
import static io.weft.netlink.sys.Kernel.ESRCH;

/**
 * The changes of one reconcile pass, and their tally. The peers' changes are queued in a {@link Batch}
 * and sent together at the end of the planning ({@link #send}); one the kernel refuses is kept for the
 * end of the pass, so that the other peers are still programmed. A change the pass cannot go on
 * without (the device) is made at once and fails at once. A deletion of something already gone is
 * neither a change nor a failure.
 */
final class Changes {
    enum Kind { ADDED, REPLACED, DELETED }

    /** What the kernel answers when asked to delete an object that is not there. */
    private static final Set<Integer> GONE = Set.of(ENOENT, ESRCH, ENODEV, EADDRNOTAVAIL);

    private final Batch batch;
    private final List<Kind> queued = new ArrayList<>();
    private int added;
    private int replaced;
    private int deleted;
    private final List<RuntimeException> refusals = new ArrayList<>();

    Changes(Batch batch) {
        this.batch = batch;
    }

    /** Makes a change the rest of the pass depends on: a refusal is thrown. */
    void make(Kind kind, Runnable change) {
        try {
            change.run();
        } catch (NetlinkException e) {
            if (kind == Kind.DELETED && GONE.contains(e.errno())) {
                return;
            }
            throw e;
        }
        count(kind);
    }

    /**
     * Makes a change now; a refusal (netlink's, or a system call's such as an ethtool ioctl) is kept and
     * thrown by {@link #throwIfRefused} at the end of the pass.
     */
    void attempt(Kind kind, Runnable change) {
        try {
            make(kind, change);
        } catch (NetlinkException | SyscallException e) {
            refusals.add(e);
        }
    }

    /** Keeps the failure of a step that changes nothing (a read) for {@link #throwIfRefused}, as a refusal is kept. */
    void failed(RuntimeException failure) {
        refusals.add(failure);
    }

    /** Queues one change for {@link #send}, where it is counted once made; a refusal is kept as {@link #attempt}'s. */
    void queue(Kind kind, Consumer<Batch> change) {
        int before = batch.size();
        change.accept(batch);
        if (batch.size() != before + 1) {
            throw new IllegalArgumentException("a queued change is one request, not " + (batch.size() - before));
        }
        queued.add(kind);
    }

    /** Sends the queued changes, in the order queued. */
    void send() {
        Kind[] kinds = queued.toArray(Kind[]::new);
        queued.clear();
        for (Batch.Failure failure : batch.send()) {
            Kind kind = kinds[failure.index()];
            kinds[failure.index()] = null;
            if (kind != Kind.DELETED || !GONE.contains(failure.error().errno())) {
                refusals.add(failure.error());
            }
        }
        for (Kind kind : kinds) {
            if (kind != null) {
                count(kind);
            }
        }
    }

    /** Throws the first refusal, with the others suppressed, if there was any. */
    void throwIfRefused() {
        if (refusals.isEmpty()) {
            return;
        }
        RuntimeException first = refusals.getFirst();
        refusals.subList(1, refusals.size()).forEach(first::addSuppressed);
        throw first;
    }

    ReconcileResult result(int vxlanPeers, int directPeers, Duration took) {
        return new ReconcileResult(added, replaced, deleted, vxlanPeers, directPeers, took);
    }

    private void count(Kind kind) {
        switch (kind) {
            case ADDED -> added++;
            case REPLACED -> replaced++;
            case DELETED -> deleted++;
        }
    }
}
