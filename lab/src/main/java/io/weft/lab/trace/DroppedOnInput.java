package io.weft.lab.trace;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.link.Link;
import io.weft.netlink.route.Route;

import java.net.InetAddress;

import static io.weft.lab.trace.StepText.format;
import static io.weft.netlink.sys.Kernel.RTN_BLACKHOLE;
import static io.weft.netlink.sys.Kernel.RTN_UNICAST;

/**
 * Why a node's kernel refuses to route a packet arriving on an interface. The input lookup only says
 * with which errno; this reads what the errno can stand for (as measured on Linux 6.18) and names the
 * one that holds:
 * <ul>
 * <li>EHOSTUNREACH: forwarding off on the input interface, else an unreachable route;
 * <li>EINVAL: reverse-path filtering ({@code rp_filter}) rejects the source, or the source is the
 *     node's own address, else a blackhole route or rule;
 * <li>ENETUNREACH: no route, or an {@code unreachable} rule for the interface;
 * <li>EACCES: a {@code prohibit} route, or rule for the interface.
 * </ul>
 * A rule is told from a route by asking the same as the node itself would send it, which no iif rule touches.
 */
final class DroppedOnInput {
    private final KernelState node;
    private final InetAddress destination;
    private final InetAddress source;
    private final IpPrefix sourceSubnet;
    private final Link input;
    private final NetlinkException error;

    DroppedOnInput(KernelState node, InetAddress destination, InetAddress source, IpPrefix sourceSubnet, Link input,
                   NetlinkException error) {
        this.node = node;
        this.destination = destination;
        this.source = source;
        this.sourceSubnet = sourceSubnet;
        this.input = input;
        this.error = error;
    }

    /** The break's text: the node, the interface, the packet, the likely cause and its fix. */
    String why() {
        String refuses = node.name() + " refuses to route the packet from " + format(source) + " to " + format(destination)
                + " arriving on " + input.name() + " (" + error.errnoName() + "): ";
        return refuses + switch (error.errnoName()) {
            case "EHOSTUNREACH" -> hostUnreachable();
            case "EINVAL" -> invalid();
            case "ENETUNREACH" -> networkUnreachable();
            case "EACCES" -> prohibited();
            default -> "the kernel refuses to route it (" + error.getMessage() + ")";
        };
    }

    private String hostUnreachable() {
        String key = conf(input, "forwarding");
        if ("0".equals(node.sysctl(key))) {
            return "forwarding is off on " + input.name() + " (" + dotted(key) + "=0): the kernel does not route packets that"
                    + " arrive on it (sysctl -w " + dotted(key) + "=1; setting net.ipv4.ip_forward=1 turns it on for every interface)";
        }
        return "the route to " + format(destination) + " is of type unreachable (ip route get " + format(destination) + ")";
    }

    private String invalid() {
        int filter = Math.max(rpFilter("all"), rpFilter(input.name()));
        if (filter != 0) {
            String back = routeBack(filter);
            if (back != null) {
                String key = conf(input, "rp_filter");
                return "rp_filter=" + filter + (filter == 1 ? " (strict)" : " (loose)") + " on " + input.name() + " drops packets from "
                        + format(source) + ": " + back + " (add the route back to " + subnet() + (filter == 1 ? " via " + input.name() : "")
                        + ", or loosen the filter: sysctl -w " + dotted(key) + "=2 and net.ipv4.conf.all.rp_filter=2)";
            }
        }
        if (node.linkWith(source).isPresent()) {
            return format(source) + " is an address of " + node.name() + " itself: a packet arriving from it is martian";
        }
        Route sent = sentRoute();
        if (sent != null && sent.type() == RTN_BLACKHOLE) {
            return "the route to " + format(destination) + " is a blackhole";
        }
        return "a blackhole rule for packets arriving on " + input.name() + " (ip rule show), or a martian source "
                + "(the kernel logs it with net.ipv4.conf.all.log_martians=1)";
    }

    private String networkUnreachable() {
        Route sent = sentRoute();
        if (sent != null && sent.type() == RTN_UNICAST) {
            return node.name() + " itself routes " + format(destination) + ", so a policy rule for packets arriving on "
                    + input.name() + " makes it unreachable (ip rule show)";
        }
        return node.name() + " has no route to " + format(destination) + ": the agent routes each peer's pod subnet";
    }

    private String prohibited() {
        Route sent = sentRoute();
        if (sent != null && sent.type() == RTN_UNICAST) {
            return "a policy rule for packets arriving on " + input.name() + " prohibits it (ip rule show): "
                    + node.name() + " itself would route " + format(destination);
        }
        return "the route to " + format(destination) + " is of type prohibit";
    }

    /**
     * Why the reverse-path filter rejects the source, or null when it would not: strict (1) wants the route back
     * to the source to leave by the input interface, loose (2) any route back.
     */
    private String routeBack(int filter) {
        Route back;
        try {
            back = node.lookup(source);
        } catch (NetlinkException e) {
            return node.name() + " has no route back to " + subnet();
        }
        if (back.type() != RTN_UNICAST) {
            return "the route back to " + subnet() + " is of type " + back.type();
        }
        if (filter == 1 && back.outputIndex() != input.index()) {
            Link out = node.link(back.outputIndex());
            return node.name() + " has no route back to " + subnet() + " via " + input.name() + ": it would answer "
                    + format(source) + " through " + (out == null ? "index " + back.outputIndex() : out.name())
                    + (back.gateway() == null ? "" : " via " + format(back.gateway()));
        }
        return null;
    }

    /** What the node's own packet to the destination would get, or null: the same lookup without the input interface. */
    private Route sentRoute() {
        try {
            return node.lookup(destination);
        } catch (NetlinkException e) {
            return null;
        }
    }

    private int rpFilter(String device) {
        return Integer.parseInt(node.sysctl("net/ipv4/conf/" + device + "/rp_filter"));
    }

    private String subnet() {
        return sourceSubnet != null ? sourceSubnet.toString() : format(source);
    }

    private static String conf(Link link, String setting) {
        return "net/ipv4/conf/" + link.name() + "/" + setting;
    }

    /** As sysctl(8) takes it: dotted, unless an interface name has a dot ({@code weft.1}), then with slashes. */
    private static String dotted(String key) {
        return key.contains(".") ? key : key.replace('/', '.');
    }
}
