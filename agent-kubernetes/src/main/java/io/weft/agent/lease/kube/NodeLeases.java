package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.lang.System.Logger.Level.WARNING;

/**
 * How a lease lives on a Node object: the subnet is {@code spec.podCIDR(s)}, the rest are Weft's
 * annotations, named after Flannel's so that operators find them where they expect.
 *
 * <p>Nodes are read untyped ({@link GenericKubernetesResource}, the metadata typed and the rest
 * maps): the typed {@code Node} model has Jackson introspect and load ~170 classes (status, images,
 * nodeInfo, …) that a lease never reads.
 */
final class NodeLeases {
    static final String BACKEND_DATA = "weft.io/backend-data";
    static final String BACKEND_TYPE = "weft.io/backend-type";
    static final String PUBLIC_IP = "weft.io/public-ip";
    /** Set by the operator, never by Weft: the public IP to use instead of the agent's (NAT). */
    static final String PUBLIC_IP_OVERWRITE = "weft.io/public-ip-overwrite";
    /** The annotations {@link #leaseOf} reads. */
    static final List<String> LEASE_ANNOTATIONS = List.of(BACKEND_DATA, PUBLIC_IP, PUBLIC_IP_OVERWRITE);
    static final String VXLAN = "vxlan";
    static final int VNI = 1;

    private static final System.Logger LOG = System.getLogger(NodeLeases.class.getName());
    private static final ObjectMapper JSON = Json.mapper();

    private NodeLeases() {}

    /** The node's lease, or empty while it has no podCIDR or does not run Weft yet (no annotations). */
    static Optional<Lease> leaseOf(GenericKubernetesResource node, ClusterNetwork network) {
        String name = node.getMetadata().getName();
        Map<String, String> annotations = annotations(node);
        String backendData = annotations.get(BACKEND_DATA);
        String publicIp = annotations.getOrDefault(PUBLIC_IP_OVERWRITE, annotations.get(PUBLIC_IP));
        if (backendData == null || publicIp == null) {
            return Optional.empty();
        }
        try {
            Optional<IpPrefix> subnet = ipv4PodCidr(node);
            if (subnet.isEmpty()) {
                return Optional.empty();
            }
            requireInside(name, subnet.get(), network);
            return Optional.of(new Lease(name, subnet.get(), IpPrefix.parseAddress(publicIp.strip()), vtepMac(backendData), Instant.MAX));
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.log(WARNING, "skipping node {0}: {1}", name, e.getMessage());
            return Optional.empty();
        }
    }

    /** The node's IPv4 pod subnet: the IPv4 entry of {@code spec.podCIDRs}, else {@code spec.podCIDR}. */
    static Optional<IpPrefix> ipv4PodCidr(GenericKubernetesResource node) {
        return podCidrs(node).stream().filter(IpPrefix::isIpv4).findFirst().map(IpPrefix::network);
    }

    static List<IpPrefix> podCidrs(GenericKubernetesResource node) {
        List<String> texts = new ArrayList<>();
        if (node.get("spec", "podCIDRs") instanceof List<?> cidrs) {
            cidrs.forEach(cidr -> texts.add(String.valueOf(cidr)));
        }
        if (texts.isEmpty() && node.get("spec", "podCIDR") instanceof String cidr && !cidr.isEmpty()) {
            texts.add(cidr);
        }
        return texts.stream().map(IpPrefix::parse).toList();
    }

    static void requireInside(String node, IpPrefix subnet, ClusterNetwork network) {
        if (subnet.length() < network.network().length() || !network.network().contains(subnet.address())) {
            throw new IllegalStateException("node " + node + " has podCIDR " + subnet + ", outside the network "
                    + network.network() + ": the cluster CIDR (k3s --cluster-cidr) and Weft's network must be the same");
        }
    }

    /** The operator's {@code weft.io/public-ip-overwrite}, if set. */
    static Optional<InetAddress> publicIpOverwrite(GenericKubernetesResource node) {
        String text = annotations(node).get(PUBLIC_IP_OVERWRITE);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(IpPrefix.parseAddress(text.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("node " + node.getMetadata().getName() + " annotation "
                    + PUBLIC_IP_OVERWRITE + ": " + e.getMessage(), e);
        }
    }

    /** The annotations a running Weft keeps on its node. */
    static Map<String, String> annotationsFor(Lease lease) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(BACKEND_DATA, backendData(lease.vtepMac()));
        annotations.put(BACKEND_TYPE, VXLAN);
        annotations.put(PUBLIC_IP, IpPrefix.formatAddress(lease.publicIp()));
        return annotations;
    }

    static Map<String, String> annotations(GenericKubernetesResource node) {
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    static String backendData(MacAddress vtepMac) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("vni", VNI);
        data.put("vtepMAC", vtepMac.toString());
        return json(data);
    }

    private static MacAddress vtepMac(String backendData) {
        JsonNode data;
        try {
            data = JSON.readTree(backendData);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(BACKEND_DATA + " is not JSON: " + backendData, e);
        }
        JsonNode mac = data.path("vtepMAC");
        if (!mac.isString()) {
            throw new IllegalArgumentException(BACKEND_DATA + " has no vtepMAC: " + backendData);
        }
        return MacAddress.parse(mac.asString());
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }
}
