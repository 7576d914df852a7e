package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseEvent;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Turns the node informer's events into lease events. Kubelet rewrites node status every few
 * minutes, so an update is reported only when the lease changed, appeared, moved or vanished, or when the
 * informer hands over the same version again: that is a relist after a reconnect, which the
 * {@link io.weft.agent.lease.LeaseStore#watch} contract reports as Updated.
 *
 * <p>The node before an update, and the node deleted, come from the informer's store, which keeps
 * only the name, resourceVersion, Weft's annotations and podCIDRs ({@link KeptNodes}): read
 * nothing else of them.
 */
final class NodeEvents implements ResourceEventHandler<GenericKubernetesResource> {
    private static final System.Logger LOG = System.getLogger(NodeEvents.class.getName());

    private final ClusterNetwork network;
    private final Consumer<LeaseEvent> listener;

    NodeEvents(ClusterNetwork network, Consumer<LeaseEvent> listener) {
        this.network = network;
        this.listener = listener;
    }

    @Override
    public void onAdd(GenericKubernetesResource node) {
        NodeLeases.leaseOf(node, network).ifPresent(lease -> report(new LeaseEvent.Updated(lease)));
    }

    /**
     * A lease that vanished, or moved to another subnet (a new podCIDR), is reported Removed at its
     * old subnet first: the agent knows leases by subnet, so an Updated alone would leave the old
     * subnet's route in place until the next re-list.
     */
    @Override
    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
        Optional<Lease> was = NodeLeases.leaseOf(before, network);
        Optional<Lease> is = NodeLeases.leaseOf(after, network);
        was.filter(old -> is.map(lease -> !lease.subnet().equals(old.subnet())).orElse(true))
                .ifPresent(old -> report(new LeaseEvent.Removed(old.node(), old.subnet())));
        if (is.isPresent() && (!is.equals(was) || sameVersion(before, after))) {
            report(new LeaseEvent.Updated(is.get()));
        }
    }

    @Override
    public void onDelete(GenericKubernetesResource node, boolean finalStateUnknown) {
        // with finalStateUnknown the node is the last state the informer saw, which is all we need
        NodeLeases.leaseOf(node, network).ifPresent(lease -> report(new LeaseEvent.Removed(lease.node(), lease.subnet())));
    }

    /** fabric8 would log a listener's failure through SLF4J, which may have nowhere to go. */
    private void report(LeaseEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            LOG.log(WARNING, "lease listener failed on " + event, e);
        }
    }

    private static boolean sameVersion(GenericKubernetesResource before, GenericKubernetesResource after) {
        return Objects.equals(before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion());
    }
}
