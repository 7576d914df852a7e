package io.weft.cli;

import io.weft.lab.Lab;
import io.weft.lab.LabException;
import io.weft.lab.LabInspector;
import io.weft.lab.LabNode;
import io.weft.lab.LabOptions;
import io.weft.lab.LabPod;
import io.weft.lab.measure.ConnectivityMatrix;
import io.weft.lab.measure.DemoReport;
import io.weft.lab.measure.MatrixResult;
import io.weft.lab.measure.NodeRow;
import io.weft.lab.measure.PairResult;
import io.weft.lab.measure.Throughput;
import io.weft.lab.measure.ThroughputPair;
import io.weft.lab.measure.ThroughputResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code weft demo}: a lab up, every pod to every pod, throughput on three paths, the report, the lab
 * down again. The exit status says whether everything passed.
 */
@Command(name = "demo", header = "Bring up a lab, connect and measure every pod pair, report, take it down.", sortOptions = false,
        description = "Bring up a lab (3 nodes x 2 pods by default), connect every pod to every other pod (TCP connect and round trips, from inside the pods), measure throughput between two pods of one node, two pods of different nodes and two nodes' underlay addresses (iperf3 when installed, else a built-in stream), print the report and take the lab down. Exits 1 when any pair fails. See docs/lab.md.")
final class DemoCommand implements Callable<Integer> {
    private static final Duration PAIR_TIMEOUT = Duration.ofSeconds(5);

    @Mixin
    LabShape shape;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3", description = "How long each throughput stream runs (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--keep", description = "Leave the lab up afterwards, to explore with weft lab exec and weft lab status.")
    boolean keep;

    @Option(names = "--json", description = "The report as JSON on stdout (progress goes to stderr).")
    boolean json;

    @Mixin
    LabPlace place;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter progressTo = json ? err : out;
        Consumer<String> progress = line -> LabCommand.progress(progressTo, line);
        LabOptions options;
        try {
            options = shape.options();
            if (seconds < 1 || seconds > 60) {
                throw new IllegalArgumentException("--seconds: " + seconds + " is not in 1..60");
            }
        } catch (IllegalArgumentException e) {
            err.println("weft demo: " + e.getMessage());
            return 2;
        }
        try (InterruptOnShutdown shutdown = InterruptOnShutdown.install(LabCommand.DOWN_WAIT, () -> LabCommand.progress(err,
                keep ? "interrupted: keeping the lab (--keep)" : "interrupted: taking the lab down"))) {
            return run(options, progress, shutdown);
        }
    }

    /**
     * Up, measure, report, down. A signal interrupts whichever step runs; it stops at once and the lab
     * is taken down here, on this thread, after it: never while lab up still makes it.
     */
    private int run(LabOptions options, Consumer<String> progress, InterruptOnShutdown shutdown) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Lab lab;
        try {
            lab = place.up(progress).up(options);
        } catch (LabException | IllegalArgumentException e) { // it removed what it made, or refused to touch a lab that is there
            err.println("weft demo: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) { // it left what it made, as lab.json says, to lab down
            finish(progress, err, shutdown);
            return LabCommand.INTERRUPTED;
        }
        try {
            DemoReport report = measure(lab, progress);
            out.print(json ? report.json() + "\n" : "\n" + report.text());
            out.flush();
            return report.passed() ? 0 : 1;
        } catch (InterruptedException e) {
            return LabCommand.INTERRUPTED;
        } finally {
            finish(progress, err, shutdown);
        }
    }

    private void finish(Consumer<String> progress, PrintWriter err, InterruptOnShutdown shutdown) throws InterruptedException {
        shutdown.cleaningUp();
        if (keep) {
            progress.accept("kept the lab: weft lab status" + place.dirFlag() + ", weft lab exec" + place.dirFlag() + " node1 -- ip route,"
                    + " weft lab down" + place.dirFlag());
        } else {
            place.down(progress, err, "weft demo");
        }
    }

    private DemoReport measure(Lab lab, Consumer<String> progress) throws InterruptedException {
        progress.accept("connectivity: " + lab.pods().size() + " pods, " + lab.pods().size() * (lab.pods().size() - 1) + " pairs");
        MatrixResult matrix = ConnectivityMatrix.measure(lab.pods(), PAIR_TIMEOUT, false, pair -> {
            if (pair instanceof PairResult.Unreached failed) { // as soon as it is known, not only in the report
                progress.accept("  " + failed.from() + " -> " + failed.to() + ": " + failed.reason().label() + " (" + failed.detail() + ")");
            }
        });
        progress.accept("connectivity: " + (matrix.passed() ? "every pair reached" : matrix.failures().size() + " pairs FAILED"));
        List<ThroughputResult> throughput = new ArrayList<>();
        for (ThroughputPair pair : throughputPairs(lab)) {
            progress.accept("throughput " + pair.label() + ": " + pair.clientNetns() + " -> " + pair.serverIp() + " for " + seconds + " s");
            throughput.add(Throughput.measure(pair, Duration.ofSeconds(seconds)));
        }
        return new DemoReport(nodeRows(lab), matrix, throughput);
    }

    /** A pair of pods on the first node, a pod of the first node to one of the last, and those two nodes' underlay. */
    static List<ThroughputPair> throughputPairs(Lab lab) {
        List<ThroughputPair> pairs = new ArrayList<>();
        LabNode first = lab.nodes().getFirst();
        LabNode last = lab.nodes().getLast();
        List<LabPod> onFirst = lab.podsOn(first.name());
        if (onFirst.size() >= 2) {
            pairs.add(new ThroughputPair("same node (" + first.name() + ")", ThroughputPair.Kind.SAME_NODE,
                    onFirst.get(0).netns(), onFirst.get(1).netns(), onFirst.get(1).ip()));
        }
        if (first != last) {
            Optional<LabPod> from = onFirst.stream().findFirst();
            Optional<LabPod> to = lab.podsOn(last.name()).stream().findFirst();
            if (from.isPresent() && to.isPresent()) {
                pairs.add(new ThroughputPair("cross node (" + first.name() + " -> " + last.name() + ")", ThroughputPair.Kind.CROSS_NODE,
                        from.get().netns(), to.get().netns(), to.get().ip()));
            }
            pairs.add(new ThroughputPair("underlay (" + first.name() + " -> " + last.name() + ")", ThroughputPair.Kind.UNDERLAY,
                    first.netns(), last.netns(), last.underlayIp()));
        }
        return pairs;
    }

    /** Each node as its kernel has it: underlay, pod subnet, VTEP MAC, and vxlan or direct to each peer. */
    static List<NodeRow> nodeRows(Lab lab) {
        return LabInspector.inspect(lab).stream().map(view -> {
            Map<String, String> modes = new LinkedHashMap<>();
            view.peers().forEach((peer, mode) -> modes.put(peer, mode.label()));
            return new NodeRow(view.name(), view.underlayIp(), view.podSubnet().orElse("-"), view.vtepMac().orElse("-"), modes);
        }).toList();
    }
}
