package io.weft.cli;

import io.weft.agent.AgentConfig;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniPlugin;
import io.weft.cni.CniResponse;
import io.weft.cni.json.Json;
import io.weft.netlink.ns.NetNamespace;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Pods attached to agents' nodes through the real CNI plugin, configured as the agent's conflist would be. */
final class Pods implements AutoCloseable {
    private static final ObjectMapper JSON = Json.mapper();

    private final List<CniPlugin> plugins = new ArrayList<>();
    private int count;

    /** ADD of {@code pod} on the node whose agent runs with {@code config}; returns the pod's address. */
    String add(NetNamespace node, AgentConfig config, NetNamespace pod) throws IOException {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\",\"subnetFile\":\""
                + config.subnetFile() + "\",\"dataDir\":\"" + config.ipamDir() + "\"}";
        CniPlugin plugin = CniPlugin.forNamespace(node);
        plugins.add(plugin);
        CniResponse response = plugin.handle(new CniInvocation(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "pod" + count++,
                "CNI_NETNS", pod.path().toString(), "CNI_IFNAME", "eth0"), conf.getBytes(StandardCharsets.UTF_8), "weft"));
        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        String cidr = JSON.readTree(response.stdout()).get("ips").get(0).get("address").asString();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    @Override
    public void close() {
        plugins.forEach(CniPlugin::close);
    }
}
