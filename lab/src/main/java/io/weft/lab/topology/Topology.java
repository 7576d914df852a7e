package io.weft.lab.topology;

import io.weft.lab.LabOptions;
import io.weft.netlink.IpPrefix;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The plan of a lab's network, before anything is made: the names of its namespaces and every
 * address. The underlay is {@code 10.200.0.0/16} (clear of the pod network {@code 10.42.0.0/16});
 * with {@code --two-nics} the management network is {@code 10.201.0.0/24}.
 *
 * <pre>
 *  same:   node1 eth0 10.200.0.1/24 ─┐                       split:  node1 eth0 10.200.1.1/24 ── router node1 10.200.1.254
 *          node2 eth0 10.200.0.2/24 ─┼─ fabric: switch                node2 eth0 10.200.2.1/24 ── router node2 10.200.2.254
 *          …                         │  10.200.0.253 (etcd)           router uplink 10.200.0.254 ── fabric switch 10.200.0.253
 *  two NICs: nodeI eth1 10.201.0.I/24 ── fabric: mgmt 10.201.0.254 (the nodes' default gateway)
 * </pre>
 *
 * @param prefix  the first part of every namespace name
 * @param options the lab's shape
 */
public record Topology(String prefix, LabOptions options) {
    /** Letters, digits, {@code .}, {@code _}, {@code -}; short enough to leave room for {@code -node200-pod100}. */
    private static final Pattern PREFIX = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");

    /** The whole underlay: the nodes' cluster NICs, the router's legs and the fabric's own address. */
    public static final IpPrefix UNDERLAY = IpPrefix.parse("10.200.0.0/16");
    /** The fabric's address on the switch, where etcd listens; also the same-subnet nodes' default gateway. */
    public static final IpPrefix FABRIC_ADDRESS = IpPrefix.parse("10.200.0.253/24");
    /** The router's leg on the switch ({@code --subnets split}). */
    public static final IpPrefix ROUTER_UPLINK = IpPrefix.parse("10.200.0.254/24");
    /** The fabric's address on the management bridge: the nodes' default gateway with {@code --two-nics}. */
    public static final IpPrefix MANAGEMENT_GATEWAY = IpPrefix.parse("10.201.0.254/24");
    /** The client port of the lab's etcd. */
    public static final int ETCD_PORT = 2379;

    /** The node's NIC on the underlay, given to its agent as {@code --iface}. */
    public static final String CLUSTER_NIC = "eth0";
    /** The node's management NIC, with {@code --two-nics}. */
    public static final String MANAGEMENT_NIC = "eth1";
    /** The bridge of the underlay, in the fabric namespace. */
    public static final String SWITCH = "switch";
    /** The bridge of the management network, in the fabric namespace. */
    public static final String MANAGEMENT_SWITCH = "mgmt";

    public Topology {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix: \"" + prefix + "\" must be 1 to 64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
    }

    /** The namespace of the switch (and of etcd). */
    public String fabric() {
        return prefix + "-fabric";
    }

    /** The router's namespace, with {@code --subnets split}. */
    public Optional<String> router() {
        return options.subnets() == LabOptions.Subnets.SPLIT ? Optional.of(prefix + "-router") : Optional.empty();
    }

    /** What a namespace name starts with when it belongs to a lab of this prefix. */
    public static String namespacePrefix(String prefix) {
        return prefix + "-";
    }

    /** The client URL of the lab's etcd, on the fabric's underlay address. */
    public String etcdEndpoint() {
        return "http://" + IpPrefix.formatAddress(FABRIC_ADDRESS.address()) + ":" + ETCD_PORT;
    }

    /** The nodes, {@code node1} to {@code nodeN}. */
    public List<NodePlan> nodes() {
        return IntStream.rangeClosed(1, options.nodes()).mapToObj(this::node).toList();
    }

    /** The pod namespace of pod {@code j} (from 1) of {@code node}. */
    public String podNetns(String node, int j) {
        return prefix + "-" + podName(node, j);
    }

    /** {@code node1-pod1}, …: also the pod's CNI container id. */
    public static String podName(String node, int j) {
        return node + "-pod" + j;
    }

    private NodePlan node(int i) {
        String name = "node" + i;
        boolean split = options.subnets() == LabOptions.Subnets.SPLIT;
        IpPrefix cluster = split ? address(10, 200, i, 1, 24) : address(10, 200, 0, i, 24);
        Optional<IpPrefix> routerLeg = split ? Optional.of(address(10, 200, i, 254, 24)) : Optional.empty();
        Optional<IpPrefix> management = options.twoNics() ? Optional.of(address(10, 201, 0, i, 24)) : Optional.empty();
        InetAddress clusterGateway = routerLeg.map(IpPrefix::address).orElse(FABRIC_ADDRESS.address());
        InetAddress defaultGateway = options.twoNics() ? MANAGEMENT_GATEWAY.address() : clusterGateway;
        // the rest of the underlay is behind the router; with the default route on eth1 it needs a route of its own
        Optional<InetAddress> underlayVia = split && options.twoNics() ? Optional.of(clusterGateway) : Optional.empty();
        return new NodePlan(name, prefix + "-" + name, cluster, routerLeg, management, defaultGateway, underlayVia);
    }

    private static IpPrefix address(int a, int b, int c, int d, int length) {
        return IpPrefix.parse(a + "." + b + "." + c + "." + d + "/" + length);
    }

    /**
     * One node's wiring.
     *
     * @param name           {@code nodeI}: the agent's {@code --node-name}
     * @param netns          its namespace
     * @param cluster        the address of its cluster NIC ({@code eth0})
     * @param routerLeg      the router's address on the node's own subnet ({@code --subnets split})
     * @param management     the address of its management NIC ({@code eth1}, {@code --two-nics})
     * @param defaultGateway where its default route goes
     * @param underlayVia    the next hop of a route to the whole underlay, when the default route does not lead there
     */
    public record NodePlan(String name, String netns, IpPrefix cluster, Optional<IpPrefix> routerLeg, Optional<IpPrefix> management,
                           InetAddress defaultGateway, Optional<InetAddress> underlayVia) {
        /** Its underlay address, without prefix length. */
        public String underlayIp() {
            return IpPrefix.formatAddress(cluster.address());
        }
    }
}
