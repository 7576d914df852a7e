package io.weft.lab.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The steps of one walk so far, numbered in the order they are recorded; the hops of the walk share it. */
final class Steps {
    private final List<Step> steps = new ArrayList<>();

    void add(Hop hop, String where, String summary, Map<String, String> facts, List<String> elements) {
        steps.add(new Step(steps.size() + 1, hop, where, summary, facts, elements));
    }

    int size() {
        return steps.size();
    }

    List<Step> list() {
        return List.copyOf(steps);
    }
}
