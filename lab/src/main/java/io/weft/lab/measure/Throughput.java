package io.weft.lab.measure;

import java.time.Duration;
import java.util.Objects;

/**
 * Throughput over one path: a single TCP stream from the client namespace to the server address for
 * a while, counted by the receiver.
 */
public final class Throughput {
    private Throughput() {
    }

    /** How the stream is made. */
    public enum Tool {
        /** {@code iperf3 -s} and {@code iperf3 -c -J}, each started with {@code nsenter --net}. */
        IPERF3,
        /** A TCP stream between two sockets of this JVM, each made inside its namespace. */
        BUILT_IN;

        /** iperf3 when it and nsenter run (are installed), else the built-in stream. */
        public static Tool available() {
            return Iperf3.runs("iperf3") && Iperf3.runs("nsenter") ? IPERF3 : BUILT_IN;
        }
    }

    /** Measures with the {@linkplain Tool#available() available} tool. */
    public static ThroughputResult measure(ThroughputPair pair, Duration duration) throws InterruptedException {
        Tool tool = Tool.available();
        if (Thread.interrupted()) { // asking whether iperf3 runs was cut short: the answer is no answer
            throw new InterruptedException("interrupted while looking for iperf3");
        }
        return measure(pair, duration, tool);
    }

    /**
     * @param duration how long the sender sends; iperf3 counts in whole seconds, so it gets this rounded up
     * @return the receiver's count, or why there is none; never throws for a path that does not work
     * @throws InterruptedException when interrupted: the stream is stopped, and iperf3's processes, before this throws
     */
    public static ThroughputResult measure(ThroughputPair pair, Duration duration, Tool tool) throws InterruptedException {
        Objects.requireNonNull(pair, "pair");
        Objects.requireNonNull(tool, "tool");
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be a positive duration, got " + duration);
        }
        return switch (tool) {
            case IPERF3 -> Iperf3.measure(pair, duration);
            case BUILT_IN -> TcpStream.measure(pair, duration);
        };
    }
}
