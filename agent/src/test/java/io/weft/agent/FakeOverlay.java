package io.weft.agent;

import io.weft.agent.lease.Lease;
import io.weft.agent.overlay.Overlay;
import io.weft.agent.overlay.ReconcileResult;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkSpec;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An overlay that records each pass and keeps a stand-in {@code weft.1} (a bridge: what matters to the
 * agent is that a device of that name exists and comes back when deleted).
 */
final class FakeOverlay implements Overlay {
    final List<List<Lease>> passes = new CopyOnWriteArrayList<>();
    private final Netlink node;
    volatile boolean closed;

    FakeOverlay(Netlink node) {
        this.node = node;
    }

    @Override
    public ReconcileResult reconcile(Lease self, Collection<Lease> peers) {
        passes.add(List.copyOf(peers));
        int added = 0;
        if (node.links().find(Agent.OVERLAY_DEVICE).isEmpty()) {
            node.links().add(LinkSpec.bridge(Agent.OVERLAY_DEVICE));
            added = 1;
        }
        int others = (int) peers.stream().filter(peer -> !peer.node().equals(self.node())).count();
        return new ReconcileResult(added, 0, 0, others, 0, Duration.ofMillis(1));
    }

    @Override
    public void close() {
        closed = true;
    }
}
