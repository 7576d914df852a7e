package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.cni.CniResponse;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.weft.cni.pod.PodNetworkFixture.assertError;
import static io.weft.cni.pod.PodNetworkFixture.environment;
import static io.weft.cni.pod.PodNetworkFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Every error code the plugin produces, each from a real bad input, and what a failed ADD leaves: nothing. */
class ErrorCodesTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final PodNetworkFixture fixture = new PodNetworkFixture("10.42.1.1/24");
    private NetNamespace pod;

    @BeforeEach
    void createPod() {
        pod = fixture.sandbox.namespace();
    }

    private JsonNode addFails(Map<String, String> environment, String config, int code) {
        return assertError(fixture.invoke(environment, config), code);
    }

    private Map<String, String> add() {
        return environment("ADD", "c1", pod, "eth0");
    }

    private void assertNothingLeft() {
        assertThat(fixture.weftVeths()).isEmpty();
        assertThat(fixture.reservations()).isEmpty();
    }

    @Test
    void incompatibleVersionIsCode1() {
        JsonNode error = addFails(add(), fixture.config("0.2.0", ""), CniException.INCOMPATIBLE_VERSION);
        assertThat(error.get("msg").asString()).isEqualTo("incompatible CNI versions");
        assertThat(error.get("details").asString())
                .isEqualTo("config is \"0.2.0\", plugin supports [\"0.3.0\", \"0.3.1\", \"0.4.0\", \"1.0.0\", \"1.1.0\"]");
        assertThat(error.get("cniVersion").asString()).isEqualTo("1.1.0");
        String noVersion = "{\"name\":\"weftnet\",\"type\":\"weft\"}";
        assertThat(addFails(add(), noVersion, CniException.INCOMPATIBLE_VERSION).get("details").asString()).contains("\"0.1.0\"");
        assertNothingLeft();
    }

    @Test
    void ipamSectionIsCode2NamingKeyAndValue() {
        JsonNode error = addFails(add(), fixture.config("1.0.0", ",\"ipam\":{\"type\":\"host-local\"}"), CniException.UNSUPPORTED_FIELD);
        assertThat(error.get("msg").asString()).startsWith("unsupported field ipam={\"type\":\"host-local\"}");
        assertThat(error.get("cniVersion").asString()).isEqualTo("1.0.0");
        assertNothingLeft();
    }

    @Test
    void badEnvironmentIsCode4NamingTheVariable() {
        for (String variable : new String[] {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"}) {
            Map<String, String> environment = add();
            environment.remove(variable);
            assertThat(addFails(environment, fixture.config(), CniException.INVALID_ENVIRONMENT).get("msg").asString())
                    .startsWith(variable + " is not set");
        }
        for (String ifName : new String[] {"eth0123456789012", "eth/0", "eth:0", "eth 0", ".."}) {
            assertThat(addFails(environment("ADD", "c1", pod, ifName), fixture.config(), CniException.INVALID_ENVIRONMENT)
                    .get("msg").asString()).startsWith("CNI_IFNAME \"" + ifName + "\"");
        }
        assertThat(addFails(environment("ADD", "c/1", pod, "eth0"), fixture.config(), CniException.INVALID_ENVIRONMENT)
                .get("msg").asString()).startsWith("CNI_CONTAINERID \"c/1\"");
        Map<String, String> unknown = add();
        unknown.put("CNI_COMMAND", "add");
        assertThat(addFails(unknown, fixture.config(), CniException.INVALID_ENVIRONMENT).get("msg").asString())
                .startsWith("CNI_COMMAND \"add\"");
        assertNothingLeft();
    }

    @Test
    void undecodableConfigIsCode6() {
        assertThat(addFails(add(), "{\"cniVersion\":\"1.0.0\",", CniException.DECODE_FAILURE).get("msg").asString())
                .startsWith("the network configuration on stdin is not JSON");
        addFails(add(), "\"weft\"", CniException.DECODE_FAILURE);
        assertNothingLeft();
    }

    @Test
    void invalidConfigIsCode7NamingTheField() {
        assertThat(addFails(add(), fixture.config("1.0.0", ",\"bridge\":\"a bridge\""), CniException.INVALID_CONFIG)
                .get("msg").asString()).startsWith("bridge \"a bridge\" is not valid");
        assertThat(addFails(add(), fixture.config("1.0.0", ",\"mtu\":\"1450\""), CniException.INVALID_CONFIG)
                .get("msg").asString()).startsWith("mtu \"1450\" is not valid");
        assertThat(addFails(add(), "{\"cniVersion\":\"1.0.0\",\"type\":\"weft\"}", CniException.INVALID_CONFIG)
                .get("msg").asString()).isEqualTo("name is missing");
        assertNothingLeft();
    }

    @Test
    void missingSubnetFileIsCode11AndStatusSays50() throws Exception {
        Files.delete(fixture.subnetFile);

        JsonNode error = addFails(add(), fixture.config(), CniException.TRY_AGAIN_LATER);
        JsonNode status = assertError(fixture.invoke(Map.of("CNI_COMMAND", "STATUS"), fixture.config("1.1.0", "")),
                CniException.UNAVAILABLE);

        assertThat(error.get("msg").asString()).startsWith("the Weft agent is not ready: " + fixture.subnetFile + " does not exist");
        assertThat(status.get("msg").asString()).startsWith("the Weft agent is not ready");
        assertThat(status.get("cniVersion").asString()).isEqualTo("1.1.0");
        assertThat(Sandbox.ipJson(fixture.node, "link", "show").findValuesAsString("ifname")).containsExactly("lo");
    }

    @Test
    void statusSucceedsSilentlyWhenTheSubnetFileIsThere() {
        CniResponse response = fixture.invoke(Map.of("CNI_COMMAND", "STATUS"), fixture.config("1.1.0", ""));

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(response.stdout()).isEmpty();
    }

    @Test
    void fullSubnetIsCode100AndTheFailedAddLeavesNothing() {
        fixture.writeSubnet("10.42.1.1/30"); // .0 network, .1 gateway, .3 broadcast: one address, .2
        fixture.attach("c1", pod);
        NetNamespace second = fixture.sandbox.namespace();

        JsonNode error = assertError(fixture.add("c2", second), CniException.ADDRESSES_EXHAUSTED);

        assertThat(error.get("msg").asString()).isNotBlank();
        assertThat(fixture.weftVeths()).containsExactly(HostVeth.name("c1", "eth0"));
        assertThat(fixture.reservations()).hasSize(1);
        assertThat(Sandbox.ipJson(second, "link", "show").findValuesAsString("ifname")).containsExactly("lo");
    }

    @Test
    void existingPodInterfaceIsCode101AndReleasesTheAddress() {
        Sandbox.ip(pod, "link", "add", "eth0", "type", "veth", "peer", "name", "other0");

        JsonNode error = assertError(fixture.add("c1", pod), CniException.INTERFACE_EXISTS);

        assertThat(error.get("msg").asString()).isEqualTo("interface eth0 already exists in " + pod.path());
        assertThat(error.get("details").asString()).contains("EEXIST");
        assertNothingLeft();
        assertThat(Sandbox.ipJson(pod, "link", "show").findValuesAsString("ifname")).containsExactlyInAnyOrder("lo", "eth0", "other0");
    }

    @Test
    void repeatedAddOfALiveAttachmentIsCode101AndKeepsTheFirst() {
        var first = fixture.attach("c1", pod);

        assertError(fixture.add("c1", pod), CniException.INTERFACE_EXISTS);

        assertThat(fixture.reservations()).hasSize(1);
        assertThat(fixture.weftVeths()).containsExactly(HostVeth.name("c1", "eth0"));
        CniResponse check = fixture.withPrevResult("CHECK", "c1", pod, first);
        assertThat(check.exitCode()).as(check.stdoutText()).isZero();
    }

    @Test
    void kernelRefusalMidAddIsCode102AndUndoesVethAndAddress() {
        // the pod already has a default route: the last kernel step of ADD fails
        Sandbox.ip(pod, "link", "add", "x0", "type", "veth", "peer", "name", "x1");
        Sandbox.ip(pod, "addr", "add", "192.0.2.1/24", "dev", "x0");
        Sandbox.ip(pod, "link", "set", "x0", "up");
        Sandbox.ip(pod, "route", "add", "default", "via", "192.0.2.254");

        JsonNode error = assertError(fixture.add("c1", pod), CniException.KERNEL_REFUSED);

        assertThat(error.get("msg").asString()).startsWith("RTM_NEWROUTE 0.0.0.0/0 via 10.42.1.1 dev").contains("EEXIST");
        assertNothingLeft();
        assertThat(Sandbox.ipJson(pod, "link", "show").findValuesAsString("ifname")).containsExactlyInAnyOrder("lo", "x0", "x1");
    }

    @Test
    void unopenableNamespaceIsCode103() throws Exception {
        Map<String, String> missing = add();
        missing.put("CNI_NETNS", "/run/netns/weft-test-does-not-exist");
        Path plainFile = Files.writeString(dir.resolve("not-a-netns"), "");
        Map<String, String> notANamespace = add();
        notANamespace.put("CNI_NETNS", plainFile.toString());

        assertThat(addFails(missing, fixture.config(), CniException.NAMESPACE_UNAVAILABLE).get("msg").asString())
                .isEqualTo("CNI_NETNS /run/netns/weft-test-does-not-exist cannot be opened: ENOENT");
        assertThat(addFails(notANamespace, fixture.config(), CniException.NAMESPACE_UNAVAILABLE).get("msg").asString())
                .isEqualTo("CNI_NETNS " + plainFile + " is not a network namespace: EINVAL");
        assertNothingLeft();
    }

    @Test
    void versionAnswersForEverySupportedVersion() {
        for (String version : new String[] {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}) {
            CniResponse response = fixture.invoke(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"" + version + "\"}");

            assertThat(response.exitCode()).isZero();
            assertThat(response.stdoutText()).isEqualTo("{\"cniVersion\":\"" + version
                    + "\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
        }
        assertThat(json(fixture.invoke(Map.of("CNI_COMMAND", "VERSION"), "")).get("cniVersion").asString()).isEqualTo("1.1.0");
    }
}
