package io.weft.agent.overlay;

import io.weft.netlink.NetlinkException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.weft.netlink.sys.Kernel.EADDRNOTAVAIL;
import static io.weft.netlink.sys.Kernel.ENODEV;
import static io.weft.netlink.sys.Kernel.ENOENT;
import static io.weft.netlink.sys.Kernel.ESRCH;

/**
 * The tally of one reconcile pass. A change to one peer's objects that the kernel refuses is kept for
 * the end of the pass, so that the other peers are still programmed; a change the pass cannot go on
 * without (the device) fails at once. A deletion of something already gone is neither a change nor a failure.
 */
final class Changes {
    enum Kind { ADDED, REPLACED, DELETED }

    /** What the kernel answers when asked to delete an object that is not there. */
    private static final Set<Integer> GONE = Set.of(ENOENT, ESRCH, ENODEV, EADDRNOTAVAIL);

    private int added;
    private int replaced;
    private int deleted;
    private final List<NetlinkException> refusals = new ArrayList<>();

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

    /** Makes a change; a refusal is kept and thrown by {@link #throwIfRefused} at the end of the pass. */
    void attempt(Kind kind, Runnable change) {
        try {
            make(kind, change);
        } catch (NetlinkException e) {
            refusals.add(e);
        }
    }

    /** Throws the first refusal, with the others suppressed, if there was any. */
    void throwIfRefused() {
        if (refusals.isEmpty()) {
            return;
        }
        NetlinkException first = refusals.getFirst();
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
