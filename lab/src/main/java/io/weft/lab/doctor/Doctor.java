package io.weft.lab.doctor;

import io.weft.agent.kernel.KernelRelease;

import java.util.ArrayList;
import java.util.List;

/** Runs every check on a node, read only, and reports what each found. */
public final class Doctor {
    private final List<Check> checks;

    Doctor(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /** All checks, the VXLAN checksum one judged against the running kernel. */
    public static Doctor standard() {
        return new Doctor(List.of(new SubnetEnvCheck(), new ConflistCheck(), new IpForwardCheck(), new RpFilterCheck(),
                new PeersCheck(), new MtuCheck(), new VxlanPortCheck(), new TxChecksumCheck(KernelRelease.running())));
    }

    /**
     * Examines the node. A check that cannot look (its own failure, not the node's) is reported as
     * skipped with the reason, and the others still run.
     */
    public DoctorReport examine(DoctorTarget target) {
        List<CheckResult> results = new ArrayList<>();
        try (NodeView node = NodeView.open(target)) {
            for (Check check : checks) {
                try {
                    results.add(check.run(node));
                } catch (RuntimeException e) {
                    results.add(CheckResult.skipped(check.name(), "the check failed: " + (e.getMessage() != null ? e.getMessage() : e)));
                }
            }
        }
        return new DoctorReport(target.node(), results);
    }
}
