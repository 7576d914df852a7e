package io.weft.lab.trace.svg;

import io.weft.lab.trace.Step;
import io.weft.lab.trace.Topology;
import io.weft.lab.trace.Topology.Device;
import io.weft.lab.trace.Topology.NodeBox;
import io.weft.lab.trace.Topology.PodBox;
import io.weft.lab.trace.Trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Draws a {@link Topology} as SVG, one column per node: its pods with their {@code eth0}, the veth ends,
 * the bridge, the VXLAN device and the underlay interfaces, all above one underlay line joining the
 * nodes. Every element the trace's path passes through is outlined in red and badged with the
 * numbers of its steps, the links between them are red, the underlay crossing is drawn, and the
 * element of the break is filled red. Every element is a {@code <g>} whose id is its {@code ElementId}
 * and whose class says what it is (and {@code on-path}, {@code break}). Presentation attributes
 * rather than CSS, so that simple renderers draw it the same.
 */
public final class TopologySvg {
    private static final double MARGIN = 20;
    private static final double NODE_W = 360;
    private static final double GAP = 40;
    private static final double NODE_TOP = 60;
    private static final double NODE_H = 420;
    private static final double POD_Y = 95;
    private static final double VETH_Y = 205;
    private static final double BRIDGE_Y = 265;
    private static final double VXLAN_Y = 335;
    private static final double NIC_Y = 410;
    private static final double FABRIC_Y = NODE_TOP + NODE_H + 50;
    private static final String RED = "#d62728";

    private final Topology topology;
    private final Trace trace;
    private final Set<String> onPath;
    private final Set<String> broken;
    private final Map<String, String> stepNumbers = new HashMap<>();
    private final Map<String, Box> boxes = new LinkedHashMap<>();
    private final SvgWriter svg = new SvgWriter();

    private record Box(double x, double y, double w, double h) {
        double cx() {
            return x + w / 2;
        }

        double cy() {
            return y + h / 2;
        }

        double bottom() {
            return y + h;
        }
    }

    private TopologySvg(Topology topology, Trace trace) {
        this.topology = topology;
        this.trace = trace;
        this.onPath = Set.copyOf(trace.elements());
        this.broken = trace.broken() ? Set.copyOf(trace.step(trace.brokenAt().step()).elements()) : Set.of();
        Map<String, List<Integer>> numbers = new LinkedHashMap<>();
        for (Step step : trace.steps()) {
            step.elements().forEach(id -> numbers.computeIfAbsent(id, k -> new ArrayList<>()).add(step.number()));
        }
        numbers.forEach((id, list) -> stepNumbers.put(id, list.stream().map(String::valueOf).collect(Collectors.joining(","))));
    }

    /** The topology with the path of {@code trace} highlighted. */
    public static String render(Topology topology, Trace trace) {
        return new TopologySvg(topology, trace).draw();
    }

    private String draw() {
        int columns = Math.max(1, topology.nodes().size());
        double width = 2 * MARGIN + columns * NODE_W + (columns - 1) * GAP + (trace.outOfView() != null ? 120 : 0);
        double height = FABRIC_Y + 70;
        String title = "weft trace " + trace.source().label() + " → " + trace.destination().label() + ": " + trace.path().label()
                + (trace.broken() ? " — breaks at step " + trace.brokenAt().step() : "");
        svg.open("svg", "xmlns", "http://www.w3.org/2000/svg", "width", width, "height", height,
                "viewBox", "0 0 " + (int) width + " " + (int) height, "font-family", "DejaVu Sans Mono, monospace", "font-size", 10);
        svg.element("title", title);
        svg.empty("rect", "x", 0, "y", 0, "width", width, "height", height, "fill", "#ffffff");
        svg.element("text", title, "x", MARGIN, "y", 30, "font-size", 15, "font-weight", "bold",
                "fill", trace.broken() ? RED : "#222222");
        if (trace.broken()) {
            svg.element("text", "THE BREAK: " + shorten(trace.brokenAt().why(), 160), "x", MARGIN, "y", 48, "fill", RED);
        }
        for (int i = 0; i < topology.nodes().size(); i++) {
            node(topology.nodes().get(i), MARGIN + i * (NODE_W + GAP));
        }
        fabric(width);
        wires(width);
        badges();
        svg.close("svg");
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg;
    }

    private void node(NodeBox node, double x0) {
        svg.open("g", "id", node.id(), "class", "node");
        svg.empty("rect", "x", x0, "y", NODE_TOP, "width", NODE_W, "height", NODE_H, "rx", 8, "fill", "#f4f5f7", "stroke", "#7a7f87");
        svg.element("text", "node " + node.name(), "x", x0 + 10, "y", NODE_TOP + 20, "font-size", 13, "font-weight", "bold");
        svg.close("g");

        int slots = Math.max(1, node.pods().size() + node.ports().size());
        double slotW = (NODE_W - 20) / slots;
        List<Box> bridges = bridges(node, x0);
        int slot = 0;
        for (PodBox pod : node.pods()) {
            double sx = x0 + 10 + slot++ * slotW;
            Box eth0 = pod(pod, sx + 4, slotW - 8);
            if (pod.veth() != null) {
                Box veth = device(pod.veth(), "veth", sx + 4, VETH_Y, slotW - 8, 32);
                line(eth0.cx(), eth0.bottom(), veth.cx(), veth.y(), onPath.contains(pod.eth0().id()) && onPath.contains(pod.veth().id()));
                attach(pod.veth(), veth, node, bridges);
            }
        }
        for (Device port : node.ports()) {
            double sx = x0 + 10 + slot++ * slotW;
            Box veth = device(port, "veth", sx + 4, VETH_Y, slotW - 8, 32);
            svg.element("text", "(pod not in view)", "x", veth.x() + 4, "y", VETH_Y - 6, "fill", "#7a7f87");
            attach(port, veth, node, bridges);
        }
        List<Box> nics = new ArrayList<>();
        double nicW = (NODE_W - 20 - 10 * (node.underlay().size() - 1)) / Math.max(1, node.underlay().size());
        for (int i = 0; i < node.underlay().size(); i++) {
            nics.add(device(node.underlay().get(i), "underlay", x0 + 10 + i * (nicW + 10), NIC_Y, nicW, 50));
        }
        double vxlanW = (NODE_W - 30) / 2;
        boolean vxlanOnPath = false;
        for (int i = 0; i < node.vxlans().size(); i++) {
            Device vxlan = node.vxlans().get(i);
            Box box = device(vxlan, "vxlan", x0 + 10 + i * (vxlanW + 10), VXLAN_Y, vxlanW, 58);
            vxlanOnPath |= onPath.contains(vxlan.id());
            if (!bridges.isEmpty()) {
                line(bridges.getFirst().cx(), bridges.getFirst().bottom(), box.cx(), box.y(),
                        onPath.contains(vxlan.id()) && onPath.contains(node.bridges().getFirst().id()));
            }
            for (int n = 0; n < nics.size(); n++) {
                if (node.underlay().get(n).name().equals(vxlan.attachedTo())) {
                    line(box.cx(), box.bottom(), nics.get(n).cx(), nics.get(n).y(),
                            onPath.contains(vxlan.id()) && onPath.contains(node.underlay().get(n).id()));
                }
            }
        }
        // routed straight between the bridge and the underlay: direct routing
        for (int b = 0; b < bridges.size() && !vxlanOnPath; b++) {
            for (int n = 0; n < nics.size(); n++) {
                if (onPath.contains(node.bridges().get(b).id()) && onPath.contains(node.underlay().get(n).id())) {
                    Box bridge = bridges.get(b);
                    line(bridge.x() + bridge.w() - 30, bridge.bottom(), nics.get(n).x() + nics.get(n).w() - 30, nics.get(n).y(), true);
                }
            }
        }
        for (Box nic : nics) {
            line(nic.cx(), nic.bottom(), nic.cx(), FABRIC_Y, false);
        }
    }

    /** The pod box with its eth0 inside; returns eth0's box. */
    private Box pod(PodBox pod, double x, double w) {
        boolean path = onPath.contains(pod.eth0().id());
        svg.open("g", "id", pod.id(), "class", "pod");
        svg.empty("rect", "x", x, "y", POD_Y, "width", w, "height", 92, "rx", 6, "fill", "#e8f0fe", "stroke", path ? RED : "#4a73c8",
                "stroke-width", path ? 2 : 1);
        svg.element("text", shorten(pod.name(), (int) (w / 7)), "x", x + 6, "y", POD_Y + 16, "font-size", 12, "font-weight", "bold");
        svg.element("text", pod.ip(), "x", x + 6, "y", POD_Y + 31);
        svg.close("g");
        return device(pod.eth0(), "pod-interface", x + 6, POD_Y + 40, w - 12, 44);
    }

    private List<Box> bridges(NodeBox node, double x0) {
        List<Box> boxes = new ArrayList<>();
        double w = (NODE_W - 20 - 10 * (node.bridges().size() - 1)) / Math.max(1, node.bridges().size());
        for (int i = 0; i < node.bridges().size(); i++) {
            boxes.add(device(node.bridges().get(i), "bridge", x0 + 10 + i * (w + 10), BRIDGE_Y, w, 44));
        }
        return boxes;
    }

    /** A line from a veth down to the bridge it is a port of. */
    private void attach(Device veth, Box box, NodeBox node, List<Box> bridges) {
        for (int i = 0; i < node.bridges().size(); i++) {
            Device bridge = node.bridges().get(i);
            if (bridge.name().equals(veth.attachedTo())) {
                line(box.cx(), box.bottom(), box.cx(), bridges.get(i).y(), onPath.contains(veth.id()) && onPath.contains(bridge.id()));
            }
        }
    }

    private Box device(Device device, String kind, double x, double y, double w, double h) {
        Box box = new Box(x, y, w, h);
        boxes.put(device.id(), box);
        boolean path = onPath.contains(device.id());
        boolean breaks = broken.contains(device.id());
        svg.open("g", "id", device.id(), "class", "device " + kind + (path ? " on-path" : "") + (breaks ? " break" : ""));
        svg.empty("rect", "x", x, "y", y, "width", w, "height", h, "rx", 4, "fill", breaks ? "#fbd3d3" : "#ffffff",
                "stroke", path ? RED : "#555555", "stroke-width", path ? 3 : 1);
        int chars = Math.max(6, (int) ((w - 10) / 6.1));
        svg.element("text", shorten(device.name(), chars), "x", x + 5, "y", y + 13, "font-weight", "bold");
        double line = y + 25;
        for (String detail : device.details()) {
            if (line > y + h - 3) {
                break;
            }
            svg.element("text", shorten(detail, chars), "x", x + 5, "y", line, "font-size", 9, "fill", "#333333");
            line += 11;
        }
        svg.close("g");
        return box;
    }

    private void line(double x1, double y1, double x2, double y2, boolean path) {
        svg.empty("line", "x1", x1, "y1", y1, "x2", x2, "y2", y2, "stroke", path ? RED : "#9aa0a6", "stroke-width", path ? 3 : 1.5);
    }

    private void fabric(double width) {
        svg.open("g", "id", "underlay", "class", "underlay-network");
        svg.empty("line", "x1", MARGIN, "y1", FABRIC_Y, "x2", width - MARGIN, "y2", FABRIC_Y, "stroke", "#444444", "stroke-width", 4);
        svg.element("text", "underlay network", "x", MARGIN, "y", FABRIC_Y + 18, "fill", "#444444");
        svg.close("g");
    }

    /**
     * The underlay crossings of the path: down from the interface the packet leaves by to the underlay
     * line, along it, and up into the other node (or off the right edge when that node is not in view).
     */
    private void wires(double width) {
        List<String> elements = trace.elements();
        for (int i = 0; i < elements.size(); i++) {
            if (elements.get(i).startsWith("wire--")) {
                Box from = i > 0 ? boxes.get(elements.get(i - 1)) : null;
                Box to = i + 1 < elements.size() ? boxes.get(elements.get(i + 1)) : null;
                wire(elements.get(i), from, to, width);
            }
        }
    }

    private void wire(String id, Box from, Box to, double width) {
        if (from == null) {
            return;
        }
        double endX = to != null ? to.cx() : width - MARGIN;
        double endY = to != null ? to.bottom() : FABRIC_Y - 12;
        String points = String.format(java.util.Locale.ROOT, "%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", from.cx(), from.bottom(),
                from.cx(), FABRIC_Y - 12, endX, FABRIC_Y - 12, endX, endY);
        Step encapsulation = trace.steps().stream().filter(step -> step.elements().contains(id)).findFirst().orElseThrow();
        String label = encapsulation.fact("udp-port") != null
                ? "VXLAN VNI " + encapsulation.fact("vni") + " in UDP " + encapsulation.fact("outer-src") + " → "
                + encapsulation.fact("outer-dst") + ":" + encapsulation.fact("udp-port")
                : "routed, no encapsulation";
        svg.open("g", "id", id, "class", "wire on-path" + (broken.contains(id) ? " break" : ""));
        svg.empty("polyline", "points", points, "fill", "none", "stroke", RED, "stroke-width", 3);
        svg.element("text", label, "x", Math.min(from.cx(), endX) + 6, "y", FABRIC_Y - 18, "fill", RED);
        svg.close("g");
    }

    /** A red badge with the step numbers at the top right of each element on the path. */
    private void badges() {
        stepNumbers.forEach((id, numbers) -> {
            Box box = boxes.get(id);
            if (box == null) {
                return;
            }
            double w = 8 + numbers.length() * 6;
            double x = box.x() + box.w() - w + 4;
            double y = box.y() - 8;
            svg.open("g", "class", "badge");
            svg.empty("rect", "x", x, "y", y, "width", w, "height", 14, "rx", 7, "fill", RED);
            svg.element("text", numbers, "x", x + 4, "y", y + 10, "fill", "#ffffff", "font-size", 9, "font-weight", "bold");
            svg.close("g");
        });
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, Math.max(1, max - 1)) + "…";
    }
}
