package io.weft.lab.measure;

import java.time.Duration;
import java.util.Objects;

/** The outcome of one throughput measurement. */
public sealed interface ThroughputResult permits ThroughputResult.Measured, ThroughputResult.Failed {
    ThroughputPair pair();

    Throughput.Tool tool();

    /**
     * The stream ran.
     *
     * @param bytes         the bytes the receiver got
     * @param elapsed       over how long the receiver got them
     * @param bitsPerSecond the receiver's rate (for iperf3, its {@code sum_received.bits_per_second})
     */
    record Measured(ThroughputPair pair, Throughput.Tool tool, long bytes, Duration elapsed, double bitsPerSecond)
            implements ThroughputResult {
        public Measured {
            Objects.requireNonNull(pair, "pair");
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(elapsed, "elapsed");
            if (bytes < 0 || !(bitsPerSecond >= 0) || Double.isInfinite(bitsPerSecond)) {
                throw new IllegalArgumentException("bytes and bitsPerSecond must be finite and not negative, got "
                        + bytes + " and " + bitsPerSecond);
            }
        }
    }

    /**
     * The stream could not be run or did not finish.
     *
     * @param reason what went wrong, as the tool or the socket said it
     */
    record Failed(ThroughputPair pair, Throughput.Tool tool, String reason) implements ThroughputResult {
        public Failed {
            Objects.requireNonNull(pair, "pair");
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
