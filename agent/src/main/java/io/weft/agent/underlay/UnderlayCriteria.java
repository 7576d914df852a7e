package io.weft.agent.underlay;

import io.weft.agent.ConfigException;
import io.weft.netlink.IpPrefix;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How to find the interface that carries traffic between nodes, strongest first: {@code --iface}
 * (names or addresses, the first present wins), else {@code --iface-regex} (matched against names and
 * addresses), else {@code --iface-can-reach} (the interface the kernel would send to that address
 * through), else the interface of the default route. A stronger criterion that finds nothing is an
 * error, never a silent fall-through to a weaker one: a wrong underlay is the mistake users make most.
 *
 * @param ifaces interface names or IP addresses
 * @param ifaceRegexes regular expressions for interface names or their addresses
 * @param canReach an address to route to
 */
public record UnderlayCriteria(List<String> ifaces, List<Pattern> ifaceRegexes, Optional<InetAddress> canReach) {
    private static final Pattern INTERFACE_NAME = Pattern.compile("[^/\\s:]{1,15}");

    public UnderlayCriteria {
        ifaces = List.copyOf(ifaces);
        ifaceRegexes = List.copyOf(ifaceRegexes);
        for (String iface : ifaces) {
            if (!isAddress(iface) && !INTERFACE_NAME.matcher(iface).matches()) {
                throw new ConfigException("--iface", "\"" + iface + "\" is neither an IP address nor an interface name"
                        + " (1 to 15 characters, no '/', ':' or whitespace)");
            }
        }
    }

    /** The default: the interface of the default route. */
    public static UnderlayCriteria defaultRoute() {
        return new UnderlayCriteria(List.of(), List.of(), Optional.empty());
    }

    /** Compiles {@code --iface-regex} values; a bad one is a {@link ConfigException} quoting it. */
    public static List<Pattern> compile(List<String> regexes) {
        return regexes.stream().map(regex -> {
            try {
                return Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new ConfigException("--iface-regex", "\"" + regex + "\" is not a regular expression: " + e.getDescription());
            }
        }).toList();
    }

    static boolean isAddress(String text) {
        try {
            IpPrefix.parseAddress(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
