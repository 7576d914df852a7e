package io.weft.agent.overlay;

import java.time.Duration;

/**
 * What one reconcile pass did.
 *
 * @param added kernel objects created (device, routes, neighbours, FDB entries)
 * @param replaced objects that existed but were wrong
 * @param deleted stale objects removed
 * @param vxlanPeers peers reached through weft.1
 * @param directPeers peers reached by a plain route via their underlay IP
 */
public record ReconcileResult(int added, int replaced, int deleted, int vxlanPeers, int directPeers, Duration took) {
    public int changes() {
        return added + replaced + deleted;
    }
}
