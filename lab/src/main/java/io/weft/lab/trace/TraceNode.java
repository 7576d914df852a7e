package io.weft.lab.trace;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A node a trace can look into: a lab node's namespace, or the machine the command runs on.
 *
 * @param name  the node's name, as steps name it ({@code node1})
 * @param netns its network namespace, e.g. {@code /run/netns/weft-lab-node1}; null for the namespace
 *              the command runs in (a real node)
 */
public record TraceNode(String name, Path netns) {
    public TraceNode {
        Objects.requireNonNull(name, "node name");
    }

    /** The node the command runs on, in the namespace it runs in. */
    public static TraceNode here(String name) {
        return new TraceNode(name, null);
    }
}
