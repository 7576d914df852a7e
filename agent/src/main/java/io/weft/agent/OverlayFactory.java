package io.weft.agent;

import io.weft.agent.overlay.Overlay;
import io.weft.agent.underlay.UnderlayInterface;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;

/** Makes the overlay once the node has its lease: the cli wires the VXLAN overlay; tests give a double. */
@FunctionalInterface
public interface OverlayFactory {
    /**
     * @param node a handle on the node's namespace, owned by the agent (do not close it)
     * @param underlay the interface chosen to carry traffic between nodes
     * @param vtepMac the MAC {@code weft.1} must have, the one announced in the lease
     * @param config the rest of what the overlay may need (direct routing, TX checksum offload)
     */
    Overlay create(Netlink node, UnderlayInterface underlay, MacAddress vtepMac, AgentConfig config);
}
