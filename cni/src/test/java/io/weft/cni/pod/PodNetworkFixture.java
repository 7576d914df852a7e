package io.weft.cni.pod;

import io.weft.cni.CniInvocation;
import io.weft.cni.CniPlugin;
import io.weft.cni.CniResponse;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.ipam.IpAllocator;
import io.weft.cni.ipam.Reservation;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.sys.FileTree;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node for CNI tests, made for each test and removed after it: register with {@code @RegisterExtension}.
 * A namespace in a {@link Sandbox}, its subnet file and reservation directory in a temporary directory,
 * and the plugin working there. Invokes the plugin as a runtime would. The fields are set anew before
 * each test, which is why they are not final.
 */
final class PodNetworkFixture implements BeforeEachCallback, AfterEachCallback {
    static final ObjectMapper JSON = Json.mapper();
    static final String NETWORK = "weftnet";

    private final String initialSubnet;
    private Path dir;
    Sandbox sandbox;
    NetNamespace node;
    Path subnetFile;
    Path dataDir;
    CniPlugin plugin;
    private IpPrefix subnet;

    /** @param subnet the node's subnet as its gateway and prefix, e.g. {@code 10.42.1.1/24} */
    PodNetworkFixture(String subnet) {
        this.initialSubnet = subnet;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("weft-cni-test-");
        subnetFile = dir.resolve("run/subnet.env");
        dataDir = dir.resolve("ipam");
        sandbox = new Sandbox();
        node = sandbox.namespace();
        writeSubnet(initialSubnet);
        plugin = CniPlugin.forNamespace(node);
    }

    void writeSubnet(String gatewayAndPrefix) {
        subnet = IpPrefix.parse(gatewayAndPrefix);
        try {
            new SubnetEnv(IpPrefix.parse("10.42.0.0/16"), subnet, 1450, true).write(subnetFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration a runtime would send, with {@code extra} keys ({@code ,"k":v…}) appended. */
    String config(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + NETWORK + "\",\"type\":\"weft\",\"subnetFile\":\""
                + subnetFile + "\",\"dataDir\":\"" + dataDir + "\"" + extra + "}";
    }

    String config() {
        return config("1.0.0", "");
    }

    static Map<String, String> environment(String command, String containerId, NetNamespace pod, String ifName) {
        Map<String, String> environment = new HashMap<>();
        environment.put("CNI_COMMAND", command);
        environment.put("CNI_CONTAINERID", containerId);
        environment.put("CNI_NETNS", pod == null ? "" : pod.path().toString());
        environment.put("CNI_IFNAME", ifName);
        environment.put("CNI_PATH", "/opt/cni/bin");
        environment.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + containerId);
        return environment;
    }

    CniResponse invoke(Map<String, String> environment, String stdin) {
        return invoke(environment, stdin, "weft");
    }

    CniResponse invoke(Map<String, String> environment, String stdin, String programName) {
        return plugin.handle(new CniInvocation(environment, stdin.getBytes(StandardCharsets.UTF_8), programName));
    }

    CniResponse add(String containerId, NetNamespace pod) {
        return invoke(environment("ADD", containerId, pod, "eth0"), config());
    }

    /** ADD that must succeed; its result. */
    ObjectNode attach(String containerId, NetNamespace pod) {
        CniResponse response = add(containerId, pod);
        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        return (ObjectNode) json(response);
    }

    /** A CHECK or DEL carrying {@code prevResult}. */
    CniResponse withPrevResult(String command, String containerId, NetNamespace pod, JsonNode prevResult) {
        String config = config();
        return invoke(environment(command, containerId, pod, "eth0"),
                config.substring(0, config.length() - 1) + ",\"prevResult\":" + prevResult + "}");
    }

    CniResponse delete(String containerId, NetNamespace pod) {
        return invoke(environment("DEL", containerId, pod, "eth0"), config());
    }

    List<Reservation> reservations() {
        return new IpAllocator(dataDir.resolve(NETWORK), subnet).list();
    }

    /** The names of Weft's veths in the node namespace. */
    List<String> weftVeths() {
        return Sandbox.ipJson(node, "-d", "link", "show", "type", "veth").findValuesAsString("ifname").stream()
                .filter(HostVeth::isWeftName).toList();
    }

    static JsonNode json(CniResponse response) {
        try {
            return JSON.readTree(response.stdout());
        } catch (JacksonException e) {
            throw new AssertionError("not JSON: " + response.stdoutText(), e);
        }
    }

    /** Asserts an error response: exit 1 and the spec's error object with this code. */
    static JsonNode assertError(CniResponse response, int code) {
        assertThat(response.exitCode()).as(response.stdoutText()).isEqualTo(1);
        JsonNode error = json(response);
        assertThat(error.get("code").asInt()).as(error.toString()).isEqualTo(code);
        assertThat(error.get("cniVersion").isString()).isTrue();
        assertThat(error.get("msg").asString()).isNotBlank();
        return error;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            if (plugin != null) {
                plugin.close();
            }
        } finally {
            try {
                if (sandbox != null) {
                    sandbox.close();
                }
            } finally {
                if (dir != null) {
                    FileTree.delete(dir);
                }
            }
        }
    }
}
