package io.weft.lab.measure;

import io.weft.lab.LabPod;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The connectivity matrix: one result per ordered pair of pods that was measured.
 *
 * @param pods    the pods, in the order of the matrix's rows and columns
 * @param pairs   the results, row by row (from the first pod to every other, then from the second…)
 * @param timeout the time each pair was given to connect and echo
 */
public record MatrixResult(List<LabPod> pods, List<PairResult> pairs, Duration timeout) {
    public MatrixResult {
        pods = List.copyOf(Objects.requireNonNull(pods, "pods"));
        pairs = List.copyOf(Objects.requireNonNull(pairs, "pairs"));
        Objects.requireNonNull(timeout, "timeout");
        Set<String> names = new HashSet<>();
        for (LabPod pod : pods) {
            if (!names.add(pod.name())) {
                throw new IllegalArgumentException("pods: \"" + pod.name() + "\" appears twice");
            }
        }
        for (PairResult pair : pairs) {
            if (!names.contains(pair.from()) || !names.contains(pair.to())) {
                throw new IllegalArgumentException("pairs: " + pair.from() + " → " + pair.to() + " names a pod not in pods");
            }
        }
    }

    /** Whether every measured pair was reached. */
    public boolean passed() {
        return failures().isEmpty();
    }

    /** The pairs that failed, in matrix order. */
    public List<PairResult.Unreached> failures() {
        return pairs.stream()
                .filter(PairResult.Unreached.class::isInstance)
                .map(PairResult.Unreached.class::cast)
                .toList();
    }

    /** The result from one pod to another, if that pair was measured. */
    public Optional<PairResult> result(String from, String to) {
        return pairs.stream().filter(pair -> pair.from().equals(from) && pair.to().equals(to)).findFirst();
    }
}
