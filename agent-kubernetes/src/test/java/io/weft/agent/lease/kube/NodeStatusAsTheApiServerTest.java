package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mock's node status subresource keeps metadata and refuses spec, as the API server's node status strategy. */
class NodeStatusAsTheApiServerTest {
    @RegisterExtension
    final MockKubernetesApi api = new MockKubernetesApi();

    @BeforeEach
    void node() {
        api.client().nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata()
                .withNewSpec().withPodCIDR("10.42.1.0/24").endSpec().build()).create();
    }

    @Test
    void aStatusPatchChangesTheNodesAnnotations() {
        api.client().nodes().withName("node-1").subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"weft.io/public-ip\":\"192.0.2.7\"}}}");

        assertThat(api.client().nodes().withName("node-1").get().getMetadata().getAnnotations())
                .containsEntry("weft.io/public-ip", "192.0.2.7");
    }

    @Test
    void aStatusPatchTouchingSpecIsRefusedAndChangesNothing() {
        assertThatThrownBy(() -> api.client().nodes().withName("node-1").subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"podCIDR\":\"10.42.9.0/24\"}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        assertThatThrownBy(() -> api.client().nodes().withName("node-1").subresource("status")
                .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/spec/podCIDR\",\"value\":\"10.42.9.0/24\"}]"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));

        assertThat(api.client().nodes().withName("node-1").get().getSpec().getPodCIDR()).isEqualTo("10.42.1.0/24");
    }
}
