package io.weft.lab.trace;

import java.util.List;
import java.util.Map;

/**
 * One numbered step of a trace, as read from the kernel.
 *
 * @param number   1, 2, … in the order the packet meets them
 * @param hop      what sort of step it is
 * @param where    the node or pod whose namespace holds what the step shows
 * @param summary  one line with the real names, MACs and addresses, e.g. {@code 10.42.3.0 lladdr 0e:00:00:00:00:03 dev weft.1 PERMANENT}
 * @param facts    the same as named values ({@code mac}, {@code mtu}, {@code vni}…), for {@code --json} and tests
 * @param elements the ids of the drawn topology elements the step passes through (see {@link ElementId})
 */
public record Step(int number, Hop hop, String where, String summary, Map<String, String> facts, List<String> elements) {
    public Step {
        facts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(facts));
        elements = List.copyOf(elements);
    }

    /** The value of a fact, or null. */
    public String fact(String name) {
        return facts.get(name);
    }
}
