package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The paging of {@link KubeLeaseStore#list()} over a stubbed page source: fabric8's mock API server
 * ignores {@code limit} and {@code continue} and answers every list with all nodes at once.
 */
class NodePagesTest {
    private static final ClusterNetwork NETWORK = new ClusterNetwork(IpPrefix.parse(K3sNodes.NETWORK), 24);

    @Test
    void followsTheContinueTokensToTheLastPageAndKeepsTheLeasesOfAllPages() {
        Map<String, GenericKubernetesResourceList> pages = Map.of(
                "", page("first", 0, 1, 2),
                "first", page("second", 3, 4),
                "second", page(null, 5));
        List<String> asked = new ArrayList<>();

        List<Lease> leases = NodePages.leases(recording(pages, asked), NETWORK);

        assertThat(asked).containsExactly("", "first", "second");
        assertThat(leases).extracting(Lease::node).containsExactly(
                K3sNodes.name(0), K3sNodes.name(1), K3sNodes.name(2), K3sNodes.name(3), K3sNodes.name(4), K3sNodes.name(5));
    }

    @Test
    void anEmptyContinueTokenEndsTheList() {
        List<String> asked = new ArrayList<>();

        List<Lease> leases = NodePages.leases(recording(Map.of("", page("", 7)), asked), NETWORK);

        assertThat(asked).containsExactly("");
        assertThat(leases).extracting(Lease::subnet).containsExactly(IpPrefix.parse(K3sNodes.podCidr(7)));
    }

    @Test
    void skipsNodesWithoutWeftOnEveryPage() {
        Node withoutWeft = K3sNodes.node(0);
        withoutWeft.getMetadata().getAnnotations().remove(NodeLeases.BACKEND_DATA);
        GenericKubernetesResourceList first = page("next", withoutWeft);
        Node withoutPodCidr = K3sNodes.node(2);
        withoutPodCidr.getSpec().setPodCIDRs(List.of());
        withoutPodCidr.getSpec().setPodCIDR(null);
        GenericKubernetesResourceList second = page(null, K3sNodes.node(1), withoutPodCidr);

        List<Lease> leases = NodePages.leases(recording(Map.of("", first, "next", second), new ArrayList<>()), NETWORK);

        assertThat(leases).extracting(Lease::node).containsExactly(K3sNodes.name(1));
    }

    @Test
    void startsTheListAgainWhenAContinueTokenHasExpired() {
        Map<String, GenericKubernetesResourceList> pages = Map.of("", page("first", 0), "first", page(null, 1));
        List<String> asked = new ArrayList<>();
        Function<String, GenericKubernetesResourceList> recording = recording(pages, asked);
        boolean[] expired = {false};

        List<Lease> leases = NodePages.leases(next -> {
            if ("first".equals(next) && !expired[0]) {
                expired[0] = true;
                asked.add(next + " (410)");
                throw new KubernetesClientException("The provided continue parameter is too old", 410, null);
            }
            return recording.apply(next);
        }, NETWORK);

        assertThat(asked).containsExactly("", "first (410)", "", "first");
        assertThat(leases).extracting(Lease::node).containsExactly(K3sNodes.name(0), K3sNodes.name(1));
    }

    @Test
    void otherFailuresAndTokensThatKeepExpiringFailTheList() {
        assertThatThrownBy(() -> NodePages.leases(next -> {
            throw new KubernetesClientException("Forbidden", 403, null);
        }, NETWORK)).isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

        List<String> asked = new ArrayList<>();
        assertThatThrownBy(() -> NodePages.leases(next -> {
            asked.add(String.valueOf(next));
            if (next != null) {
                throw new KubernetesClientException("The provided continue parameter is too old", 410, null);
            }
            return page("first", 0);
        }, NETWORK)).isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(410));
        assertThat(asked).as("three lists begun").containsExactly("null", "first", "null", "first", "null", "first");
    }

    /** A page source answering from {@code pages} by continue token ({@code ""} for the first call's null). */
    private static Function<String, GenericKubernetesResourceList> recording(Map<String, GenericKubernetesResourceList> pages, List<String> asked) {
        return next -> {
            String token = next == null ? "" : next;
            asked.add(token);
            return pages.get(token);
        };
    }

    private static GenericKubernetesResourceList page(String next, int... nodes) {
        return page(next, IntStream.of(nodes).mapToObj(K3sNodes::node).toArray(Node[]::new));
    }

    private static GenericKubernetesResourceList page(String next, Node... nodes) {
        GenericKubernetesResourceList page = new GenericKubernetesResourceList();
        page.setMetadata(new ListMetaBuilder().withContinue(next).build());
        page.setItems(Stream.of(nodes).map(K3sNodes::untyped).toList());
        return page;
    }
}
