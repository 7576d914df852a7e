package io.weft.lab.trace;

/**
 * {@code weft trace}: the path of a packet between two pods, walked through live kernel state with
 * Weft's netlink library, in the numbered steps of the classic explanation (see {@link Walk}).
 */
public final class Tracer {
    private Tracer() {}

    /**
     * Walks from {@code source} toward {@code destination}, reading the namespaces of the pods and of
     * the nodes in {@code scope} the packet passes through. Changes nothing.
     *
     * @throws IllegalArgumentException when the source pod's namespace or node is not known or gone
     */
    public static Trace trace(TraceScope scope, TraceEndpoint source, TraceEndpoint destination) {
        try (Namespaces namespaces = new Namespaces()) {
            return new Walk(scope, namespaces, source, destination).run();
        }
    }
}
