package io.weft.netlink.route;

import io.weft.netlink.IpPrefix;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

import static io.weft.netlink.sys.Kernel.AF_INET;
import static io.weft.netlink.sys.Kernel.AF_INET6;
import static io.weft.netlink.sys.Kernel.RTN_UNICAST;
import static io.weft.netlink.sys.Kernel.RTPROT_BOOT;
import static io.weft.netlink.sys.Kernel.RT_SCOPE_LINK;
import static io.weft.netlink.sys.Kernel.RT_SCOPE_UNIVERSE;
import static io.weft.netlink.sys.Kernel.RT_TABLE_MAIN;

/**
 * An IPv4 or IPv6 route, either to add or as the kernel reports it. Build one the way {@code ip route
 * add} reads: {@code Route.to(prefix).via(gateway).dev(index).onlink(true).protocol(201)}. The defaults
 * are ip's: main table, protocol boot, unicast, link scope without a gateway and universe scope with one.
 *
 * @param destination the network, host bits clear; {@code 0.0.0.0/0} or {@code ::/0} for the default route
 * @param gateway the next hop, or null for a route straight out of a device
 * @param outputIndex the output interface, or 0 to let the kernel find it from the gateway
 * @param table the routing table ({@code RT_TABLE_*} or any number up to 2^32-1)
 * @param protocol who installed it ({@code RTPROT_*}): Weft marks its own routes with its own number
 * @param scope the {@code RT_SCOPE_*} distance to the destination (IPv6 reports universe for all)
 * @param type the {@code RTN_*} type: unicast, or blackhole, local, broadcast…
 * @param metric the priority among routes to the same destination; 0 leaves the kernel's default
 *     (0 for IPv4, 1024 for IPv6)
 * @param onlink the gateway is on the link even though no address of the link covers it ({@code RTNH_F_ONLINK})
 * @param preferredSource the source address for packets the host itself sends this way, or null
 */
public record Route(IpPrefix destination, InetAddress gateway, int outputIndex, int table, int protocol, int scope,
                    int type, int metric, boolean onlink, InetAddress preferredSource) {
    public Route {
        Objects.requireNonNull(destination, "route destination");
        if (!destination.equals(destination.network())) {
            throw new IllegalArgumentException("route destination " + destination
                    + " has host bits set; the network is " + destination.network());
        }
        checkFamily(destination, "gateway", gateway);
        checkFamily(destination, "preferred source", preferredSource);
        checkU8(destination, "protocol", protocol);
        checkU8(destination, "scope", scope);
        checkU8(destination, "type", type);
    }

    /** A unicast route to {@code destination} in the main table, protocol boot, link scope until given a gateway. */
    public static Route to(IpPrefix destination) {
        return new Route(destination, null, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_LINK, RTN_UNICAST, 0, false, null);
    }

    /** Through {@code gateway}. Link scope, the default without a gateway, becomes universe scope, as with ip. */
    public Route via(InetAddress gateway) {
        Objects.requireNonNull(gateway, "gateway");
        int scope = this.scope == RT_SCOPE_LINK ? RT_SCOPE_UNIVERSE : this.scope;
        return new Route(destination, gateway, outputIndex, table, protocol, scope, type, metric, onlink, preferredSource);
    }

    /** Out of the interface with this index. */
    public Route dev(int outputIndex) {
        return new Route(destination, gateway, outputIndex, table, protocol, scope, type, metric, onlink, preferredSource);
    }

    /** Whether to trust that the gateway is on the link without a covering address (a VXLAN peer's {@code x.y.z.0}). */
    public Route onlink(boolean onlink) {
        return new Route(destination, gateway, outputIndex, table, protocol, scope, type, metric, onlink, preferredSource);
    }

    public Route table(int table) {
        return new Route(destination, gateway, outputIndex, table, protocol, scope, type, metric, onlink, preferredSource);
    }

    public Route protocol(int protocol) {
        return new Route(destination, gateway, outputIndex, table, protocol, scope, type, metric, onlink, preferredSource);
    }

    /** An explicit scope; call it after {@link #via}, which replaces link scope. */
    public Route scope(int scope) {
        return new Route(destination, gateway, outputIndex, table, protocol, scope, type, metric, onlink, preferredSource);
    }

    /** The {@code RTN_*} type; the scope stays as it is, so set it too where the type needs another. */
    public Route type(int type) {
        return new Route(destination, gateway, outputIndex, table, protocol, scope, type, metric, onlink, preferredSource);
    }

    public Route metric(int metric) {
        return new Route(destination, gateway, outputIndex, table, protocol, scope, type, metric, onlink, preferredSource);
    }

    public Route preferredSource(InetAddress preferredSource) {
        return new Route(destination, gateway, outputIndex, table, protocol, scope, type, metric, onlink, preferredSource);
    }

    /** {@code AF_INET} or {@code AF_INET6}. */
    public int family() {
        return destination.isIpv4() ? AF_INET : AF_INET6;
    }

    /** Like ip prints it, numbers for names, leaving out what is the default: {@code 10.42.2.0/24 via 10.42.2.0 dev 5 onlink}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        if (type != RTN_UNICAST) {
            text.append("type ").append(type).append(' ');
        }
        text.append(destination);
        if (gateway != null) {
            text.append(" via ").append(gateway.getHostAddress());
        }
        if (outputIndex != 0) {
            text.append(" dev ").append(outputIndex);
        }
        if (onlink) {
            text.append(" onlink");
        }
        if (table != RT_TABLE_MAIN) {
            text.append(" table ").append(Integer.toUnsignedString(table));
        }
        if (protocol != RTPROT_BOOT) {
            text.append(" proto ").append(protocol);
        }
        if (scope != (gateway == null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE)) {
            text.append(" scope ").append(scope);
        }
        if (metric != 0) {
            text.append(" metric ").append(Integer.toUnsignedString(metric));
        }
        if (preferredSource != null) {
            text.append(" src ").append(preferredSource.getHostAddress());
        }
        return text.toString();
    }

    private static void checkFamily(IpPrefix destination, String what, InetAddress address) {
        if (address != null && (address instanceof Inet4Address) != destination.isIpv4()) {
            throw new IllegalArgumentException("route to " + destination + ": " + what + " "
                    + address.getHostAddress() + " is of the other address family");
        }
    }

    private static void checkU8(IpPrefix destination, String what, int value) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("route to " + destination + ": " + what + " " + value + " is out of range 0..255");
        }
    }
}
