package io.weft.cli;

import io.weft.agent.Agent;
import io.weft.agent.AgentConfig;
import io.weft.agent.AgentConfig.CniInstall;
import io.weft.agent.AgentConfig.DirectRouting;
import io.weft.agent.AgentConfig.EtcdTls;
import io.weft.agent.AgentConfig.Store;
import io.weft.agent.AgentConfig.TxChecksumOffload;
import io.weft.agent.ConfigException;
import io.weft.agent.PluginInstaller;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.masquerade.Nft;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.agent.underlay.UnderlayCriteria;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code weft agent}: the node agent, until SIGTERM. Flags become an {@link AgentConfig}, checked whole
 * before anything on the node changes; a wrong value exits 2 with the flag named.
 */
@Command(name = "agent", header = "Run the node agent (one per node).",
        sortOptions = false,
        description = "Run the node agent: claim this node's pod subnet, keep weft.1 and the routes to the other nodes' pods in step with the store, masquerade pod traffic leaving the pod network, write subnet.env and serve the CNI plugin on RUN_DIR/cni.sock. Stopping it leaves the node's network as it is.")
final class AgentCommand implements Callable<Integer> {
    private static final Pattern INTERVAL = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
    private static final Pattern HOST_PORT = Pattern.compile("\\[?([0-9a-fA-F.:]+?)]?:([0-9]{1,5})");

    @Option(names = "--node-name", paramLabel = "NAME", defaultValue = "${env:NODE_NAME}",
            description = "This node's name (default: $NODE_NAME, else the host name; required with --store kubernetes).")
    String nodeName;

    @Option(names = "--iface", paramLabel = "NAME|IP",
            description = "The underlay interface, by name or address; repeatable, the first present wins.")
    List<String> ifaces = new ArrayList<>();

    @Option(names = "--iface-regex", paramLabel = "REGEX",
            description = "The underlay: the first interface whose name or address matches; repeatable.")
    List<String> ifaceRegexes = new ArrayList<>();

    @Option(names = "--iface-can-reach", paramLabel = "IP", description = "The underlay: the interface the route to IP leaves through.")
    String ifaceCanReach;

    @Option(names = "--public-ip", paramLabel = "IP",
            description = "The address peers send to, when not the underlay's (behind NAT; need not be on this node).")
    String publicIp;

    @Option(names = "--store", paramLabel = "local|etcd|kubernetes", defaultValue = "local",
            description = "Where leases are kept (default: ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--store-dir", paramLabel = "DIR", defaultValue = "/var/lib/weft/leases",
            description = "The local store's directory, shared by the agents of one machine (default: ${DEFAULT-VALUE}).")
    Path storeDir;

    @Option(names = "--etcd-endpoints", paramLabel = "URL", split = ",",
            description = "etcd client URLs, comma-separated, e.g. https://10.0.0.1:2379.")
    List<String> etcdEndpoints = new ArrayList<>();

    @Option(names = "--etcd-prefix", paramLabel = "PREFIX", defaultValue = AgentConfig.DEFAULT_ETCD_PREFIX,
            description = "The etcd key prefix (default: ${DEFAULT-VALUE}).")
    String etcdPrefix;

    @Option(names = "--etcd-cafile", paramLabel = "FILE", description = "CA certificate for etcd's TLS.")
    Path etcdCaFile;

    @Option(names = "--etcd-certfile", paramLabel = "FILE", description = "Client certificate for etcd.")
    Path etcdCertFile;

    @Option(names = "--etcd-keyfile", paramLabel = "FILE", description = "Client key for etcd.")
    Path etcdKeyFile;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "A kubeconfig, when not running in the cluster.")
    Path kubeconfig;

    @Option(names = "--network", paramLabel = "CIDR",
            description = "The pod network (default 10.42.0.0/16; with etcd the store's <prefix>/config, else this).")
    String network;

    @Option(names = "--subnet-len", paramLabel = "BITS", defaultValue = "24", description = "Each node's share of it (default: /${DEFAULT-VALUE}).")
    int subnetLength;

    @Option(names = "--direct-routing", paramLabel = "auto|off", defaultValue = "auto",
            description = "Plain routes to peers on the underlay's subnet, no VXLAN (default: ${DEFAULT-VALUE}).")
    String directRouting;

    @Option(names = "--tx-checksum-offload", paramLabel = "auto|on|off", defaultValue = "auto",
            description = "TX checksum offload of weft.1: auto turns it off on kernels with the VXLAN checksum bug "
                    + "(before 5.7, 5.6.13, 5.4.41, 4.19.123, 4.14.181), on keeps the kernel's default, off always "
                    + "(default: ${DEFAULT-VALUE}).")
    String txChecksumOffload;

    @Option(names = "--vni", paramLabel = "VNI", defaultValue = "1",
            description = "The VXLAN network identifier of weft.1, the same on every node (default: ${DEFAULT-VALUE}).")
    int vni;

    @Option(names = "--vxlan-port", paramLabel = "PORT", defaultValue = "8472",
            description = "The UDP port VXLAN packets are sent to, the same on every node (default: ${DEFAULT-VALUE}).")
    int vxlanPort;

    @Option(names = "--masquerade", paramLabel = "on|off", defaultValue = "on",
            description = "Masquerade pod traffic leaving the pod network (default: ${DEFAULT-VALUE}).")
    String masquerade;

    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = AgentConfig.DEFAULT_RUN_DIR_NAME, description = "subnet.env and cni.sock (default: ${DEFAULT-VALUE}).")
    Path runDir;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = AgentConfig.DEFAULT_STATE_DIR_NAME, description = "vtep-mac and ipam/ (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--install-cni", description = "Install the CNI plugin and conflist at start, as weft install does.")
    boolean installCni;

    @Option(names = "--cni-bin-dir", paramLabel = "DIR", defaultValue = CniInstall.DEFAULT_BIN_DIR_NAME, description = "With --install-cni (default: ${DEFAULT-VALUE}).")
    Path cniBinDir;

    @Option(names = "--cni-conf-dir", paramLabel = "DIR", defaultValue = CniInstall.DEFAULT_CONF_DIR_NAME, description = "With --install-cni (default: ${DEFAULT-VALUE}).")
    Path cniConfDir;

    @Option(names = "--runtime-dir", paramLabel = "DIR", defaultValue = InstallCommand.DEFAULT_RUNTIME_DIR,
            description = "With --install-cni: where Weft's Java runtime and jars go (default: ${DEFAULT-VALUE}).")
    Path runtimeDir;

    @Option(names = "--in-place",
            description = "With --install-cni: copy no runtime; weft-java runs this JVM and these jars where they are (a lab).")
    boolean inPlace;

    @Option(names = "--no-aot-cache", description = "With --install-cni: no AOT cache for the in-process fallback (faster start).")
    boolean noAotCache;

    @Option(names = "--http-address", paramLabel = "IP:PORT|off", defaultValue = "127.0.0.1:9472",
            description = "/healthz, /readyz, /metrics (default: ${DEFAULT-VALUE}).")
    String httpAddress;

    @Option(names = "--reconcile-interval", paramLabel = "DURATION", defaultValue = "30s",
            description = "Compare the kernel with the leases at least this often, e.g. 30s, 5m (default: ${DEFAULT-VALUE}).")
    String reconcileInterval;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig config;
        OverlaySettings overlay;
        try {
            config = config();
            overlay = overlaySettings();
        } catch (ConfigException e) {
            err.println("weft agent: " + e.getMessage());
            return 2;
        }
        oneLineLogs();
        NetNamespace node = NetNamespace.current();
        Agent agent = new Agent(config, node, AgentWiring::openStore, AgentWiring.vxlan(overlay), installer(), Nft.here());
        try {
            agent.start();
        } catch (ConfigException e) {
            node.close();
            err.println("weft agent: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            node.close();
            err.println("weft agent: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("weft-agent-stop").unstarted(() -> {
            agent.close();
            node.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /** The flags as a checked config; a {@link ConfigException} names the flag at fault. */
    AgentConfig config() {
        Store storeSettings = switch (store) {
            case "local" -> new Store.Local(storeDir);
            case "etcd" -> new Store.Etcd(etcdEndpoints.stream().map(AgentCommand::endpoint).toList(), etcdPrefix, etcdTls());
            case "kubernetes" -> new Store.Kubernetes(Optional.ofNullable(kubeconfig));
            default -> throw new ConfigException("--store", "\"" + store + "\" is not local, etcd or kubernetes");
        };
        Optional<ClusterNetwork> pods = network != null || !(storeSettings instanceof Store.Etcd)
                ? Optional.of(AgentConfig.clusterNetwork(prefix("--network", network == null ? "10.42.0.0/16" : network), subnetLength))
                : Optional.empty();
        UnderlayCriteria underlay = new UnderlayCriteria(ifaces, UnderlayCriteria.compile(ifaceRegexes),
                Optional.ofNullable(ifaceCanReach).map(ip -> address("--iface-can-reach", ip)));
        return new AgentConfig(nodeName(storeSettings), underlay, Optional.ofNullable(publicIp).map(ip -> address("--public-ip", ip)),
                storeSettings, pods, directRouting(), txChecksumOffload(), toggle("--masquerade", masquerade), runDir.toAbsolutePath(),
                stateDir.toAbsolutePath(), installCni ? Optional.of(new CniInstall(cniBinDir, cniConfDir)) : Optional.empty(),
                httpAddress(), interval());
    }

    /** The VXLAN device's identity from {@code --vni} and {@code --vxlan-port}; direct routing comes with the config. */
    OverlaySettings overlaySettings() {
        OverlaySettings defaults = OverlaySettings.defaults();
        if (vni < 1 || vni > 0xffffff) {
            throw new ConfigException("--vni", vni + " is not in 1..16777215");
        }
        if (vxlanPort < 1 || vxlanPort > 0xffff) {
            throw new ConfigException("--vxlan-port", vxlanPort + " is not a UDP port (1..65535)");
        }
        return new OverlaySettings(vni, vxlanPort, defaults.directRouting(), defaults.routeProtocol(), defaults.deviceName(),
                defaults.txChecksumOffload());
    }

    private String nodeName(Store storeSettings) {
        if (nodeName != null && !nodeName.isBlank()) {
            return nodeName;
        }
        if (storeSettings instanceof Store.Kubernetes) {
            throw new ConfigException("--node-name", "is required with --store kubernetes (or set NODE_NAME, e.g. from spec.nodeName)");
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            throw new ConfigException("--node-name", "is required: the host name cannot be read (" + e.getMessage() + ")");
        }
    }

    private Optional<EtcdTls> etcdTls() {
        if (etcdCaFile == null && etcdCertFile == null && etcdKeyFile == null) {
            return Optional.empty();
        }
        return Optional.of(new EtcdTls(Optional.ofNullable(etcdCaFile), Optional.ofNullable(etcdCertFile), Optional.ofNullable(etcdKeyFile)));
    }

    private DirectRouting directRouting() {
        return switch (directRouting) {
            case "auto" -> DirectRouting.AUTO;
            case "off" -> DirectRouting.OFF;
            default -> throw new ConfigException("--direct-routing", "\"" + directRouting + "\" is not auto or off");
        };
    }

    private TxChecksumOffload txChecksumOffload() {
        return switch (txChecksumOffload) {
            case "auto" -> TxChecksumOffload.AUTO;
            case "on" -> TxChecksumOffload.ON;
            case "off" -> TxChecksumOffload.OFF;
            default -> throw new ConfigException("--tx-checksum-offload", "\"" + txChecksumOffload + "\" is not auto, on or off");
        };
    }

    private Optional<InetSocketAddress> httpAddress() {
        if (httpAddress.equals("off")) {
            return Optional.empty();
        }
        Matcher hostPort = HOST_PORT.matcher(httpAddress);
        int port = hostPort.matches() ? Integer.parseInt(hostPort.group(2)) : -1;
        if (port < 0 || port > 65535) {
            throw new ConfigException("--http-address", "\"" + httpAddress + "\" is not IP:PORT (e.g. 127.0.0.1:9472, [::1]:9472) or off");
        }
        return Optional.of(new InetSocketAddress(address("--http-address", hostPort.group(1)), port));
    }

    private Duration interval() {
        Matcher matcher = INTERVAL.matcher(reconcileInterval);
        if (!matcher.matches()) {
            throw new ConfigException("--reconcile-interval", "\"" + reconcileInterval + "\" is not a duration such as 500ms, 30s, 5m or 1h");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static boolean toggle(String flag, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new ConfigException(flag, "\"" + value + "\" is not on or off");
        };
    }

    private static InetAddress address(String flag, String text) {
        try {
            return IpPrefix.parseAddress(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(flag, "\"" + text + "\" is not an IP address");
        }
    }

    private static IpPrefix prefix(String flag, String text) {
        try {
            if (!text.contains("/")) {
                throw new IllegalArgumentException("no prefix length");
            }
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(flag, "\"" + text + "\" is not a CIDR such as 10.42.0.0/16");
        }
    }

    private static URI endpoint(String text) {
        try {
            return new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException("--etcd-endpoints", "\"" + text + "\" is not a URL: " + e.getReason());
        }
    }

    /** {@code --install-cni}: what {@code weft install} does, with the agent's own paths where they are not the defaults. */
    private PluginInstaller installer() {
        PrintWriter out = spec.commandLine().getOut();
        return config -> {
            CniInstall install = config.installCni().orElseThrow();
            Consumer<String> report = line -> {
                out.println(line);
                out.flush();
            };
            var installer = inPlace ? CniInstaller.inPlace(!noAotCache, report) : CniInstaller.onThisNode(runtimeDir, !noAotCache, report);
            installer.install(install.binDir(), install.confDir(), "weft", new CniInstaller.PluginPaths(
                    InstallCommand.unlessDefault(config.cniSocket(), AgentConfig.DEFAULT_RUN_DIR.resolve("cni.sock")),
                    InstallCommand.unlessDefault(config.subnetFile(), AgentConfig.DEFAULT_RUN_DIR.resolve("subnet.env")),
                    InstallCommand.unlessDefault(config.ipamDir(), AgentConfig.DEFAULT_STATE_DIR.resolve("ipam"))));
        };
    }

    /** One line per record on stderr (the JDK's default takes two), unless the user configured logging. */
    private static void oneLineLogs() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
                && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %5$s%6$s%n");
        }
    }
}
