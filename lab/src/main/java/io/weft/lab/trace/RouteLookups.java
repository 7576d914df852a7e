package io.weft.lab.trace;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.link.Link;
import io.weft.netlink.route.Route;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.weft.lab.trace.StepText.*;
import static io.weft.netlink.sys.Kernel.RTN_LOCAL;
import static io.weft.netlink.sys.Kernel.RTN_UNICAST;

/**
 * The route steps of a walk, each one {@code RTM_GETROUTE} as the kernel would decide: as a namespace
 * sends (a pod its packet, a node the encapsulated one), or as a node forwards a packet arriving on an
 * interface, with the packet's own source, so that the policy rules keyed on that interface, its
 * forwarding switch and reverse-path filtering decide as they would for the real packet.
 */
final class RouteLookups {
    private final Steps steps;

    RouteLookups(Steps steps) {
        this.steps = steps;
    }

    /** The lookup of a packet {@code state} sends itself; no route, or one that does not forward, is the break. */
    Route sent(KernelState state, InetAddress target) {
        String where = state.name();
        Route route;
        try {
            route = state.lookup(target);
        } catch (NetlinkException e) {
            steps.add(Hop.ROUTE, where, "no route to " + format(target), facts("destination", format(target), "error", e.errnoName()), List.of());
            throw new Broken(where + " has no route to " + format(target) + " (" + e.errnoName() + "): the kernel drops the packet"
                    + (state.pod() ? "; CNI ADD gives a pod its default route via the gateway" : ""));
        }
        Link out = state.link(route.outputIndex());
        String summary = format(target) + describe(route, out) + (route.preferredSource() == null ? "" : " src " + format(route.preferredSource()))
                + (route.onlink() ? " onlink" : "");
        record(state, route, target, summary, facts("src", format(route.preferredSource())), null, out);
        return route;
    }

    /**
     * The lookup of the packet from {@code source} to {@code destination} as it arrives on {@code input} of
     * {@code node}. The kernel's refusal (forwarding off, reverse-path filter, an iif rule…) is the break,
     * with its likely cause from {@link DroppedOnInput}. {@code sourceSubnet} is the source pod's subnet, or null.
     */
    Route forwarded(KernelState node, InetAddress destination, InetAddress source, IpPrefix sourceSubnet, Link input) {
        Route route;
        String packet = format(destination) + " from " + format(source);
        try {
            route = node.lookup(destination, source, input);
        } catch (NetlinkException e) {
            steps.add(Hop.ROUTE, node.name(), packet + " iif " + input.name() + ": refused, " + e.errnoName(),
                    facts("destination", format(destination), "from", format(source), "iif", input.name(), "error", e.errnoName()),
                    List.of(element(node, input)));
            throw new Broken(new DroppedOnInput(node, destination, source, sourceSubnet, input, e).why());
        }
        Link out = node.link(route.outputIndex());
        String summary = packet + describe(route, out) + " iif " + input.name() + (route.onlink() ? " onlink" : "");
        record(node, route, destination, summary, facts("from", format(source), "iif", input.name()), input, out);
        return route;
    }

    private static String describe(Route route, Link out) {
        String dev = out == null ? "index " + route.outputIndex() : out.name();
        return (route.gateway() == null ? "" : " via " + format(route.gateway())) + " dev " + dev;
    }

    /** The step of an answered lookup, then the checks that it forwards: unicast, not local, out of an interface there is. */
    private void record(KernelState state, Route route, InetAddress target, String summary, Map<String, String> more,
                        Link input, Link out) {
        String where = state.name();
        Map<String, String> facts = facts("destination", format(target), "gateway", format(route.gateway()),
                "dev", out == null ? "index " + route.outputIndex() : out.name());
        facts.putAll(more);
        facts.put("table", Integer.toUnsignedString(route.table()));
        List<String> elements = new ArrayList<>();
        if (input != null) {
            elements.add(element(state, input));
        }
        if (out != null && !out.equals(input)) {
            elements.add(element(state, out));
        }
        steps.add(Hop.ROUTE, where, route.type() == RTN_UNICAST || route.type() == RTN_LOCAL ? summary : "type " + route.type() + " " + summary,
                facts, elements);
        if (route.type() == RTN_LOCAL) {
            throw new Broken(format(target) + " is an address of " + where + " itself, not of a pod beyond it");
        }
        if (route.type() != RTN_UNICAST) {
            throw new Broken("the route to " + format(target) + " in " + where + " is of type " + route.type()
                    + " (blackhole, unreachable or prohibit): the kernel drops the packet");
        }
        if (out == null) {
            throw new Broken("the route to " + format(target) + " leaves through interface index " + route.outputIndex()
                    + ", which " + where + " does not have");
        }
    }
}
