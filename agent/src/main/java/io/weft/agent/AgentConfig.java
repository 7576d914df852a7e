package io.weft.agent;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.underlay.UnderlayCriteria;
import io.weft.netlink.IpPrefix;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything {@code weft agent} is told, checked as a whole when made: every wrong value is a
 * {@link ConfigException} naming its flag, before anything on the node is touched. What can only be
 * checked against the node (does the interface exist, does the pod network overlap the underlay) is
 * checked at {@link Agent#start}, still before any change. Built by the cli from flags; nothing below
 * the cli reads the environment.
 *
 * @param nodeName this node's name in the store
 * @param underlay how to choose the interface between nodes
 * @param publicIp the address peers send to, when it is not the underlay's (NAT); need not be on the node
 * @param store which store holds the leases, and how to reach it
 * @param network the pod network and subnet size: required for the local and kubernetes stores; for
 *     etcd the store's {@code <prefix>/config} is the truth and this, when given, what it is created with
 * @param directRouting whether peers on the underlay's own subnet are reached by a plain route
 * @param txChecksumOffload what TX checksum offload of {@code weft.1} is kept at
 * @param masquerade whether pod traffic leaving the pod network is masqueraded (nftables table {@code ip weft})
 * @param runDir the agent's volatile files: {@code subnet.env}, {@code cni.sock}
 * @param stateDir the agent's lasting files: {@code vtep-mac}, {@code ipam/}
 * @param installCni where to install the CNI plugin and conflist at start, if at all
 * @param httpAddress where {@code /healthz}, {@code /readyz} and {@code /metrics} are served, if at all
 * @param reconcileInterval how often the kernel state is compared with the leases when nothing asked for it
 */
public record AgentConfig(String nodeName, UnderlayCriteria underlay, Optional<InetAddress> publicIp, Store store,
                          Optional<ClusterNetwork> network, DirectRouting directRouting,
                          TxChecksumOffload txChecksumOffload, boolean masquerade,
                          Path runDir, Path stateDir, Optional<CniInstall> installCni,
                          Optional<InetSocketAddress> httpAddress, Duration reconcileInterval) {
    /** The run dir unless told otherwise; a string for the cli's option defaults. */
    public static final String DEFAULT_RUN_DIR_NAME = "/run/weft";
    public static final Path DEFAULT_RUN_DIR = Path.of(DEFAULT_RUN_DIR_NAME);
    /** The state dir unless told otherwise; a string for the cli's option defaults. */
    public static final String DEFAULT_STATE_DIR_NAME = "/var/lib/weft";
    public static final Path DEFAULT_STATE_DIR = Path.of(DEFAULT_STATE_DIR_NAME);
    public static final InetSocketAddress DEFAULT_HTTP_ADDRESS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9472);
    public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofSeconds(30);
    /** Where Weft's records live in etcd unless {@code --etcd-prefix} says otherwise. */
    public static final String DEFAULT_ETCD_PREFIX = "/weft.io/network";
    /** The k3s defaults: {@code --cluster-cidr 10.42.0.0/16}, a /24 per node. */
    public static final ClusterNetwork DEFAULT_NETWORK = new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24);

    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?");
    private static final int MAX_SOCKET_PATH = 107; // sun_path without its terminating NUL

    /** Whether peers on the underlay's own subnet get a plain route instead of VXLAN. */
    public enum DirectRouting { AUTO, OFF }

    /**
     * TX checksum offload of {@code weft.1}: {@code AUTO} turns it off on a kernel with the VXLAN checksum
     * bug (before 5.7 and the fixed stable releases) and leaves it otherwise, {@code ON} keeps the kernel's
     * default (on), {@code OFF} keeps it off.
     */
    public enum TxChecksumOffload { AUTO, ON, OFF }

    /** Where leases are kept. */
    public sealed interface Store {
        /** The flag value that selects it: {@code local}, {@code etcd}, {@code kubernetes}. */
        String kind();

        /** A directory on this machine, shared by all agents of a one-machine lab. */
        record Local(Path dir) implements Store {
            public Local {
                Objects.requireNonNull(dir, "--store-dir");
            }

            @Override
            public String kind() {
                return "local";
            }
        }

        /**
         * An etcd cluster.
         *
         * @param endpoints client URLs, e.g. {@code https://10.0.0.1:2379}
         * @param prefix the key prefix; config at {@code <prefix>/config}, leases under {@code <prefix>/subnets/}
         * @param tls client TLS files, if the endpoints need them
         */
        record Etcd(List<URI> endpoints, String prefix, Optional<EtcdTls> tls) implements Store {
            public Etcd {
                endpoints = List.copyOf(endpoints);
                if (endpoints.isEmpty()) {
                    throw new ConfigException("--etcd-endpoints", "is required with --store etcd (e.g. http://127.0.0.1:2379)");
                }
                for (URI endpoint : endpoints) {
                    String scheme = endpoint.getScheme();
                    if (!("http".equals(scheme) || "https".equals(scheme)) || endpoint.getHost() == null || endpoint.getPort() < 0) {
                        throw new ConfigException("--etcd-endpoints", endpoint + " is not http(s)://HOST:PORT");
                    }
                    if (tls.isPresent() && !"https".equals(scheme)) {
                        throw new ConfigException("--etcd-endpoints", endpoint + " is plain http although TLS files are given");
                    }
                }
                if (!prefix.startsWith("/") || (prefix.length() > 1 && prefix.endsWith("/"))) {
                    throw new ConfigException("--etcd-prefix", "\"" + prefix + "\" must start with / and not end with one");
                }
            }

            @Override
            public String kind() {
                return "etcd";
            }
        }

        /**
         * The Kubernetes API: subnets are the nodes' {@code spec.podCIDR}s.
         *
         * @param kubeconfig a kubeconfig file; empty for the in-cluster service account
         */
        record Kubernetes(Optional<Path> kubeconfig) implements Store {
            @Override
            public String kind() {
                return "kubernetes";
            }
        }
    }

    /** Client TLS for etcd; a certificate goes with its key. */
    public record EtcdTls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {
        public EtcdTls {
            if (certFile.isPresent() != keyFile.isPresent()) {
                throw new ConfigException(certFile.isPresent() ? "--etcd-keyfile" : "--etcd-certfile",
                        "is required with " + (certFile.isPresent() ? "--etcd-certfile" : "--etcd-keyfile"));
            }
            if (caFile.isEmpty() && certFile.isEmpty()) {
                throw new ConfigException("--etcd-cafile", "TLS without a CA file or a client certificate says nothing");
            }
        }
    }

    /** Where {@code --install-cni} puts the plugin and the conflist. */
    public record CniInstall(Path binDir, Path confDir) {
        /** The CNI dirs most runtimes use; strings for the cli's option defaults. */
        public static final String DEFAULT_BIN_DIR_NAME = "/opt/cni/bin";
        public static final String DEFAULT_CONF_DIR_NAME = "/etc/cni/net.d";
        public static final Path DEFAULT_BIN_DIR = Path.of(DEFAULT_BIN_DIR_NAME);
        public static final Path DEFAULT_CONF_DIR = Path.of(DEFAULT_CONF_DIR_NAME);

        public CniInstall {
            Objects.requireNonNull(binDir, "--cni-bin-dir");
            Objects.requireNonNull(confDir, "--cni-conf-dir");
        }
    }

    public AgentConfig {
        Objects.requireNonNull(underlay, "underlay");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(directRouting, "directRouting");
        Objects.requireNonNull(txChecksumOffload, "txChecksumOffload");
        if (nodeName == null || !NODE_NAME.matcher(nodeName).matches()) {
            throw new ConfigException("--node-name", (nodeName == null || nodeName.isEmpty() ? "is required"
                    : "\"" + nodeName + "\" is not a node name") + " (letters, digits, '.', '-', '_'; at most 253)");
        }
        if (network.isEmpty() && !(store instanceof Store.Etcd)) {
            throw new ConfigException("--network", "is required with --store " + store.kind());
        }
        network.ifPresent(pods -> {
            publicIp.filter(pods.network()::contains).ifPresent(ip -> {
                throw new ConfigException("--public-ip", IpPrefix.formatAddress(ip) + " is inside the pod network " + pods.network());
            });
            underlay.canReach().filter(pods.network()::contains).ifPresent(ip -> {
                throw new ConfigException("--iface-can-reach", IpPrefix.formatAddress(ip) + " is inside the pod network "
                        + pods.network() + ": the underlay must reach other nodes, not pods");
            });
        });
        requireAbsolute("--run-dir", runDir);
        requireAbsolute("--state-dir", stateDir);
        installCni.ifPresent(install -> {
            requireAbsolute("--cni-bin-dir", install.binDir());
            requireAbsolute("--cni-conf-dir", install.confDir());
        });
        int socketLength = runDir.resolve("cni.sock").toString().getBytes(StandardCharsets.UTF_8).length;
        if (socketLength > MAX_SOCKET_PATH) {
            throw new ConfigException("--run-dir", runDir + " is too long: a Unix socket path has at most "
                    + MAX_SOCKET_PATH + " bytes and " + runDir.resolve("cni.sock") + " has " + socketLength);
        }
        if (reconcileInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("--reconcile-interval", reconcileInterval + " is shorter than a second");
        }
    }

    /**
     * The pod network from {@code --network} and {@code --subnet-len}, each checked with its own flag
     * named (the record's own check knows no flags).
     */
    public static ClusterNetwork clusterNetwork(IpPrefix network, int subnetLength) {
        if (!network.isIpv4()) {
            throw new ConfigException("--network", network + " is not IPv4; Weft's pod network is IPv4");
        }
        if (!network.equals(network.network())) {
            throw new ConfigException("--network", network + " has host bits set; did you mean " + network.network() + "?");
        }
        if (network.length() > 28) {
            throw new ConfigException("--network", network + " is too small: at most /28");
        }
        if (subnetLength <= network.length() || subnetLength > 30) {
            throw new ConfigException("--subnet-len", subnetLength + " must be longer than the network's /"
                    + network.length() + " and at most 30");
        }
        return new ClusterNetwork(network, subnetLength);
    }

    /** Where the CNI server listens: {@code runDir/cni.sock}. */
    public Path cniSocket() {
        return runDir.resolve("cni.sock");
    }

    /** Where the node's subnet is published for the plugin: {@code runDir/subnet.env}. */
    public Path subnetFile() {
        return runDir.resolve("subnet.env");
    }

    /** Where the plugin keeps its IP reservations: {@code stateDir/ipam}. */
    public Path ipamDir() {
        return stateDir.resolve("ipam");
    }

    /** The persisted MAC of {@code weft.1}: {@code stateDir/vtep-mac}. */
    public Path vtepMacFile() {
        return stateDir.resolve("vtep-mac");
    }

    private static void requireAbsolute(String field, Path path) {
        if (path == null || !path.isAbsolute()) {
            throw new ConfigException(field, path == null ? "is required" : path + " is not an absolute path");
        }
    }
}
