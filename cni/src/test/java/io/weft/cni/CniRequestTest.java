package io.weft.cni;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CniRequestTest {
    private static final String CONFIG = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\"}";

    private static Map<String, String> addEnvironment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("CNI_COMMAND", "ADD");
        environment.put("CNI_CONTAINERID", "c1");
        environment.put("CNI_NETNS", "/run/netns/x");
        environment.put("CNI_IFNAME", "eth0");
        environment.put("CNI_PATH", "/opt/cni/bin");
        return environment;
    }

    private static CniRequest parse(Map<String, String> environment, String stdin) {
        return CniRequest.parse(new CniInvocation(environment, stdin.getBytes(StandardCharsets.UTF_8), "weft"));
    }

    private static void assertFails(Map<String, String> environment, String stdin, int code, String... messageParts) {
        assertThatThrownBy(() -> parse(environment, stdin))
                .isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage() + " " + e.details()).contains(messageParts);
                });
    }

    @Test
    void parsesAnAddRequest() {
        Map<String, String> environment = addEnvironment();
        environment.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=web;bogus;IP=10.42.1.9");

        CniRequest request = parse(environment, CONFIG);

        assertThat(request.command()).isEqualTo(CniCommand.ADD);
        assertThat(request.containerId()).isEqualTo("c1");
        assertThat(request.netns()).isEqualTo("/run/netns/x");
        assertThat(request.ifName()).isEqualTo("eth0");
        assertThat(request.args()).containsExactlyInAnyOrderEntriesOf(
                Map.of("IgnoreUnknown", "1", "K8S_POD_NAME", "web", "IP", "10.42.1.9"));
        assertThat(request.version()).isEqualTo(CniVersion.V1_0_0);
        assertThat(request.networkName()).isEqualTo("weft");
        assertThat(request.prevResult()).isEmpty();
    }

    @Test
    void namesEachMissingVariableOfEachCommand() {
        for (String variable : new String[] {"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"}) {
            Map<String, String> environment = addEnvironment();
            environment.remove(variable);
            assertFails(environment, CONFIG, CniException.INVALID_ENVIRONMENT, variable);
            environment.put(variable, "");
            assertFails(environment, CONFIG, CniException.INVALID_ENVIRONMENT, variable);
        }
        Map<String, String> noCommand = addEnvironment();
        noCommand.remove("CNI_COMMAND");
        assertFails(noCommand, CONFIG, CniException.INVALID_ENVIRONMENT, "CNI_COMMAND");
    }

    @Test
    void deleteNeedsNoNamespace() {
        Map<String, String> environment = addEnvironment();
        environment.put("CNI_COMMAND", "DEL");
        environment.put("CNI_NETNS", "");

        assertThat(parse(environment, CONFIG).netns()).isEmpty();
    }

    @Test
    void refusesUnknownCommand() {
        Map<String, String> environment = addEnvironment();
        environment.put("CNI_COMMAND", "UPDATE");
        assertFails(environment, CONFIG, CniException.INVALID_ENVIRONMENT, "CNI_COMMAND \"UPDATE\"", "ADD, DEL");
    }

    @Test
    void refusesInvalidInterfaceNames() {
        for (String ifName : new String[] {"eth0123456789012", "a/b", "a:b", "a b", "a\tb", ".", ".."}) {
            Map<String, String> environment = addEnvironment();
            environment.put("CNI_IFNAME", ifName);
            assertFails(environment, CONFIG, CniException.INVALID_ENVIRONMENT, "CNI_IFNAME");
        }
        Map<String, String> longest = addEnvironment();
        longest.put("CNI_IFNAME", "eth012345678901");
        assertThat(parse(longest, CONFIG).ifName()).hasSize(15);
    }

    @Test
    void refusesInvalidContainerIdsAndRelativeNamespaces() {
        for (String id : new String[] {"-c1", "c/1", "c 1", "_x"}) {
            Map<String, String> environment = addEnvironment();
            environment.put("CNI_CONTAINERID", id);
            assertFails(environment, CONFIG, CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID");
        }
        Map<String, String> relative = addEnvironment();
        relative.put("CNI_NETNS", "run/netns/x");
        assertFails(relative, CONFIG, CniException.INVALID_ENVIRONMENT, "CNI_NETNS");
    }

    @Test
    void refusesWhatIsNotAJsonObject() {
        assertFails(addEnvironment(), "{\"cniVersion\":", CniException.DECODE_FAILURE, "not JSON");
        assertFails(addEnvironment(), "[1]", CniException.DECODE_FAILURE, "not a JSON object");
        assertFails(addEnvironment(), "", CniException.DECODE_FAILURE, "empty");
        assertFails(addEnvironment(), CONFIG + " {}", CniException.DECODE_FAILURE, "not JSON");
    }

    @Test
    void acceptsExactlyTheSupportedVersions() {
        for (String version : new String[] {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}) {
            String config = "{\"cniVersion\":\"" + version + "\",\"name\":\"n\",\"type\":\"weft\"}";
            assertThat(parse(addEnvironment(), config).version().toString()).isEqualTo(version);
        }
        for (String version : new String[] {"0.1.0", "0.2.0", "1.2.0", "1.0", "2.0.0", "latest"}) {
            String config = "{\"cniVersion\":\"" + version + "\",\"name\":\"n\",\"type\":\"weft\"}";
            assertFails(addEnvironment(), config, CniException.INCOMPATIBLE_VERSION, "\"" + version + "\"", "\"1.1.0\"");
        }
        assertFails(addEnvironment(), "{\"name\":\"n\",\"type\":\"weft\"}", CniException.INCOMPATIBLE_VERSION, "\"0.1.0\"");
    }

    @Test
    void refusesCommandsNewerThanTheConfigVersion() {
        Map<String, String> check = addEnvironment();
        check.put("CNI_COMMAND", "CHECK");
        assertFails(check, "{\"cniVersion\":\"0.3.1\",\"name\":\"n\"}", CniException.INCOMPATIBLE_VERSION, "CHECK", "0.4.0");
        Map<String, String> gc = Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin");
        assertFails(gc, CONFIG, CniException.INCOMPATIBLE_VERSION, "GC", "1.1.0");
        assertFails(Map.of("CNI_COMMAND", "STATUS"), CONFIG, CniException.INCOMPATIBLE_VERSION, "STATUS", "1.1.0");
    }

    @Test
    void refusesAMissingOrInvalidName() {
        assertFails(addEnvironment(), "{\"cniVersion\":\"1.0.0\"}", CniException.INVALID_CONFIG, "name is missing");
        assertFails(addEnvironment(), "{\"cniVersion\":\"1.0.0\",\"name\":\"a/b\"}", CniException.INVALID_CONFIG, "name \"a/b\"");
        assertFails(addEnvironment(), "{\"cniVersion\":1,\"name\":\"n\"}", CniException.INVALID_CONFIG, "cniVersion 1");
    }

    @Test
    void versionNeedsNothingButTheCommand() {
        CniRequest request = parse(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.4.0\"}");
        assertThat(request.version()).isEqualTo(CniVersion.V0_4_0);
        assertThat(parse(Map.of("CNI_COMMAND", "VERSION"), "").version()).isEqualTo(CniVersion.LATEST);
        assertThat(parse(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.1.0\"}").version()).isEqualTo(CniVersion.LATEST);
    }

    @Test
    void versionIgnoresThePlaceholdersLibcniSends() {
        Map<String, String> environment = Map.of("CNI_COMMAND", "VERSION", "CNI_NETNS", "dummy", "CNI_IFNAME", "dummy",
                "CNI_PATH", "dummy", "CNI_CONTAINERID", "-not-an-id");

        CniRequest request = parse(environment, "{\"cniVersion\":\"1.0.0\"}");

        assertThat(request.version()).isEqualTo(CniVersion.V1_0_0);
        assertThat(request.netns()).isEmpty();
        assertThat(request.ifName()).isEmpty();
    }
}
