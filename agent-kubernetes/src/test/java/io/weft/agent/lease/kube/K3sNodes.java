package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Node objects the size of a real k3s node's ({@code k3s-node.json}: labels, k3s annotations,
 * managedFields, five conditions, nodeInfo, 20 images; ~10 kB of JSON), each running Weft: what an
 * agent's watch and list read in a big cluster. Node {@code i} holds {@code 10.40.0.0/14}'s
 * {@code i}-th /24, so 1024 of them fit.
 */
public final class K3sNodes {
    /** The pod network the nodes' podCIDRs lie in. */
    public static final String NETWORK = "10.40.0.0/14";
    private static final String TEMPLATE = template();

    private K3sNodes() {}

    /** The name of node {@code index}. */
    public static String name(int index) {
        return "k3s-node-%04d".formatted(index);
    }

    /** The pod subnet of node {@code index}. */
    public static String podCidr(int index) {
        return "10.%d.%d.0/24".formatted(40 + index / 256, index % 256);
    }

    /** The VTEP MAC node {@code index} announces. */
    public static String vtepMac(int index) {
        return "0e:57:00:00:%02x:%02x".formatted(index / 256, index % 256);
    }

    /** The public IP (and InternalIP) of node {@code index}. */
    public static String publicIp(int index) {
        return "100.64.%d.%d".formatted(index / 256, index % 256);
    }

    /** Node {@code index}, running Weft: a podCIDR, addresses, a VTEP MAC and a public IP of its own. */
    public static Node node(int index) {
        String ipv4 = publicIp(index);
        String json = TEMPLATE.replace("PODCIDR", podCidr(index))
                .replace("IPV4", ipv4)
                .replace("IPV6", "fd00:100:64::%x".formatted(index + 1))
                .replace("EXTERNAL", "198.18.%d.%d".formatted(index / 256, index % 256))
                .replace("MACHINEID", HexFormat.of().toHexDigits(index * 2654435761L) + "4d2a9c1e8b7f3a6d")
                .replace("NAME", name(index));
        Node node = Serialization.unmarshal(json, Node.class);
        node.getMetadata().getAnnotations().put(NodeLeases.BACKEND_DATA,
                "{\"vni\":1,\"vtepMAC\":\"%s\"}".formatted(vtepMac(index)));
        node.getMetadata().getAnnotations().put(NodeLeases.BACKEND_TYPE, NodeLeases.VXLAN);
        node.getMetadata().getAnnotations().put(NodeLeases.PUBLIC_IP, ipv4);
        return node;
    }

    /** {@code node} as the store reads it: untyped. */
    public static GenericKubernetesResource untyped(Node node) {
        return Serialization.unmarshal(Serialization.asJson(node), GenericKubernetesResource.class);
    }

    /** Creates nodes {@code 0} to {@code count - 1} through {@code client}. */
    public static void create(KubernetesClient client, int count) {
        for (int index = 0; index < count; index++) {
            client.nodes().resource(node(index)).create();
        }
    }

    private static String template() {
        try (InputStream in = K3sNodes.class.getResourceAsStream("k3s-node.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
