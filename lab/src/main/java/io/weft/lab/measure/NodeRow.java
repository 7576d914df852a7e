package io.weft.lab.measure;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One node as the report shows it.
 *
 * @param name       the node's name
 * @param underlayIp the address its overlay runs on
 * @param subnet     its pod subnet (CIDR)
 * @param vtepMac    the MAC of its VXLAN device
 * @param modeByPeer for each other node, how this node reaches that node's pods ({@code vxlan}, {@code direct}, …);
 *                   kept sorted by peer name
 */
public record NodeRow(String name, String underlayIp, String subnet, String vtepMac, Map<String, String> modeByPeer) {
    public NodeRow {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(underlayIp, "underlayIp");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(vtepMac, "vtepMac");
        Objects.requireNonNull(modeByPeer, "modeByPeer");
        modeByPeer.forEach((peer, mode) -> {
            Objects.requireNonNull(peer, "modeByPeer: null peer");
            Objects.requireNonNull(mode, "modeByPeer: null mode for " + peer);
        });
        modeByPeer = Collections.unmodifiableMap(new TreeMap<>(modeByPeer));
    }
}
