package io.weft.cli;

import io.weft.agent.AgentConfig;
import io.weft.agent.OverlayFactory;
import io.weft.agent.StoreModules;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.LeaseStore;
import io.weft.agent.overlay.DirectRouting;
import io.weft.agent.overlay.Overlay;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.agent.overlay.TxChecksumOffload;
import io.weft.agent.overlay.Underlay;
import io.weft.agent.overlay.VxlanOverlay;
import io.weft.agent.underlay.UnderlayInterface;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;

/** Where {@code weft agent}, {@code weft doctor} and {@code weft uninstall} meet the lease stores and the VXLAN overlay. */
final class AgentWiring {
    private AgentWiring() {}

    static LeaseStore openStore(AgentConfig config) {
        return StoreModules.of(config.store()).open(config.store(), config.nodeName(), network(config));
    }

    /** The cluster network the agent runs with. */
    static ClusterNetwork network(AgentConfig config) {
        return config.network().orElse(AgentConfig.DEFAULT_NETWORK);
    }

    /** The VXLAN overlay with {@code settings}' VNI and port, and the config's direct routing. */
    static OverlayFactory vxlan(OverlaySettings settings) {
        return (node, underlay, vtepMac, config) -> new VxlanOverlay(node, Underlay.of(node, underlay.name(), underlay.address().address()),
                overlaySettings(settings, config), vtepMac);
    }

    /** The VXLAN overlay with the default VNI and port. */
    static Overlay createOverlay(Netlink node, UnderlayInterface underlay, MacAddress vtepMac, AgentConfig config) {
        return vxlan(OverlaySettings.defaults()).create(node, underlay, vtepMac, config);
    }

    /** {@code settings} with the config's direct routing and TX checksum offload: what the agent's overlay runs with. */
    static OverlaySettings overlaySettings(OverlaySettings settings, AgentConfig config) {
        DirectRouting directRouting = switch (config.directRouting()) {
            case AUTO -> DirectRouting.AUTO;
            case OFF -> DirectRouting.OFF;
        };
        TxChecksumOffload txChecksumOffload = switch (config.txChecksumOffload()) {
            case AUTO -> TxChecksumOffload.AUTO;
            case ON -> TxChecksumOffload.ON;
            case OFF -> TxChecksumOffload.OFF;
        };
        return settings.withDirectRouting(directRouting).withTxChecksumOffload(txChecksumOffload);
    }

    /** The route protocol number the overlay marks Weft's routes with, by which uninstall finds them. */
    static int routeProtocol() {
        return OverlaySettings.WEFT_ROUTE_PROTOCOL;
    }
}
