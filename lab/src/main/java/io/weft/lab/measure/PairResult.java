package io.weft.lab.measure;

import java.time.Duration;
import java.util.Objects;

/** What one client pod saw when it connected to another pod's echo server. */
public sealed interface PairResult permits PairResult.Reached, PairResult.Unreached {
    /** The client pod's name. */
    String from();

    /** The server pod's name. */
    String to();

    /**
     * The TCP connection was made and the expected pod echoed every round trip.
     *
     * @param connect how long {@code connect()} took (the SYN, SYN-ACK exchange)
     * @param rtt     the median of the round trips of a small message over that connection
     */
    record Reached(String from, String to, Duration connect, Duration rtt) implements PairResult {
        public Reached {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            requirePositive(connect, "connect");
            requirePositive(rtt, "rtt");
        }
    }

    /**
     * The pair failed.
     *
     * @param reason the kind of failure
     * @param detail what the socket said (the exception's message), for the report's failure list
     */
    record Unreached(String from, String to, FailureReason reason, String detail) implements PairResult {
        public Unreached {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    private static void requirePositive(Duration duration, String field) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration, got " + duration);
        }
    }
}
