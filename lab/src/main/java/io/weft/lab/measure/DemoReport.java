package io.weft.lab.measure;

import io.weft.lab.LabPod;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What {@code weft demo} found: the nodes, the pods and the connectivity matrix between them, and the
 * throughput of a few paths next to the underlay's. Renders as aligned text tables ({@link #text()},
 * for a terminal 100 columns wide) and as JSON with the same content ({@link #json()}, read back by
 * {@link #fromJson}).
 *
 * @param nodes      one row per node
 * @param matrix     the pods (in matrix order) and every measured pair
 * @param throughput the throughput measurements, in the order they are shown
 */
public record DemoReport(List<NodeRow> nodes, MatrixResult matrix, List<ThroughputResult> throughput) {
    public DemoReport {
        nodes = List.copyOf(Objects.requireNonNull(nodes, "nodes"));
        Objects.requireNonNull(matrix, "matrix");
        throughput = List.copyOf(Objects.requireNonNull(throughput, "throughput"));
    }

    /** The pods, as the matrix lists them. */
    public List<LabPod> pods() {
        return matrix.pods();
    }

    /** Whether every pair of the matrix was reached and every throughput measurement completed. */
    public boolean passed() {
        return matrix.passed() && throughput.stream().allMatch(ThroughputResult.Measured.class::isInstance);
    }

    /** The first completed underlay measurement: the baseline of the ratios. */
    public Optional<ThroughputResult.Measured> underlay() {
        return throughput.stream()
                .filter(result -> result.pair().kind() == ThroughputPair.Kind.UNDERLAY)
                .filter(ThroughputResult.Measured.class::isInstance)
                .map(ThroughputResult.Measured.class::cast)
                .findFirst();
    }

    /** A measurement's rate divided by the underlay's; empty when either is missing or the underlay got 0. */
    public OptionalDouble ratioToUnderlay(ThroughputResult result) {
        Optional<ThroughputResult.Measured> underlay = underlay();
        if (!(result instanceof ThroughputResult.Measured measured) || underlay.isEmpty()
                || underlay.get().bitsPerSecond() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(measured.bitsPerSecond() / underlay.get().bitsPerSecond());
    }

    /** The report as text tables: nodes, pods, the matrix, failures, throughput and the verdict. */
    public String text() {
        return ReportText.render(this);
    }

    /** The report as JSON, pretty-printed. */
    public String json() {
        return ReportJson.write(this);
    }

    /**
     * Reads what {@link #json()} wrote (the derived fields, {@code passed} and the ratios, are ignored).
     *
     * @throws IllegalArgumentException naming the missing or malformed field
     */
    public static DemoReport fromJson(String json) {
        return ReportJson.read(json);
    }
}
