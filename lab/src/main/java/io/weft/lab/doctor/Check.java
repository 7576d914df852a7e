package io.weft.lab.doctor;

/** One thing that can be wrong on a node, looked at read only. */
interface Check {
    /** The name in the report, e.g. {@code ip-forward}. */
    String name();

    CheckResult run(NodeView node);
}
