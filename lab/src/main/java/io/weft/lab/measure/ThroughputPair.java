package io.weft.lab.measure;

import java.util.Objects;

/**
 * One path to measure throughput over: a client namespace sending to a server address in another.
 *
 * @param label        what the report calls this path ({@code same-node}, {@code cross-node}, …)
 * @param kind         which path it is; the {@link Kind#UNDERLAY} result is the baseline of the others' ratios
 * @param clientNetns  the namespace the sender runs in (a name under {@code /run/netns})
 * @param serverNetns  the namespace the receiver runs in
 * @param serverIp     the receiver's address, an address of {@code serverNetns}
 */
public record ThroughputPair(String label, Kind kind, String clientNetns, String serverNetns, String serverIp) {
    /** The paths the demo compares. */
    public enum Kind {
        /** Two pods on one node: veth, bridge, veth. */
        SAME_NODE,
        /** Two pods on different nodes: through the overlay (VXLAN) or a direct route. */
        CROSS_NODE,
        /** Two nodes' underlay addresses: the path the overlay itself runs on, the baseline. */
        UNDERLAY
    }

    public ThroughputPair {
        requireText(label, "label");
        Objects.requireNonNull(kind, "kind");
        requireText(clientNetns, "clientNetns");
        requireText(serverNetns, "serverNetns");
        requireText(serverIp, "serverIp");
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
    }
}
