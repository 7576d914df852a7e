package io.weft.agent.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.weft.agent.overlay.ReconcileResult;
import io.weft.cni.CniHandler;

import java.time.Duration;

/**
 * What the agent counts, in a registry of its own (no global state: a lab runs several agents in one
 * JVM). Labelled series that matter at zero are created up front, so a dashboard sees 0 rather than
 * nothing.
 */
public final class AgentMetrics {
    /** From 1 ms (an ADD on a warm agent) to 10 s (an ADD stuck behind a lock). */
    private static final double[] CNI_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** From 100 µs (a pass with nothing to do) to 5 s (a thousand peers on a slow machine). */
    private static final double[] RECONCILE_BUCKETS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge peers;
    private final Counter reconcileRuns;
    private final Histogram reconcileDuration;
    private final Counter reconcileChanges;
    private final Counter leaseRenewals;
    private final Counter leaseRenewalFailures;
    private final Counter masqueradeRepairs;
    private final Counter cniRequests;
    private final Histogram cniDuration;

    public AgentMetrics() {
        peers = Gauge.builder().name("weft_peers").help("Peers the overlay reaches, by mode: vxlan (through weft.1) or direct (a plain route)")
                .labelNames("mode").register(registry);
        peers.labelValues("vxlan").set(0);
        peers.labelValues("direct").set(0);
        reconcileRuns = Counter.builder().name("weft_reconcile_runs_total").help("Reconcile passes, by result: ok or error")
                .labelNames("result").register(registry);
        reconcileRuns.initLabelValues("ok");
        reconcileRuns.initLabelValues("error");
        reconcileDuration = Histogram.builder().name("weft_reconcile_duration_seconds").help("How long a reconcile pass took")
                .classicOnly().classicUpperBounds(RECONCILE_BUCKETS).withoutExemplars().register(registry);
        reconcileChanges = Counter.builder().name("weft_reconcile_changes_total")
                .help("Kernel objects the reconciler changed, by change: added, replaced or deleted")
                .labelNames("change").register(registry);
        for (String change : new String[] {"added", "replaced", "deleted"}) {
            reconcileChanges.initLabelValues(change);
        }
        leaseRenewals = Counter.builder().name("weft_lease_renewals_total").help("Lease renewals that succeeded").register(registry);
        leaseRenewalFailures = Counter.builder().name("weft_lease_renewal_failures_total").help("Lease renewals that failed")
                .register(registry);
        masqueradeRepairs = Counter.builder().name("weft_masquerade_repairs_total")
                .help("Times the nftables table ip weft was found changed or gone and applied again").register(registry);
        cniRequests = Counter.builder().name("weft_cni_requests_total")
                .help("CNI requests served on the agent's socket, by command and result: ok or error")
                .labelNames("command", "result").register(registry);
        cniDuration = Histogram.builder().name("weft_cni_request_duration_seconds").help("How long the agent took to answer a CNI request")
                .labelNames("command").classicOnly().classicUpperBounds(CNI_BUCKETS).withoutExemplars().register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void reconciled(ReconcileResult result) {
        reconcileRuns.labelValues("ok").inc();
        reconcileDuration.observe(seconds(result.took()));
        reconcileChanges.labelValues("added").inc(result.added());
        reconcileChanges.labelValues("replaced").inc(result.replaced());
        reconcileChanges.labelValues("deleted").inc(result.deleted());
        peers.labelValues("vxlan").set(result.vxlanPeers());
        peers.labelValues("direct").set(result.directPeers());
    }

    public void reconcileFailed(Duration took) {
        reconcileRuns.labelValues("error").inc();
        reconcileDuration.observe(seconds(took));
    }

    public void leaseRenewed() {
        leaseRenewals.inc();
    }

    public void leaseRenewalFailed() {
        leaseRenewalFailures.inc();
    }

    public void masqueradeRepaired() {
        masqueradeRepairs.inc();
    }

    /** {@code handler}, counted and timed per request. */
    public CniHandler counting(CniHandler handler) {
        return new CountingCniHandler(handler, this);
    }

    void cniAnswered(String command, boolean ok, long nanos) {
        cniRequests.labelValues(command, ok ? "ok" : "error").inc();
        cniDuration.labelValues(command).observe(nanos / 1e9);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
