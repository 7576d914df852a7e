package io.weft.lab.trace.probe;

import io.weft.lab.trace.CapturePoint;

import java.util.List;

/**
 * What a probe saw: the datagram it sent, what crossed each capture point (in the order that point saw
 * it) and whether the destination pod received it.
 *
 * @param sent      the datagram, e.g. {@code UDP 10.42.1.2 → 10.42.3.2:40123 "weft-trace-probe 5f2a…"}
 * @param captures  per capture point on the path, in path order
 * @param delivery  whether it arrived
 */
public record ProbeResult(String sent, List<Capture> captures, Delivery delivery) {
    public ProbeResult {
        captures = List.copyOf(captures);
    }

    /** Whether the destination received the datagram. */
    public enum Delivery {
        /** A socket bound in the destination pod received it. */
        DELIVERED,
        /** The destination pod is in view, but nothing arrived within the wait. */
        LOST,
        /** The destination pod is not in view, so delivery cannot be seen. */
        NOT_OBSERVED
    }

    /**
     * The frames of interest that crossed one interface: ARP, and the probe's datagram, plain or in VXLAN.
     *
     * @param error why nothing could be captured there (the interface is down…), or null
     */
    public record Capture(CapturePoint point, List<Observation> observations, String error) {
        public Capture {
            observations = List.copyOf(observations);
        }
    }

    /** One frame, sent out of the interface ({@code outgoing}) or received on it. */
    public record Observation(boolean outgoing, Packet packet) {
        public String direction() {
            return outgoing ? "out" : "in";
        }
    }

    /** Every observation of all capture points, in path order. */
    public List<Packet> packets() {
        return captures.stream().flatMap(capture -> capture.observations().stream()).map(Observation::packet).toList();
    }
}
