package io.weft.lab.doctor;

import java.util.List;
import java.util.Objects;

/**
 * What one check concluded.
 *
 * @param check the check's name, e.g. {@code rp-filter}
 * @param status whether it passed, found problems, or could not look
 * @param detail what was looked at (when it passed) or why it could not look (when skipped)
 * @param findings the problems; empty unless {@link Status#PROBLEM}
 */
public record CheckResult(String check, Status status, String detail, List<Finding> findings) {
    public enum Status { OK, PROBLEM, SKIPPED }

    public CheckResult {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        findings = List.copyOf(findings);
        if ((status == Status.PROBLEM) == findings.isEmpty()) {
            throw new IllegalArgumentException(check + ": a problem needs findings, and only a problem has them");
        }
    }

    static CheckResult ok(String check, String detail) {
        return new CheckResult(check, Status.OK, detail, List.of());
    }

    static CheckResult skipped(String check, String why) {
        return new CheckResult(check, Status.SKIPPED, why, List.of());
    }

    /** {@link #ok} when {@code findings} is empty, else a problem. */
    static CheckResult of(String check, String detailWhenOk, List<Finding> findings) {
        return findings.isEmpty() ? ok(check, detailWhenOk) : new CheckResult(check, Status.PROBLEM, "", findings);
    }
}
