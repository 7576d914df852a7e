package io.weft.agent.underlay;

import io.weft.agent.ConfigException;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;
import io.weft.netlink.route.Route;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.weft.netlink.sys.Kernel.AF_INET;
import static io.weft.netlink.sys.Kernel.RTN_UNICAST;
import static io.weft.netlink.sys.Kernel.RT_SCOPE_HOST;
import static io.weft.netlink.sys.Kernel.RT_TABLE_MAIN;

/**
 * Finds the underlay interface in a node's namespace, by {@link UnderlayCriteria}, reading links,
 * addresses and routes only. What it finds names its address: the one given with {@code --iface IP},
 * else the interface's first IPv4 address (as Flannel), else its first global IPv6 one.
 */
public final class UnderlaySelector {
    private final Netlink node;

    public UnderlaySelector(Netlink node) {
        this.node = node;
    }

    /** The underlay, or a {@link ConfigException} naming the flag whose criterion found nothing usable. */
    public UnderlayInterface select(UnderlayCriteria criteria) {
        List<Link> links = node.links().list();
        List<Address> addresses = node.addresses().list();
        if (!criteria.ifaces().isEmpty()) {
            return byIface(criteria.ifaces(), links, addresses);
        }
        if (!criteria.ifaceRegexes().isEmpty()) {
            return byRegex(criteria.ifaceRegexes(), links, addresses);
        }
        if (criteria.canReach().isPresent()) {
            return byRoute(criteria.canReach().get(), links, addresses);
        }
        return byDefaultRoute(links, addresses);
    }

    private static UnderlayInterface byIface(List<String> ifaces, List<Link> links, List<Address> addresses) {
        for (String iface : ifaces) {
            if (UnderlayCriteria.isAddress(iface)) {
                InetAddress wanted = IpPrefix.parseAddress(iface);
                Optional<Address> owner = addresses.stream().filter(a -> a.prefix().address().equals(wanted)).findFirst();
                if (owner.isPresent()) {
                    Link link = byIndex(links, owner.get().linkIndex());
                    return chosen("--iface", link, owner.get().prefix(), "--iface " + iface + " is its address");
                }
            } else {
                Optional<Link> link = links.stream().filter(l -> l.name().equals(iface)).findFirst();
                if (link.isPresent()) {
                    return chosen("--iface", link.get(), addressOf("--iface", link.get(), addresses), "--iface " + iface);
                }
            }
        }
        throw new ConfigException("--iface", "none of " + String.join(", ", ifaces)
                + " is an interface here or an address of one (interfaces: " + names(links) + ")");
    }

    private static UnderlayInterface byRegex(List<Pattern> regexes, List<Link> links, List<Address> addresses) {
        for (Pattern regex : regexes) {
            for (Link link : links) {
                if (isLoopback(link, addresses)) {
                    continue;
                }
                if (regex.matcher(link.name()).matches()) {
                    return chosen("--iface-regex", link, addressOf("--iface-regex", link, addresses),
                            "--iface-regex " + regex + " matches its name");
                }
                Optional<Address> matching = addresses.stream()
                        .filter(a -> a.linkIndex() == link.index())
                        .filter(a -> regex.matcher(IpPrefix.formatAddress(a.prefix().address())).matches())
                        .findFirst();
                if (matching.isPresent()) {
                    return chosen("--iface-regex", link, matching.get().prefix(),
                            "--iface-regex " + regex + " matches its address " + IpPrefix.formatAddress(matching.get().prefix().address()));
                }
            }
        }
        throw new ConfigException("--iface-regex", "no interface name or address matches "
                + regexes.stream().map(Pattern::pattern).collect(Collectors.joining(", ")) + " (interfaces: " + names(links) + ")");
    }

    private UnderlayInterface byRoute(InetAddress destination, List<Link> links, List<Address> addresses) {
        String target = IpPrefix.formatAddress(destination);
        Route route;
        try {
            route = node.routes().lookup(destination);
        } catch (NetlinkException e) {
            throw new ConfigException("--iface-can-reach", "no route to " + target + " (" + e.getMessage() + ")");
        }
        if (route.outputIndex() == 0) {
            throw new ConfigException("--iface-can-reach", "the route to " + target + " leaves through no interface: " + route);
        }
        Link link = byIndex(links, route.outputIndex());
        IpPrefix address = route.preferredSource() == null ? addressOf("--iface-can-reach", link, addresses)
                : addresses.stream().filter(a -> a.linkIndex() == link.index() && a.prefix().address().equals(route.preferredSource()))
                        .map(Address::prefix).findFirst().orElseGet(() -> addressOf("--iface-can-reach", link, addresses));
        return chosen("--iface-can-reach", link, address, "--iface-can-reach " + target + ": the route to it leaves through it");
    }

    private UnderlayInterface byDefaultRoute(List<Link> links, List<Address> addresses) {
        Route route = node.routes().list(AF_INET).stream()
                .filter(r -> r.destination().length() == 0 && r.table() == RT_TABLE_MAIN && r.type() == RTN_UNICAST)
                .filter(r -> r.outputIndex() != 0)
                .min(Comparator.comparing(Route::metric, Integer::compareUnsigned))
                .orElseThrow(() -> new ConfigException("--iface", "is needed: this node has no IPv4 default route to"
                        + " find the underlay by; name it with --iface, --iface-regex or --iface-can-reach"));
        Link link = byIndex(links, route.outputIndex());
        return chosen("--iface", link, addressOf("--iface", link, addresses),
                "the default route" + (route.gateway() == null ? "" : " via " + IpPrefix.formatAddress(route.gateway()))
                        + " leaves through it");
    }

    private static UnderlayInterface chosen(String field, Link link, IpPrefix address, String reason) {
        if (link.mtu() <= 0) {
            throw new ConfigException(field, link.name() + " reports no MTU");
        }
        return new UnderlayInterface(link.name(), link.index(), address, link.mtu(), reason);
    }

    /** The interface's first IPv4 address, else its first global IPv6 address. */
    private static IpPrefix addressOf(String field, Link link, List<Address> addresses) {
        List<Address> own = addresses.stream().filter(a -> a.linkIndex() == link.index()).toList();
        return own.stream().filter(a -> a.prefix().isIpv4()).findFirst()
                .or(() -> own.stream().filter(a -> !a.prefix().isIpv4() && !a.prefix().address().isLinkLocalAddress()).findFirst())
                .map(Address::prefix)
                .orElseThrow(() -> new ConfigException(field, link.name() + " has no IPv4 or global IPv6 address to send from"));
    }

    private static boolean isLoopback(Link link, List<Address> addresses) {
        return link.name().equals("lo") || addresses.stream().anyMatch(a -> a.linkIndex() == link.index() && a.scope() == RT_SCOPE_HOST);
    }

    private static Link byIndex(List<Link> links, int index) {
        return links.stream().filter(l -> l.index() == index).findFirst()
                .orElseThrow(() -> new IllegalStateException("interface index " + index + " vanished while choosing the underlay"));
    }

    private static String names(List<Link> links) {
        return links.stream().map(Link::name).collect(Collectors.joining(", "));
    }
}
