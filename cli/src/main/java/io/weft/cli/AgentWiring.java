package io.weft.cli;

import io.weft.agent.AgentConfig;
import io.weft.agent.lease.LeaseStore;
import io.weft.agent.overlay.Overlay;
import io.weft.agent.underlay.UnderlayInterface;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;

/**
 * Where {@code weft agent} and {@code weft uninstall} meet the lease stores and the VXLAN overlay.
 *
 * <p>COORDINATOR: the stores (io.weft.agent.lease.local/etcd/kube) and the overlay
 * (io.weft.agent.overlay.VxlanOverlay) are written in parallel with the agent and wired here after
 * the merge: build each store from its {@link AgentConfig.Store} settings, the overlay from the
 * underlay, the VTEP MAC and {@link AgentConfig#directRouting()}, and return the overlay's route
 * protocol. Until then each says which merge it waits for.
 */
final class AgentWiring {
    private AgentWiring() {}

    static LeaseStore openStore(AgentConfig config) {
        String store = switch (config.store()) {
            case AgentConfig.Store.Local local -> "io.weft.agent.lease.local.LocalLeaseStore";
            case AgentConfig.Store.Etcd etcd -> "io.weft.agent.lease.etcd.EtcdLeaseStore";
            case AgentConfig.Store.Kubernetes kubernetes -> "io.weft.agent.lease.kube.KubeLeaseStore";
        };
        throw new UnsupportedOperationException("--store " + config.store().kind() + " arrives with " + store
                + ", not merged into this build yet");
    }

    static Overlay createOverlay(Netlink node, UnderlayInterface underlay, MacAddress vtepMac, AgentConfig config) {
        throw new UnsupportedOperationException("the VXLAN overlay arrives with io.weft.agent.overlay.VxlanOverlay,"
                + " not merged into this build yet");
    }

    /** The route protocol number the overlay marks Weft's routes with, by which uninstall finds them. */
    static int routeProtocol() {
        throw new UnsupportedOperationException("Weft's route protocol is the overlay's (io.weft.agent.overlay.VxlanOverlay),"
                + " not merged into this build yet");
    }
}
