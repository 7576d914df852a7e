package io.weft.cni;

import io.weft.netlink.ns.NetNamespace;

/**
 * The Weft CNI plugin: parses an invocation, dispatches ADD, DEL, CHECK, STATUS, GC and VERSION, and
 * renders the result or the error. Works in the network namespace of the node it is made for.
 */
public final class CniPlugin implements CniHandler, AutoCloseable {
    private final NetNamespace node;

    private CniPlugin(NetNamespace node) {
        this.node = node;
    }

    /** The plugin for the node namespace the calling thread is in (the in-process path, {@code weft cni}). */
    public static CniPlugin forCurrentNamespace() {
        return new CniPlugin(NetNamespace.current());
    }

    /** The plugin for a given node namespace (the agent of a lab node; tests). The caller keeps {@code node} open. */
    public static CniPlugin forNamespace(NetNamespace node) {
        return new CniPlugin(node);
    }

    @Override
    public CniResponse handle(CniInvocation invocation) {
        throw new UnsupportedOperationException("CNI commands arrive with issue 3 (node " + node.name() + ")");
    }

    @Override
    public void close() {
    }
}
