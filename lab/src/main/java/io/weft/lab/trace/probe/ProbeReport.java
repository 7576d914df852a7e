package io.weft.lab.trace.probe;

import io.weft.netlink.IpPrefix;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Locale;

/** A probe's result as text (what each capture point saw, in path order) and as JSON. */
public final class ProbeReport {
    private ProbeReport() {}

    public static String text(ProbeResult result) {
        StringBuilder text = new StringBuilder("Probe: ").append(result.sent()).append('\n');
        for (ProbeResult.Capture capture : result.captures()) {
            text.append("  at ").append(capture.point().label()).append(":\n");
            if (capture.error() != null) {
                text.append("    (no capture: ").append(capture.error()).append(")\n");
            } else if (capture.observations().isEmpty()) {
                text.append("    nothing\n");
            }
            for (ProbeResult.Observation observation : capture.observations()) {
                text.append(String.format("    %-3s %s%n", observation.direction(), observation.packet().summary()));
            }
        }
        text.append(switch (result.delivery()) {
            case DELIVERED -> "Delivered: the destination pod received the datagram.";
            case LOST -> "Lost: the destination pod did not receive the datagram.";
            case NOT_OBSERVED -> "Delivery not observed: the destination pod is not in view.";
        }).append('\n');
        return text.toString();
    }

    public static ObjectNode json(ProbeResult result) {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("sent", result.sent())
                .put("delivery", result.delivery().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        ArrayNode captures = json.putArray("captures");
        for (ProbeResult.Capture capture : result.captures()) {
            ObjectNode each = captures.addObject().put("node", capture.point().node()).put("interface", capture.point().interfaceName());
            if (capture.error() != null) {
                each.put("error", capture.error());
            }
            ArrayNode frames = each.putArray("frames");
            for (ProbeResult.Observation observation : capture.observations()) {
                ObjectNode frame = frames.addObject().put("direction", observation.direction()).put("summary", observation.packet().summary());
                packet(frame, observation.packet());
            }
        }
        return json;
    }

    private static void packet(ObjectNode json, Packet packet) {
        switch (packet) {
            case Packet.Arp arp -> json.put("type", arp.request() ? "arp-request" : arp.reply() ? "arp-reply" : "arp")
                    .put("senderMac", arp.senderMac().toString()).put("senderIp", IpPrefix.formatAddress(arp.senderIp()))
                    .put("targetMac", arp.targetMac().toString()).put("targetIp", IpPrefix.formatAddress(arp.targetIp()));
            case Packet.Datagram datagram -> json.put("type", "udp")
                    .put("srcMac", datagram.sourceMac().toString()).put("dstMac", datagram.destinationMac().toString())
                    .put("src", IpPrefix.formatAddress(datagram.source())).put("dst", IpPrefix.formatAddress(datagram.destination()))
                    .put("srcPort", datagram.sourcePort()).put("dstPort", datagram.destinationPort());
            case Packet.Vxlan vxlan -> {
                json.put("type", "vxlan").put("vni", vxlan.vni());
                packet(json.putObject("outer"), vxlan.outer());
                if (vxlan.inner() != null) {
                    packet(json.putObject("inner"), vxlan.inner());
                }
            }
        }
    }
}
