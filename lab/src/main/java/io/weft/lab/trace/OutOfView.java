package io.weft.lab.trace;

/** A walk stops without a break: the packet goes where the trace cannot look. */
final class OutOfView extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutOfView(String where) {
        super(where, null, false, false);
    }
}
