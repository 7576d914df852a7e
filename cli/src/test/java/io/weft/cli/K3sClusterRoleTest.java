package io.weft.cli;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseEvent;
import io.weft.agent.lease.kube.KubeLeaseStore;
import io.weft.agent.lease.kube.MockKubernetesApi;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifest's ClusterRole against the agent's Kubernetes store: the store does everything it
 * does on fabric8's mock API server in CRUD mode (the one Kubernetes API we can run here), each
 * request is mapped to the RBAC resource and verb it needs, and the role must grant exactly those.
 */
class K3sClusterRoleTest {
    private static final String MOVED = "203.0.113.9";

    @RegisterExtension
    final MockKubernetesApi api = new MockKubernetesApi();

    /**
     * Runs the agent's Kubernetes store through everything it does (acquire, renew, list, watch) on the
     * mock server, maps each request to the RBAC resource and verb it needs, and compares.
     */
    @Test
    void clusterRoleGrantsExactlyTheCallsTheKubernetesStoreMakes() throws Exception {
        api.client().nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata()
                .withNewSpec().withPodCIDR("10.42.1.0/24").withPodCIDRs("10.42.1.0/24").endSpec().build()).create();
        RecordedRequest created = api.server().takeRequest(5, TimeUnit.SECONDS);
        assertThat(created.getMethod()).as("the test's own request").isEqualTo("POST");
        List<RecordedRequest> requests = new ArrayList<>();
        BlockingQueue<LeaseEvent> events = new LinkedBlockingQueue<>();
        try (KubeLeaseStore store = new KubeLeaseStore(api.client(), "node-1", new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24))) {
            Lease lease = store.acquire(new LeaseClaim("node-1", IpPrefix.parseAddress("192.168.50.11"), MacAddress.parse("0a:58:0a:2a:01:00")));
            store.renew(lease);
            store.list();
            try (AutoCloseable watch = store.watch(events::add)) {
                do { // the informer lists, then watches
                    RecordedRequest request = api.server().takeRequest(30, TimeUnit.SECONDS);
                    assertThat(request).as("a request of the store within 30 s").isNotNull();
                    requests.add(request);
                } while (!rbac(requests.getLast()).equals("nodes watch"));
                // a change of the node's public IP, which only the streaming watch can report (closed
                // while half set up, the watch would keep the mock server from shutting down)
                api.client().nodes().withName("node-1").patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"annotations\":{\"weft.io/public-ip\":\"" + MOVED + "\"}}}");
                LeaseEvent event;
                do {
                    event = events.poll(30, TimeUnit.SECONDS);
                    assertThat(event).as("the watch reporting the test's change within 30 s").isNotNull();
                } while (!(event instanceof LeaseEvent.Updated(Lease updated) && IpPrefix.formatAddress(updated.publicIp()).equals(MOVED)));
            }
        }
        for (RecordedRequest request; (request = api.server().takeRequest(200, TimeUnit.MILLISECONDS)) != null; ) {
            requests.add(request);
        }
        Set<String> calls = requests.stream()
                .filter(request -> !request.getBody().readUtf8().contains(MOVED)) // the test's own patch
                .map(K3sClusterRoleTest::rbac).collect(Collectors.toCollection(TreeSet::new));

        Set<String> granted = new TreeSet<>();
        ClusterRole role = K3sManifestTest.only(K3sManifestTest.load(K3sManifestTest.MANIFEST), ClusterRole.class);
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getApiGroups()).as("API groups of %s", rule).containsExactly("");
            rule.getResources().forEach(resource -> rule.getVerbs().forEach(verb -> granted.add(resource + " " + verb)));
        }
        assertThat(calls).as("what the store called: the least rights, as Flannel's").containsExactlyInAnyOrder(
                "nodes get", "nodes list", "nodes watch", "nodes/status patch");
        assertThat(granted).isEqualTo(calls);
    }

    /** {@code GET /api/v1/nodes/node-1} is {@code nodes get}, {@code PATCH …/node-1/status} is {@code nodes/status patch}, … */
    private static String rbac(RecordedRequest request) {
        URI uri = URI.create(request.getPath());
        Matcher path = Pattern.compile("/api/v1/(nodes)(?:/([^/]+)(?:/(status))?)?").matcher(uri.getPath());
        assertThat(path.matches()).as("the store called %s %s, not the core nodes API", request.getMethod(), uri).isTrue();
        String resource = path.group(3) == null ? path.group(1) : path.group(1) + "/" + path.group(3);
        boolean watch = uri.getQuery() != null && uri.getQuery().contains("watch=true");
        String verb = switch (request.getMethod()) {
            case "GET" -> path.group(2) != null ? "get" : watch ? "watch" : "list";
            case "PATCH" -> "patch";
            case "PUT" -> "update";
            case "POST" -> "create";
            case "DELETE" -> "delete";
            default -> request.getMethod();
        };
        return resource + " " + verb;
    }
}
