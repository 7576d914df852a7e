package io.weft.lab.measure;

import io.weft.lab.LabPod;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectivityMatrixTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final FourPods lab = new FourPods();

    @AfterEach
    void tearDown() {
        lab.close();
    }

    @Test
    void bridgedAndRoutedPodsReachEachOtherAndTheIsolatedOneFailsWithAReason() throws InterruptedException {
        MatrixResult matrix = ConnectivityMatrix.measure(lab.all(), TIMEOUT);

        assertThat(matrix.pairs()).hasSize(12);
        List<LabPod> connected = List.of(lab.bridged1, lab.bridged2, lab.routed);
        for (LabPod from : connected) {
            for (LabPod to : connected) {
                if (from != to) {
                    assertThat(matrix.result(from.name(), to.name())).as(from.name() + " → " + to.name())
                            .get().isInstanceOfSatisfying(PairResult.Reached.class, reached -> {
                                assertThat(reached.rtt()).isPositive();
                                assertThat(reached.connect()).isPositive();
                            });
                }
            }
        }
        assertThat(matrix.failures()).hasSize(6).allSatisfy(failure -> {
            assertThat(List.of(failure.from(), failure.to())).contains(lab.isolated.name());
            assertThat(failure.reason()).isIn(FailureReason.NO_ROUTE, FailureReason.TIMEOUT);
            assertThat(failure.detail()).isNotBlank();
        });
        // pod 4 has no route at all: its own kernel says so at once, no waiting for a timeout
        assertThat(matrix.result(lab.isolated.name(), lab.bridged1.name())).get()
                .isInstanceOfSatisfying(PairResult.Unreached.class,
                        failure -> assertThat(failure.reason()).isEqualTo(FailureReason.NO_ROUTE));
        assertThat(matrix.passed()).isFalse();
    }

    @Test
    void aPodThatCannotAnswerBackTimesOut() throws InterruptedException {
        // the node now routes to pod 4, whose SYN-ACKs have no route back: the client hears nothing
        Sandbox.ip(lab.node, "addr", "add", "10.9.0.1/24", "dev", "v-pod4");

        MatrixResult matrix = ConnectivityMatrix.measure(List.of(lab.bridged1, lab.isolated), Duration.ofMillis(500));

        assertThat(matrix.result(lab.bridged1.name(), lab.isolated.name())).get()
                .isEqualTo(new PairResult.Unreached(lab.bridged1.name(), lab.isolated.name(), FailureReason.TIMEOUT,
                        "no answer from 10.9.0.2:7 within 500 ms"));
        assertThat(matrix.result(lab.isolated.name(), lab.bridged1.name())).get()
                .isInstanceOfSatisfying(PairResult.Unreached.class,
                        failure -> assertThat(failure.reason()).isEqualTo(FailureReason.NO_ROUTE));
    }

    @Test
    void includesEachPodToItselfWhenAskedAndTellsProgress() throws InterruptedException {
        List<PairResult> told = new CopyOnWriteArrayList<>();
        MatrixResult matrix = ConnectivityMatrix.measure(List.of(lab.bridged1, lab.routed), TIMEOUT, true, told::add);

        assertThat(matrix.pairs()).hasSize(4).allMatch(PairResult.Reached.class::isInstance);
        assertThat(told).as("progress").containsExactlyInAnyOrderElementsOf(matrix.pairs());
        assertThat(matrix.result(lab.routed.name(), lab.routed.name())).isPresent();
        assertThat(matrix.passed()).isTrue();
    }

    @Test
    void aPodWhoseAddressAnotherPodAnswersOnIsReportedAsTheWrongPod() throws InterruptedException {
        // "ghost" has pod 2's address, in pod 4's namespace: traffic for that address goes to pod 2
        Sandbox.ip(lab.sandboxNamespace(lab.isolated), "addr", "add", lab.bridged2.ip() + "/32", "dev", "eth0");
        LabPod ghost = new LabPod("ghost", "node", lab.isolated.netns(), lab.bridged2.ip());

        MatrixResult matrix = ConnectivityMatrix.measure(List.of(lab.bridged1, lab.bridged2, ghost), TIMEOUT);

        assertThat(matrix.result(lab.bridged1.name(), ghost.name())).get()
                .isInstanceOfSatisfying(PairResult.Unreached.class, failure -> {
                    assertThat(failure.reason()).isEqualTo(FailureReason.WRONG_POD);
                    assertThat(failure.detail()).contains("weft-echo pod2");
                });
        assertThat(matrix.result(lab.bridged1.name(), lab.bridged2.name())).get().isInstanceOf(PairResult.Reached.class);
    }

    @Test
    void refusesAPodNamedTwiceOrWithoutAnAddressBeforeStartingAnything() {
        LabPod copy = new LabPod(lab.bridged1.name(), "node", lab.bridged2.netns(), lab.bridged2.ip());
        assertThatThrownBy(() -> ConnectivityMatrix.measure(List.of(lab.bridged1, copy), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pod1").hasMessageContaining("twice");
        LabPod noAddress = new LabPod("pod9", "node", lab.bridged1.netns(), "10.1.0");
        assertThatThrownBy(() -> ConnectivityMatrix.measure(List.of(noAddress), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pod9").hasMessageContaining("ip");
        LabPod noNamespace = new LabPod("pod8", "node", "wtest-" + ProcessHandle.current().pid() + "-none", "10.1.0.9");
        assertThatThrownBy(() -> ConnectivityMatrix.measure(List.of(noNamespace), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pod8").hasMessageContaining("netns");
    }
}
