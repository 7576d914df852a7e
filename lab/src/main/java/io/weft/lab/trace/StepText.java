package io.weft.lab.trace;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.link.Link;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static io.weft.netlink.sys.Kernel.*;

/** How steps write what they read: addresses, interface states, neighbour states, facts, drawing elements. */
final class StepText {
    private StepText() {}

    /** The element of an interface: a pod's own, or a node's. */
    static String element(KernelState state, Link link) {
        return state.pod() ? ElementId.podInterface(state.name(), link.name()) : ElementId.device(state.name(), link.name());
    }

    static String state(Link link) {
        return !link.up() ? "DOWN" : link.lowerUp() ? "UP" : "UP,NO-CARRIER";
    }

    static String kindName(Link link) {
        String name = link.kind().typeName();
        return name.isEmpty() ? "physical or loopback" : name;
    }

    /** The {@code NUD_*} bits as {@code ip neigh} names them. */
    static String neighbourState(int state) {
        Map<Integer, String> names = new LinkedHashMap<>();
        names.put(NUD_INCOMPLETE, "INCOMPLETE");
        names.put(NUD_REACHABLE, "REACHABLE");
        names.put(NUD_STALE, "STALE");
        names.put(NUD_DELAY, "DELAY");
        names.put(NUD_PROBE, "PROBE");
        names.put(NUD_FAILED, "FAILED");
        names.put(NUD_NOARP, "NOARP");
        names.put(NUD_PERMANENT, "PERMANENT");
        String text = names.entrySet().stream().filter(e -> (state & e.getKey()) != 0).map(Map.Entry::getValue)
                .collect(Collectors.joining(","));
        return text.isEmpty() ? "NONE" : text;
    }

    static String format(InetAddress address) {
        return address == null ? null : IpPrefix.formatAddress(address);
    }

    /** Facts from name, value pairs; null values are left out. */
    static Map<String, String> facts(String... pairs) {
        Map<String, String> facts = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                facts.put(pairs[i], pairs[i + 1]);
            }
        }
        return facts;
    }
}
