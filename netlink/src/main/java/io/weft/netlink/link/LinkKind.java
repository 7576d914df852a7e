package io.weft.netlink.link;

import java.net.InetAddress;

/** What sort of interface a link is, with the settings that belong to that sort. */
public sealed interface LinkKind {
    /** The kernel's name for the kind ({@code IFLA_INFO_KIND}), e.g. {@code vxlan}. */
    String typeName();

    /** A software bridge. */
    record Bridge() implements LinkKind {
        @Override
        public String typeName() {
            return "bridge";
        }
    }

    /** One end of a veth pair; {@link Link#parentIndex()} is the peer's index (in the peer's namespace). */
    record Veth() implements LinkKind {
        @Override
        public String typeName() {
            return "veth";
        }
    }

    /**
     * A VXLAN device.
     *
     * @param vni the VXLAN network identifier
     * @param port the UDP destination port (8472 for Weft and Flannel, 4789 IANA)
     * @param local the source address for encapsulated packets, or null
     * @param underlayIndex the interface that carries the encapsulated packets, or 0
     * @param learning whether the device learns remote MACs from received packets
     * @param ttl the outer TTL, 0 meaning inherit
     */
    record Vxlan(int vni, int port, InetAddress local, int underlayIndex, boolean learning, int ttl) implements LinkKind {
        public Vxlan {
            if (vni < 0 || vni > 0xffffff) {
                throw new IllegalArgumentException("VNI " + vni + " is out of range 0..16777215");
            }
            if (port < 1 || port > 0xffff) {
                throw new IllegalArgumentException("VXLAN port " + port + " is out of range 1..65535");
            }
            if (ttl < 0 || ttl > 255) {
                throw new IllegalArgumentException("VXLAN TTL " + ttl + " is out of range 0..255");
            }
        }

        @Override
        public String typeName() {
            return "vxlan";
        }
    }

    /** Any other kind (loopback and physical devices have none: {@code typeName} is then empty). */
    record Other(String typeName) implements LinkKind {}
}
