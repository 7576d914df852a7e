package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;

import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Lists all nodes a page at a time ({@code limit} and {@code continue}), keeping only their leases:
 * a real k3s Node is ~10 kB of JSON and several times that as objects, so a cluster of hundreds of
 * nodes listed at once does not fit the agent's heap. The API server serves the pages of one list
 * from one snapshot, as a single list would be.
 */
final class NodePages {
    /** Nodes a page: ~0.5 MB of JSON from real k3s nodes, ~4 MiB as objects while the page is read. */
    static final long PAGE_SIZE = 50;
    /** Lists begun, at most, when continue tokens keep expiring. */
    private static final int ATTEMPTS = 3;

    private NodePages() {}

    /**
     * The leases of the nodes {@code page} returns, called with no continue token ({@code null})
     * first, then with each page's, until a page has none.
     */
    static List<Lease> leases(Function<String, GenericKubernetesResourceList> page, ClusterNetwork network) {
        for (int attempt = 1; ; attempt++) {
            try {
                return onePass(page, network);
            } catch (KubernetesClientException e) {
                // 410 Gone: the list's snapshot was compacted away between two pages (a continue token
                // lives about 5 minutes); the list starts again, as a client of the API server must
                if (e.getCode() != HttpURLConnection.HTTP_GONE || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static List<Lease> onePass(Function<String, GenericKubernetesResourceList> page, ClusterNetwork network) {
        List<Lease> leases = new ArrayList<>();
        String next = null;
        do {
            GenericKubernetesResourceList nodes = page.apply(next);
            for (GenericKubernetesResource node : nodes.getItems()) {
                NodeLeases.leaseOf(node, network).ifPresent(leases::add);
            }
            ListMeta meta = nodes.getMetadata();
            next = meta == null || meta.getContinue() == null || meta.getContinue().isEmpty() ? null : meta.getContinue();
        } while (next != null);
        return List.copyOf(leases);
    }
}
