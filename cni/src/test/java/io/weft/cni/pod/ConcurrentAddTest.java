package io.weft.cni.pod;

import io.weft.cni.CniResponse;
import io.weft.cni.ipam.Reservation;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.weft.cni.pod.PodNetworkFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

/** A burst of ADDs, as a booting node gets them, served concurrently on platform threads like the agent does. */
class ConcurrentAddTest {
    private static final int PODS = 32;

    @RegisterExtension
    final PodNetworkFixture fixture = new PodNetworkFixture("10.42.1.1/24");
    private final ExecutorService threads = Executors.newFixedThreadPool(PODS, Thread.ofPlatform().daemon().factory());

    @AfterEach
    void cleanUp() {
        threads.shutdownNow();
    }

    @Test
    void thirtyTwoParallelAddsGetDistinctAddressesAndVeths() throws Exception {
        List<NetNamespace> pods = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            pods.add(fixture.sandbox.namespace());
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Future<CniResponse>> responses = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            String containerId = "burst" + i;
            NetNamespace pod = pods.get(i);
            responses.add(threads.submit(() -> {
                start.await();
                return fixture.add(containerId, pod);
            }));
        }

        start.countDown();

        List<String> addresses = new ArrayList<>();
        for (Future<CniResponse> future : responses) {
            CniResponse response = future.get(60, TimeUnit.SECONDS);
            assertThat(response.exitCode()).as(response.stdoutText()).isZero();
            addresses.add(json(response).get("ips").get(0).get("address").asString());
        }
        assertThat(addresses).doesNotHaveDuplicates().hasSize(PODS);
        assertThat(fixture.weftVeths()).hasSize(PODS);
        JsonNode ports = Sandbox.ipJson(fixture.node, "link", "show", "master", "cni0");
        assertThat(ports).hasSize(PODS);
        assertThat(fixture.reservations()).extracting(r -> r.address().getHostAddress() + "/24")
                .containsExactlyInAnyOrderElementsOf(addresses);
        for (int i = 0; i < PODS; i++) {
            JsonNode podAddress = Sandbox.ipJson(pods.get(i), "-4", "addr", "show", "dev", "eth0").get(0).get("addr_info").get(0);
            assertThat(podAddress.get("local").asString() + "/24").isEqualTo(addresses.get(i));
        }
        assertThat(fixture.reservations()).extracting(Reservation::attachment).hasSize(PODS);
    }
}
