package io.weft.lab.trace;

import java.util.List;

/**
 * The path of a packet from one pod to another, walked through live kernel state.
 *
 * @param source        where the packet starts
 * @param destination   where it should arrive
 * @param path          how it goes, as far as the walk got
 * @param steps         numbered, in the order the packet meets them
 * @param brokenAt      the break that stopped the walk, or null
 * @param outOfView     when the walk ended because the packet leaves what can be seen (a node the trace cannot
 *                      enter, a pod namespace it was not given): where it went; null otherwise
 * @param capturePoints the interfaces on the path, in path order, where {@code --probe} listens
 */
public record Trace(TraceEndpoint source, TraceEndpoint destination, PathKind path, List<Step> steps, Break brokenAt,
                    String outOfView, List<CapturePoint> capturePoints) {
    public Trace {
        steps = List.copyOf(steps);
        capturePoints = List.copyOf(capturePoints);
    }

    /** Whether a missing or wrong step breaks the path. */
    public boolean broken() {
        return brokenAt != null;
    }

    /** The step of this number. */
    public Step step(int number) {
        return steps.get(number - 1);
    }

    /** Every element id the path passes through, in order, each once. */
    public List<String> elements() {
        return steps.stream().flatMap(step -> step.elements().stream()).distinct().toList();
    }
}
