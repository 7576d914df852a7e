package io.weft.lab.measure;

/** Why one pod could not reach another, as far as the client socket can tell. */
public enum FailureReason {
    /** The destination answered with a reset: reachable, but nothing listened (or a firewall rejected). */
    REFUSED("refused"),
    /** No answer within the timeout: packets lost on the way there or back. */
    TIMEOUT("timeout"),
    /** The kernel had no route, or an ICMP unreachable came back (EHOSTUNREACH, ENETUNREACH). */
    NO_ROUTE("no route"),
    /** Another pod answered on that address: two pods with one IP, or traffic delivered to the wrong place. */
    WRONG_POD("wrong pod"),
    /** Anything else: the detail says what (a reset mid-exchange, an address the pod does not have, …). */
    ERROR("error");

    private final String label;

    FailureReason(String label) {
        this.label = label;
    }

    /** The short word shown in the matrix and in the JSON. */
    public String label() {
        return label;
    }

    /** The reason with that {@link #label()}. */
    public static FailureReason ofLabel(String label) {
        for (FailureReason reason : values()) {
            if (reason.label.equals(label)) {
                return reason;
            }
        }
        throw new IllegalArgumentException("unknown failure reason \"" + label + "\"");
    }
}
