package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.cni.CniResponse;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static io.weft.cni.pod.PodNetworkFixture.assertError;
import static io.weft.cni.pod.PodNetworkFixture.environment;
import static io.weft.cni.pod.PodNetworkFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The program installed as {@code loopback}, as containerd's CRI runs it beside the primary plugin. */
class LoopbackTest {
    private static final String CONFIG = "{\"cniVersion\":\"0.3.1\",\"name\":\"cni-loopback\",\"type\":\"loopback\"}";

    @RegisterExtension
    final PodNetworkFixture fixture = new PodNetworkFixture("10.42.1.1/24");
    private NetNamespace pod;

    @BeforeEach
    void createPod() {
        pod = fixture.sandbox.namespace();
    }

    private CniResponse loopback(String command, NetNamespace namespace, String config) {
        return fixture.invoke(environment(command, "c1", namespace, "lo"), config, "/opt/cni/bin/loopback");
    }

    private boolean loIsUp() {
        return Sandbox.ipJson(pod, "link", "show", "dev", "lo").get(0).get("flags").toString().contains("\"UP\"");
    }

    @Test
    void addBringsLoUpAndReportsItsAddresses() {
        CniResponse response = loopback("ADD", pod, CONFIG);

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(loIsUp()).isTrue();
        JsonNode result = json(response);
        assertThat(result.get("cniVersion").asString()).isEqualTo("0.3.1");
        assertThat(result.get("interfaces").toString())
                .isEqualTo("[{\"name\":\"lo\",\"mac\":\"00:00:00:00:00:00\",\"sandbox\":\"" + pod.path() + "\"}]");
        JsonNode ipv4 = result.get("ips").get(0);
        assertThat(ipv4.get("address").asString()).isEqualTo("127.0.0.1/8");
        assertThat(ipv4.get("interface").asInt()).isZero();
        assertThat(ipv4.get("version").asString()).isEqualTo("4");
        assertThat(result.get("ips").findValuesAsString("address")).isSubsetOf("127.0.0.1/8", "::1/128");
        assertThat(Sandbox.ipJson(fixture.node, "link", "show").findValuesAsString("ifname")).containsExactly("lo");
    }

    @Test
    void addPassesPrevResultThroughInTheRequestVersion() {
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"loopback\",\"prevResult\":{\"cniVersion\":\"0.4.0\","
                + "\"ips\":[{\"version\":\"4\",\"address\":\"10.42.1.5/24\"}],\"dns\":{}}}";

        CniResponse response = loopback("ADD", pod, config);

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(json(response).toString())
                .isEqualTo("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.42.1.5/24\"}],\"dns\":{}}");
        assertThat(loIsUp()).isTrue();
    }

    @Test
    void checkWantsLoUp() {
        assertError(loopback("CHECK", pod, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"loopback\"}"),
                CniException.CHECK_FAILED);
        loopback("ADD", pod, CONFIG);

        assertThat(loopback("CHECK", pod, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"loopback\"}").exitCode()).isZero();
    }

    @Test
    void deleteTakesLoDownAndToleratesAMissingNamespace() {
        loopback("ADD", pod, CONFIG);

        CniResponse response = loopback("DEL", pod, CONFIG);
        CniResponse withoutNamespace = loopback("DEL", null, CONFIG);
        Map<String, String> gone = environment("DEL", "c1", pod, "lo");
        gone.put("CNI_NETNS", "/run/netns/weft-test-gone");
        CniResponse goneNamespace = fixture.invoke(gone, CONFIG, "loopback");

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(response.stdout()).isEmpty();
        assertThat(loIsUp()).isFalse();
        assertThat(withoutNamespace.exitCode()).isZero();
        assertThat(goneNamespace.exitCode()).isZero();
    }

    @Test
    void addInAMissingNamespaceIsCode103() {
        Map<String, String> environment = environment("ADD", "c1", pod, "lo");
        environment.put("CNI_NETNS", "/run/netns/weft-test-gone");

        assertError(fixture.invoke(environment, CONFIG, "loopback"), CniException.NAMESPACE_UNAVAILABLE);
    }

    @Test
    void answersVersion() {
        CniResponse response = fixture.invoke(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.3.1\"}", "loopback");

        assertThat(json(response).get("supportedVersions")).hasSize(5);
    }
}
