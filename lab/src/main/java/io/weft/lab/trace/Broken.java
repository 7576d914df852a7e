package io.weft.lab.trace;

/** A walk stops at the step just recorded: it is wrong or missing; the message says why, for the user. */
final class Broken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Broken(String why) {
        super(why, null, false, false);
    }
}
