package io.weft.lab.measure;

import io.weft.lab.LabPod;
import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * TCP connect and round trip from every pod to every other pod, from inside the pods' namespaces.
 *
 * <p>Each pod gets an echo server on its address, port {@value #ECHO_PORT}; each ordered pair then connects from the client
 * pod's namespace (bound to the client pod's address, so the packets leave through its eth0 as the
 * pod's own would), checks that the pod it meant answered, and times {@value EchoProbe#ROUND_TRIPS}
 * round trips of a small message; the median is the pair's RTT. Pairs run concurrently, at most
 * {@value #PARALLELISM} at a time. The servers are closed before this returns.
 */
public final class ConnectivityMatrix {
    /**
     * The port every pod's echo server listens on, the well-known echo port. One port for all, as a real
     * service would have, so that a pod answering for another's address is caught by the greeting
     * instead of hiding behind a refused connection.
     */
    public static final int ECHO_PORT = 7;
    /** Enough to overlap the waiting of a 36-pair lab without starving a two-core machine. */
    static final int PARALLELISM = 8;

    private ConnectivityMatrix() {
    }

    /** Every pod to every other pod (not to itself). */
    public static MatrixResult measure(List<LabPod> pods, Duration timeout) throws InterruptedException {
        return measure(pods, timeout, false);
    }

    /** As {@link #measure(List, Duration, boolean, Consumer)}, without progress. */
    public static MatrixResult measure(List<LabPod> pods, Duration timeout, boolean includeSelf) throws InterruptedException {
        return measure(pods, timeout, includeSelf, pair -> { });
    }

    /**
     * @param pods        the pods; their {@code netns} must exist and their {@code ip} be an address literal
     * @param timeout     per pair, for the connect, the greeting and the round trips together
     * @param includeSelf whether each pod also connects to its own address (over its loopback)
     * @param progress    told each pair's result as soon as it is known, from the measuring threads
     *                    (concurrently: it must be thread-safe), e.g. to show progress
     * @throws IllegalArgumentException naming the field when a pod's name repeats, its IP is not an address
     *                                  or its namespace cannot be opened; nothing is started then
     * @throws InterruptedException     when interrupted: the pairs under way are stopped (a blocked one within
     *                                  its timeout) and the servers closed before this throws
     */
    public static MatrixResult measure(List<LabPod> pods, Duration timeout, boolean includeSelf, Consumer<PairResult> progress)
            throws InterruptedException {
        Objects.requireNonNull(pods, "pods");
        Objects.requireNonNull(progress, "progress");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be a positive duration, got " + timeout);
        }
        Map<String, InetAddress> addresses = addresses(pods);
        Map<String, NetNamespace> namespaces = new HashMap<>();
        Map<String, EchoServer> servers = new HashMap<>();
        Map<String, String> serverFailures = new HashMap<>();
        try {
            for (LabPod pod : pods) {
                namespaces.put(pod.name(), open(pod));
            }
            for (LabPod pod : pods) {
                try {
                    servers.put(pod.name(), EchoServer.start(pod.name(), namespaces.get(pod.name()), addresses.get(pod.name()), ECHO_PORT));
                } catch (IOException | RuntimeException e) {
                    serverFailures.put(pod.name(), "no echo server could listen on " + pod.ip() + ":" + ECHO_PORT + " in " + pod.netns() + ": " + e.getMessage());
                }
            }
            List<Future<PairResult>> futures = probeAll(pods, timeout, includeSelf, addresses, namespaces, servers, serverFailures, progress);
            if (Thread.interrupted()) { // the executor's close stopped the pairs and said so
                throw new InterruptedException("interrupted while measuring the matrix");
            }
            List<PairResult> results = new ArrayList<>();
            for (Future<PairResult> future : futures) {
                results.add(join(future));
            }
            return new MatrixResult(pods, results, timeout);
        } finally {
            servers.values().forEach(EchoServer::close);
            namespaces.values().forEach(NetNamespace::close);
        }
    }

    private static List<Future<PairResult>> probeAll(List<LabPod> pods, Duration timeout, boolean includeSelf,
                                                     Map<String, InetAddress> addresses, Map<String, NetNamespace> namespaces,
                                                     Map<String, EchoServer> servers, Map<String, String> serverFailures,
                                                     Consumer<PairResult> progress) {
        List<Future<PairResult>> futures = new ArrayList<>();
        // platform threads: a virtual thread's blocking read would add the JDK poller's wake-up to each RTT
        try (ExecutorService executor = Executors.newFixedThreadPool(PARALLELISM, Thread.ofPlatform().daemon().name("probe-", 0).factory())) {
            for (LabPod from : pods) {
                for (LabPod to : pods) {
                    if (from == to && !includeSelf) {
                        continue;
                    }
                    futures.add(executor.submit(() -> {
                        EchoServer server = servers.get(to.name());
                        PairResult result = server == null
                                ? new PairResult.Unreached(from.name(), to.name(), FailureReason.ERROR, serverFailures.get(to.name()))
                                : EchoProbe.probe(from.name(), namespaces.get(from.name()), addresses.get(from.name()),
                                to.name(), server.address(), timeout);
                        progress.accept(result);
                        return result;
                    }));
                }
            }
        } // close() waits for every pair; interrupted, it stops them first and leaves this thread interrupted
        return futures;
    }

    /** A pair that is done: {@link #probeAll} waited for all. */
    private static PairResult join(Future<PairResult> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a pair's probe failed unexpectedly", e.getCause());
        }
    }

    private static Map<String, InetAddress> addresses(List<LabPod> pods) {
        Map<String, InetAddress> addresses = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (LabPod pod : pods) {
            Objects.requireNonNull(pod, "pods: null pod");
            if (!names.add(pod.name())) {
                throw new IllegalArgumentException("pods: name \"" + pod.name() + "\" appears twice");
            }
            addresses.put(pod.name(), address(pod));
        }
        return addresses;
    }

    /** The pod's IP; an IPv4 one written in full (ofLiteral would take "10.1.0" for 10.1.0.0). */
    private static InetAddress address(LabPod pod) {
        try {
            InetAddress address = InetAddress.ofLiteral(pod.ip());
            if (address instanceof Inet4Address && !address.getHostAddress().equals(pod.ip())) {
                throw new IllegalArgumentException("not a dotted quad");
            }
            return address;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("pod " + pod.name() + ": ip \"" + pod.ip() + "\" is not an IP address", e);
        }
    }

    private static NetNamespace open(LabPod pod) {
        try {
            return NetNamespace.open(pod.netns());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("pod " + pod.name() + ": netns \"" + pod.netns() + "\" cannot be opened: " + e.getMessage(), e);
        }
    }
}
