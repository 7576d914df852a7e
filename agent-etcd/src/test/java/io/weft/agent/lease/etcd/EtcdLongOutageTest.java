package io.weft.agent.lease.etcd;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseEvent;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The store comes back promptly after etcd was down for minutes, long enough for gRPC's reconnect
 * back-off to grow towards its 120 s cap. SLOW: about 4 minutes, most of it the outage itself, so
 * it is a class of its own.
 *
 * <p>One store, as one agent: it renews as the agent does (every TTL/3, failures and all) and
 * watches. etcd is killed for {@link #OUTAGE} with its data kept, then started again; etcd then
 * gives every lease its full TTL again, so the node's key survives if the store renews within the
 * TTL, and another node's key put once etcd is back must reach the watch. etcd's own state is read
 * through its HTTP gateway, on the test's own fresh connections. Without the store's reconnecting,
 * this measured a renewal 107 s after etcd's return and the key gone for 96 s (after 180 s down).
 */
class EtcdLongOutageTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    /**
     * gRPC tries to reconnect 1 s × 1.6ⁿ (±20 %, at most 120 s) after each failure: its 10th attempt
     * falls 145–218 s into the outage, its 11th 233–350 s. etcd returns between the two, so a client
     * left to gRPC waits at least 10 s, typically a minute. (After 180 s it may hit the 10th.)
     */
    private static final Duration OUTAGE = Duration.ofSeconds(222);
    /** How long the test watches after etcd is back: past the back-off's cap, so a slow client is measured, not cut short. */
    private static final Duration OBSERVED = Duration.ofSeconds(150);
    private static final ClusterNetwork NETWORK = new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24);
    private static final String PREFIX = "/weft-test/long-outage";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @Test
    void afterAnOutageOfMinutesTheLeaseIsRenewedWithinItsTtlAndTheWatchResumes() throws Exception {
        assumeTrue(Files.isExecutable(EtcdServer.BINARY), "etcd is not installed at " + EtcdServer.BINARY);
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor();
        try (EtcdServer etcd = EtcdServer.start();
                EtcdLeaseStore a = EtcdLeaseStore.open(config(etcd), NETWORK)) {
            Lease[] lease = {a.acquire(new LeaseClaim("node-a", IpPrefix.parseAddress("192.168.50.1"), mac(1)))};
            String key = PREFIX + "/subnets/" + lease[0].subnet().toString().replace('/', '-');
            a.list();
            BlockingQueue<LeaseEvent> events = new LinkedBlockingQueue<>();
            AutoCloseable watch = a.watch(events::add);
            AtomicLong lastRenewed = new AtomicLong();
            renewer.scheduleWithFixedDelay(() -> {
                try {
                    lease[0] = a.renew(lease[0]);
                    lastRenewed.set(System.nanoTime());
                } catch (RuntimeException e) {
                    // as the agent: logged by the store, tried again next time
                }
            }, 0, a.renewInterval().toMillis(), TimeUnit.MILLISECONDS);

            etcd.stop();
            long down = System.nanoTime();
            log(down, Thread.activeCount() + " threads; etcd killed; down for " + OUTAGE.toSeconds() + " s");
            Thread.sleep(OUTAGE);
            etcd.restart();
            long back = System.nanoTime();
            log(down, "etcd healthy again");
            put(etcd, PREFIX + "/subnets/10.42.200.0-24",
                    "{\"node\":\"node-c\",\"publicIp\":\"192.168.50.3\",\"vtepMac\":\"0e:00:00:00:00:03\"}");

            Double renewedAfter = null;
            Double seenAfter = null;
            Double missingFrom = null;
            List<String> lapses = new ArrayList<>();
            while (System.nanoTime() - back < OBSERVED.toNanos() && (renewedAfter == null || seenAfter == null || missingFrom != null)) {
                double now = seconds(back, System.nanoTime());
                if (renewedAfter == null && lastRenewed.get() > back) {
                    renewedAfter = seconds(back, lastRenewed.get());
                    log(back, "a renewed (" + renewedAfter + " s after etcd's return)");
                }
                LeaseEvent event = events.poll(250, TimeUnit.MILLISECONDS);
                if (seenAfter == null && event instanceof LeaseEvent.Updated u && u.lease().node().equals("node-c")) {
                    seenAfter = seconds(back, System.nanoTime());
                    log(back, "the watch delivered node-c");
                }
                boolean present = present(etcd, key);
                if (!present && missingFrom == null) {
                    missingFrom = now;
                    log(back, key + " gone from etcd");
                } else if (present && missingFrom != null) {
                    lapses.add(String.format("%.1f–%.1f s", missingFrom, now));
                    log(back, key + " back in etcd");
                    missingFrom = null;
                }
            }
            if (missingFrom != null) {
                lapses.add(String.format("%.1f s–(still gone)", missingFrom));
            }
            log(back, Thread.activeCount() + " threads; timeline: renewed after " + renewedAfter + " s, watch after " + seenAfter
                    + " s, key missing " + lapses);
            watch.close();

            // at worst a renewal period and a call's timeout after etcd's return: within the TTL, so the key never lapses
            assertThat(renewedAfter).as("seconds from etcd's return to a's renewal").isNotNull().isLessThan((double) TTL.toSeconds());
            assertThat(lapses).as("a's key missing from etcd after its return").isEmpty();
            assertThat(seenAfter).as("seconds from etcd's return to the watch's event").isNotNull().isLessThan((double) TTL.toSeconds());
        } finally {
            renewer.shutdownNow();
        }
    }

    private static EtcdConfig config(EtcdServer etcd) {
        return new EtcdConfig(List.of(etcd.endpoint()), PREFIX, null, null, null, TTL);
    }

    private boolean present(EtcdServer etcd, String key) throws IOException, InterruptedException {
        return gateway(etcd, "/v3/kv/range", "{\"key\":\"" + base64(key) + "\"}").contains("\"kvs\"");
    }

    private void put(EtcdServer etcd, String key, String value) throws IOException, InterruptedException {
        gateway(etcd, "/v3/kv/put", "{\"key\":\"" + base64(key) + "\",\"value\":\"" + base64(value) + "\"}");
    }

    private String gateway(EtcdServer etcd, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(etcd.endpoint().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.body();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(UTF_8));
    }

    private static double seconds(long from, long to) {
        return Math.round((to - from) / 1e8) / 10.0;
    }

    private static void log(long since, String what) {
        System.err.printf("%s +%.1f s: %s%n", LocalTime.now(), (System.nanoTime() - since) / 1e9, what);
    }

    private static MacAddress mac(int n) {
        return MacAddress.parse(String.format("0e:00:00:00:00:%02x", n));
    }
}
