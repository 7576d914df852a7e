package io.weft.netlink;

import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;

/** Handles used from many threads at once: every request must get its own answer, in the right namespace. */
class ParallelHandlesTest {
    private static final int THREADS = 8;
    private static final int LINKS_PER_TASK = 12;

    private final Sandbox sandbox = new Sandbox();
    private final List<Netlink> handles = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        handles.forEach(Netlink::close);
        sandbox.close();
    }

    private Netlink handle(NetNamespace namespace) {
        Netlink netlink = Netlink.open(namespace);
        handles.add(netlink);
        return netlink;
    }

    /**
     * Creates {@code prefix0..n} bridges, checking after each that the handle lists it, then deletes
     * the odd ones; returns the names that should remain.
     */
    private static Set<String> churn(Netlink netlink, String prefix) {
        Set<String> kept = new HashSet<>();
        for (int i = 0; i < LINKS_PER_TASK; i++) {
            String name = prefix + i;
            Link added = netlink.links().add(LinkSpec.bridge(name));
            assertThat(added.name()).isEqualTo(name);
            assertThat(netlink.links().list()).extracting(Link::name).contains(name);
            kept.add(name);
        }
        for (int i = 1; i < LINKS_PER_TASK; i += 2) {
            netlink.links().delete(prefix + i);
            kept.remove(prefix + i);
        }
        assertThat(netlink.links().find(prefix + 1)).isEmpty();
        return kept;
    }

    /** Runs the tasks together on a pool, released at once so that they overlap, and returns their results. */
    private static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        }
    }

    private static List<String> linkNames(NetNamespace namespace) {
        return ipJson(namespace, "link", "show").findValuesAsString("ifname");
    }

    @Test
    void handlesOnSeparateNamespacesChurnLinksConcurrently() throws Exception {
        List<NetNamespace> namespaces = new ArrayList<>();
        List<Callable<Set<String>>> tasks = new ArrayList<>();
        for (int n = 0; n < THREADS; n++) {
            NetNamespace namespace = sandbox.namespace();
            Netlink netlink = handle(namespace);
            namespaces.add(namespace);
            tasks.add(() -> churn(netlink, "br"));
        }

        List<Set<String>> kept = runTogether(tasks);

        for (int n = 0; n < THREADS; n++) {
            Set<String> expected = new HashSet<>(kept.get(n));
            expected.add("lo");
            assertThat(linkNames(namespaces.get(n))).as(namespaces.get(n).name()).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void oneHandleSharedByManyThreadsChurnsLinksConcurrently() throws Exception {
        NetNamespace namespace = sandbox.namespace();
        Netlink shared = handle(namespace);
        List<Callable<Set<String>>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String prefix = "t" + t + "-";
            tasks.add(() -> churn(shared, prefix));
        }

        List<Set<String>> kept = runTogether(tasks);

        Set<String> expected = new HashSet<>(Set.of("lo"));
        kept.forEach(expected::addAll);
        assertThat(expected).hasSize(1 + THREADS * LINKS_PER_TASK / 2);
        assertThat(linkNames(namespace)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(shared.links().list()).extracting(Link::name).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void sharedHandleCreatesVethPairsIntoPodNamespacesConcurrently() throws Exception {
        NetNamespace node = sandbox.namespace();
        Netlink shared = handle(node);
        List<NetNamespace> pods = new ArrayList<>();
        List<Callable<Link>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            NetNamespace pod = sandbox.namespace();
            pods.add(pod);
            String hostName = "veth" + t;
            tasks.add(() -> shared.links().add(LinkSpec.veth(hostName, "eth0", pod)));
        }

        List<Link> hostEnds = runTogether(tasks);

        for (int t = 0; t < THREADS; t++) {
            var podEth0 = ipJson(pods.get(t), "link", "show", "dev", "eth0").get(0);
            assertThat(hostEnds.get(t).name()).isEqualTo("veth" + t);
            assertThat(hostEnds.get(t).parentIndex()).isEqualTo(podEth0.get("ifindex").asInt());
        }
        assertThat(linkNames(node)).hasSize(1 + THREADS).doesNotContain("eth0");
    }
}
