package io.weft.cli;

import io.weft.lab.Lab;
import io.weft.lab.LabNode;
import io.weft.lab.LabPod;
import io.weft.lab.trace.LabView;
import io.weft.lab.trace.Topology;
import io.weft.lab.trace.Trace;
import io.weft.lab.trace.TraceEndpoint;
import io.weft.lab.trace.TraceNode;
import io.weft.lab.trace.TraceReport;
import io.weft.lab.trace.TraceScope;
import io.weft.lab.trace.Tracer;
import io.weft.lab.trace.probe.Probe;
import io.weft.lab.trace.probe.ProbeReport;
import io.weft.lab.trace.probe.ProbeResult;
import io.weft.lab.trace.svg.TopologySvg;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.sys.AtomicFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code weft trace SRC DST}: the path of a packet between two pods, from live kernel state. In a lab,
 * SRC and DST are pod names or addresses; on a real node, addresses, with the source pod's namespace
 * ({@code --src-netns}) and, when the destination runs on this node too, its own ({@code --dst-netns}).
 * Exits 0 when the path is complete (or leaves what can be seen), 1 at a break or a lost probe, 2 on
 * bad input.
 */
@Command(name = "trace", header = "Trace a packet's path between two pods through live kernel state.",
        sortOptions = false,
        description = "Trace the path of a packet from pod SRC to pod DST through live kernel state: the pod's route, eth0, veth and the bridge, ARP, then the node's route: weft.1 (VXLAN: neighbour, FDB, the underlay route, the encapsulation, the other node) or a direct route, and the same on the other side. The first missing or wrong step is shown as THE BREAK, with why. Changes nothing (--probe sends one datagram).")
final class TraceCommand implements Callable<Integer> {
    private static final Duration PROBE_WAIT = Duration.ofSeconds(5);

    @Parameters(index = "0", paramLabel = "SRC", description = "The source pod: a lab pod's name or address; with --src-netns, its address.")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "The destination pod, likewise.")
    String destination;

    @Option(names = "--lab-dir", paramLabel = "DIR", defaultValue = Lab.DEFAULT_DIR_NAME,
            description = "The lab to trace in, as weft lab up left it (default: ${DEFAULT-VALUE}).")
    Path labDir;

    @Option(names = "--src-netns", paramLabel = "PATH",
            description = "On a real node: the source pod's network namespace (/proc/PID/ns/net, /run/netns/NAME).")
    Path sourceNetns;

    @Option(names = "--dst-netns", paramLabel = "PATH",
            description = "On a real node: the destination pod's namespace, when it runs on this node too.")
    Path destinationNetns;

    @Option(names = "--json", description = "Print the trace (and the probe) as JSON.")
    boolean json;

    @Option(names = "--svg", paramLabel = "FILE", description = "Also draw the topology with the path highlighted into FILE.")
    Path svg;

    @Option(names = "--probe", description = "Also send one UDP datagram from SRC to DST and show the ARP exchanges and frames"
            + " (VXLAN-encapsulated where it crosses so) that packet sockets on the path see.")
    boolean probe;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TraceScope scope;
        TraceEndpoint from;
        TraceEndpoint to;
        try {
            if (sourceNetns == null && destinationNetns != null) {
                throw new IllegalArgumentException("--dst-netns needs --src-netns: it is for tracing on a real node");
            }
            if (sourceNetns != null) {
                TraceNode here = TraceNode.here(hostName());
                from = new TraceEndpoint(source, address(source, "SRC"), sourceNetns, here);
                to = new TraceEndpoint(destination, address(destination, "DST"), destinationNetns, destinationNetns == null ? null : here);
                List<TraceEndpoint> pods = new ArrayList<>(List.of(from));
                if (destinationNetns != null) {
                    pods.add(to);
                }
                scope = new TraceScope(List.of(here), pods);
            } else {
                scope = TraceScope.of(labView(labDir));
                from = scope.resolve(source);
                to = scope.resolve(destination);
            }
        } catch (IllegalArgumentException e) {
            err.println("weft trace: " + e.getMessage());
            return 2;
        }

        Trace trace;
        ProbeResult sent = null;
        try {
            trace = Tracer.trace(scope, from, to);
            if (probe) {
                sent = Probe.send(trace, PROBE_WAIT);
            }
            if (svg != null) {
                AtomicFile.replace(svg, TopologySvg.render(Topology.read(scope), trace).getBytes(StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            err.println("weft trace: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("weft trace: " + e.getMessage()); // the kernel refused a read: EPERM without root, a namespace gone
            return 1;
        }

        if (json) {
            ObjectNode document = TraceReport.json(trace);
            if (sent != null) {
                document.set("probe", ProbeReport.json(sent));
            }
            out.println(document.toPrettyString());
        } else {
            out.print(TraceReport.text(trace));
            if (sent != null) {
                out.println();
                out.print(ProbeReport.text(sent));
            }
            if (svg != null) {
                out.println("SVG: " + svg);
            }
        }
        out.flush();
        return trace.broken() || (sent != null && sent.delivery() == ProbeResult.Delivery.LOST) ? 1 : 0;
    }

    private static InetAddress address(String text, String what) {
        try {
            return IpPrefix.parseAddress(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " must be the pod's IP address with --src-netns, not \"" + text + "\"", e);
        }
    }

    /** This machine's name as its UTS namespace has it, to name the node in steps; {@code node} when unreadable. */
    private static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? "node" : name;
        } catch (IOException e) {
            return "node";
        }
    }

    /** The lab in {@code dir} as the trace sees it; an {@link IllegalArgumentException} when there is none. */
    private static LabView labView(Path dir) {
        Lab lab;
        try {
            lab = Lab.load(dir);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no lab at " + dir + " (" + e.getFile() + " does not exist): start one with weft lab up,"
                    + " or trace on a real node with --src-netns", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new LoadedLab(lab.nodes(), lab.pods());
    }

    private record LoadedLab(List<LabNode> nodes, List<LabPod> pods) implements LabView {
    }
}
