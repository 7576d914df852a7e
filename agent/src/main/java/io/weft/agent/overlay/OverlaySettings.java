package io.weft.agent.overlay;

import static io.weft.netlink.sys.Kernel.RTPROT_STATIC;

/**
 * How the overlay is built: the VXLAN identity of {@code weft.1}, direct routing, and the route protocol
 * number that marks Weft's routes.
 *
 * @param vni the VXLAN network identifier, the same on every node
 * @param port the UDP destination port of the encapsulated traffic, the same on every node
 * @param directRouting whether peers on a connected subnet are routed to without VXLAN
 * @param routeProtocol the {@code rtm_protocol} of every route Weft installs, which is how the reconciler
 *     tells its routes from anyone else's; above {@code RTPROT_STATIC}, the last one the kernel interprets
 * @param deviceName the VXLAN device, e.g. {@code weft.1}
 * @param txChecksumOffload what the device's TX checksum offload is kept at
 */
public record OverlaySettings(int vni, int port, DirectRouting directRouting, int routeProtocol, String deviceName,
                              TxChecksumOffload txChecksumOffload) {
    /**
     * Weft's route protocol: 201, which neither the kernel's {@code RTPROT_*} list nor iproute2's
     * {@code /etc/iproute2/rt_protos} assigns, so {@code ip route show proto 201} lists Weft's routes
     * and nothing else.
     */
    public static final int WEFT_ROUTE_PROTOCOL = 201;

    public OverlaySettings {
        if (vni < 0 || vni > 0xffffff) {
            throw new IllegalArgumentException("VNI " + vni + " is out of range 0..16777215");
        }
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("VXLAN port " + port + " is out of range 1..65535");
        }
        if (directRouting == null) {
            throw new IllegalArgumentException("direct routing must be AUTO or OFF");
        }
        if (routeProtocol <= RTPROT_STATIC || routeProtocol > 255) {
            throw new IllegalArgumentException("route protocol " + routeProtocol + " must be in "
                    + (RTPROT_STATIC + 1) + "..255: lower numbers are the kernel's own");
        }
        if (deviceName == null || deviceName.isBlank()) {
            throw new IllegalArgumentException("the VXLAN device needs a name");
        }
        if (txChecksumOffload == null) {
            throw new IllegalArgumentException("TX checksum offload must be AUTO, ON or OFF");
        }
    }

    /**
     * VNI 1, port 8472 (the kernel's and Flannel's default), direct routing on, protocol 201, {@code weft.1},
     * TX checksum offload off only on a kernel with the VXLAN checksum bug.
     */
    public static OverlaySettings defaults() {
        return new OverlaySettings(1, 8472, DirectRouting.AUTO, WEFT_ROUTE_PROTOCOL, "weft.1", TxChecksumOffload.AUTO);
    }

    public OverlaySettings withDirectRouting(DirectRouting directRouting) {
        return new OverlaySettings(vni, port, directRouting, routeProtocol, deviceName, txChecksumOffload);
    }

    public OverlaySettings withTxChecksumOffload(TxChecksumOffload txChecksumOffload) {
        return new OverlaySettings(vni, port, directRouting, routeProtocol, deviceName, txChecksumOffload);
    }
}
