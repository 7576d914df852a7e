package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The node informer's store, keeping of each node only what {@link NodeLeases#leaseOf} reads of the
 * node it held before an update or a delete: its resourceVersion, podCIDR(s) and Weft's annotations,
 * ~0.3 kB a node against ~10 kB of JSON for a real k3s node. fabric8's own reduced store keeps whole
 * fields (all annotations, k3s writes ~1 kB of them) and copies each node it is handed through a map
 * of all its fields, a garbage-heavy step with thousands of nodes relisted.
 *
 * <p>It also keeps each node's lease, read once when the node arrives: the store's list answers from
 * here on every periodic pass while the watch is up, and reading a thousand leases again each time
 * (annotations parsed as JSON) was most of the garbage of a pass with nothing to do.
 */
final class KeptNodes implements ItemStore<GenericKubernetesResource> {
    private final ClusterNetwork network;
    private final Map<String, Kept> nodes = new ConcurrentHashMap<>();

    /** What is kept of a node named by its key; podCIDR(s) as the API server wrote them. */
    private record Kept(String resourceVersion, Map<String, String> annotations, Object podCidr, Object podCidrs,
                        Optional<Lease> lease) {}

    /** @param network the cluster network the nodes' leases are read in */
    KeptNodes(ClusterNetwork network) {
        this.network = Objects.requireNonNull(network, "network");
    }

    /** The leases of the nodes kept now, in no particular order. */
    List<Lease> leases() {
        List<Lease> leases = new ArrayList<>();
        for (Kept kept : nodes.values()) {
            kept.lease().ifPresent(leases::add);
        }
        return leases;
    }

    @Override
    public String getKey(GenericKubernetesResource node) {
        return Cache.metaNamespaceKeyFunc(node);
    }

    @Override
    public GenericKubernetesResource put(String key, GenericKubernetesResource node) {
        return restore(key, nodes.put(key, keep(node)));
    }

    @Override
    public GenericKubernetesResource remove(String key) {
        return restore(key, nodes.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return nodes.keySet().stream();
    }

    @Override
    public Stream<GenericKubernetesResource> values() {
        return nodes.entrySet().stream().map(entry -> restore(entry.getKey(), entry.getValue()));
    }

    @Override
    public int size() {
        return nodes.size();
    }

    @Override
    public GenericKubernetesResource get(String key) {
        return restore(key, nodes.get(key));
    }

    @Override
    public boolean isFullState() {
        return false;
    }

    private Kept keep(GenericKubernetesResource node) {
        Map<String, String> annotations = new HashMap<>();
        Map<String, String> all = NodeLeases.annotations(node);
        for (String name : NodeLeases.LEASE_ANNOTATIONS) {
            String value = all.get(name);
            if (value != null) {
                annotations.put(name, value);
            }
        }
        return new Kept(node.getMetadata().getResourceVersion(), Map.copyOf(annotations),
                node.get("spec", "podCIDR"), node.get("spec", "podCIDRs"), NodeLeases.leaseOf(node, network));
    }

    /** A node with the kept fields only; null for none, as {@link ItemStore} wants. */
    private static GenericKubernetesResource restore(String name, Kept kept) {
        if (kept == null) {
            return null;
        }
        ObjectMeta metadata = new ObjectMeta();
        metadata.setName(name);
        metadata.setResourceVersion(kept.resourceVersion());
        metadata.setAnnotations(new LinkedHashMap<>(kept.annotations()));
        Map<String, Object> spec = new LinkedHashMap<>();
        if (kept.podCidr() != null) {
            spec.put("podCIDR", kept.podCidr());
        }
        if (kept.podCidrs() != null) {
            spec.put("podCIDRs", kept.podCidrs());
        }
        GenericKubernetesResource node = new GenericKubernetesResource();
        node.setApiVersion("v1");
        node.setKind("Node");
        node.setMetadata(metadata);
        node.setAdditionalProperty("spec", spec);
        return node;
    }
}
