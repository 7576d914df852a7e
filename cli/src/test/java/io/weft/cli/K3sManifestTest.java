package io.weft.cli;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.weft.agent.AgentConfig;
import io.weft.agent.AgentConfig.DirectRouting;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/k3s/weft.yaml}, read into fabric8's model objects, against what the code really does:
 * the containers' arguments are what the real {@code weft install} and {@code weft agent} parse
 * (picocli on the real commands, the ConfigMap's flag file included), and the host paths, probes and
 * tolerations fit them. The ClusterRole is {@link K3sClusterRoleTest}'s.
 */
class K3sManifestTest {
    static final Path MANIFEST = Path.of("").toAbsolutePath().getParent().resolve("deploy/k3s/weft.yaml");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    /** What kubelet would put into the downward-API variables on some node. */
    private static final Map<String, String> FIELDS = Map.of("spec.nodeName", "node-1", "status.podIP", "192.0.2.10");

    @TempDir
    Path dir;

    private static List<HasMetadata> objects;
    private static PodSpec pod;

    @BeforeAll
    static void load() throws IOException {
        objects = load(MANIFEST);
        pod = only(objects, DaemonSet.class).getSpec().getTemplate().getSpec();
    }

    /** The manifest's objects, as fabric8 reads them (a client reads without a server). */
    static List<HasMetadata> load(Path manifest) throws IOException {
        try (KubernetesClient client = new KubernetesClientBuilder().build(); InputStream in = Files.newInputStream(manifest)) {
            return client.load(in).items();
        }
    }

    /** The one object of {@code kind} in {@code objects}. */
    static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> kind) {
        List<T> found = objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertThat(found).as("%s objects in the manifest", kind.getSimpleName()).hasSize(1);
        return found.getFirst();
    }

    private static <T extends HasMetadata> T only(Class<T> kind) {
        return only(objects, kind);
    }

    private Container container(List<Container> containers, String name) {
        return containers.stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void holdsTheServiceAccountItsRoleBindingTheConfigAndTheDaemonSetInKubeSystem() {
        assertThat(objects).extracting(HasMetadata::getKind)
                .containsExactly("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet");
        assertThat(objects).filteredOn(object -> !(object instanceof ClusterRole || object instanceof ClusterRoleBinding))
                .allSatisfy(object -> assertThat(object.getMetadata().getNamespace()).isEqualTo("kube-system"));
        ServiceAccount account = only(ServiceAccount.class);
        ClusterRoleBinding binding = only(ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(only(ClusterRole.class).getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(subject.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
        });
        assertThat(pod.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
    }

    @Test
    void runsOnEveryNodeWhateverItsTaintsOnTheHostNetwork() {
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        // no key and no effect with Exists: every taint is tolerated, not-ready and control-plane included
        assertThat(pod.getTolerations()).singleElement().satisfies(toleration -> {
            assertThat(toleration.getOperator()).isEqualTo("Exists");
            assertThat(toleration.getKey()).isNull();
            assertThat(toleration.getEffect()).isNull();
            assertThat(toleration.getTolerationSeconds()).isNull();
        });
    }

    @Test
    void theInitContainerInstallsIntoTheHostsCniDirsAndRuntimeDirAtTheSamePaths() {
        Container install = container(pod.getInitContainers(), "install");
        InstallCommand command = new InstallCommand((runtimeDir, train, report) -> {
            throw new AssertionError("only parsed");
        });
        ParseResult parsed = new CommandLine(new WeftCommand(), factoryWith(command)).parseArgs(install.getArgs().toArray(String[]::new));

        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("install");
        assertThat(install.getCommand()).as("the image's entrypoint runs weft").isNullOrEmpty();
        assertThat(List.of(command.binDir, command.confDir, command.runtimeDir))
                .containsExactly(Path.of("/opt/cni/bin"), Path.of("/etc/cni/net.d"), Path.of("/opt/weft"));
        for (Path path : List.of(command.binDir, command.confDir, command.runtimeDir)) {
            assertThat(hostPathMountedAt(install, path)).as("host path mounted at %s", path).contains(path.toString());
        }
        assertThat(command.runDir).isEqualTo(AgentConfig.DEFAULT_RUN_DIR);
        assertThat(command.stateDir).isEqualTo(AgentConfig.DEFAULT_STATE_DIR);
    }

    @Test
    void theAgentParsesItsArgumentsAndTheConfigMapsFlagsAsTheNetworkAndServesTheProbesOnThePodsAddress() throws IOException {
        Container agent = container(pod.getContainers(), "agent");
        AgentCommand command = parseAgent(agent, List.of());
        AgentConfig config = command.config();
        OverlaySettings overlay = command.overlaySettings();

        assertThat(config.store()).isEqualTo(new AgentConfig.Store.Kubernetes(Optional.empty()));
        assertThat(config.nodeName()).isEqualTo("node-1");
        assertThat(config.network()).contains(new ClusterNetwork(IpPrefix.parse("10.42.0.0/16"), 24));
        assertThat(List.of(overlay.vni(), overlay.port())).containsExactly(1, 8472);
        assertThat(config.directRouting()).isEqualTo(DirectRouting.AUTO);
        assertThat(config.txChecksumOffload()).isEqualTo(AgentConfig.TxChecksumOffload.AUTO);
        assertThat(config.masquerade()).isTrue();
        assertThat(config.underlay().ifaces()).isEmpty();
        assertThat(config.httpAddress()).contains(new InetSocketAddress(IpPrefix.parseAddress("192.0.2.10"), 9472));
        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        for (var probe : List.of(agent.getLivenessProbe(), agent.getReadinessProbe())) {
            assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(9472);
            assertThat(probe.getHttpGet().getHost()).as("kubelet probes the pod's IP, the node's").isNull();
        }
        assertThat(config.installCni()).as("the init container installs").isEmpty();
        assertThat(hostPathMountedAt(agent, config.runDir())).contains("/run/weft");
        assertThat(hostPathMountedAt(agent, config.stateDir())).contains("/var/lib/weft");
        assertThat(agent.getSecurityContext().getPrivileged()).isTrue();
        VolumeMount netns = agent.getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals("/run/netns")).findFirst().orElseThrow();
        assertThat(netns.getMountPropagation()).isEqualTo("HostToContainer");
        assertThat(hostPathMountedAt(agent, Path.of("/run/netns"))).contains("/run/netns");
    }

    @Test
    void theAgentTakesItsNodeNameFromTheDownwardApiInTheVariableItReads() throws NoSuchFieldException {
        Container agent = container(pod.getContainers(), "agent");
        String nodeNameDefault = AgentCommand.class.getDeclaredField("nodeName").getAnnotation(CommandLine.Option.class).defaultValue();

        assertThat(nodeNameDefault).isEqualTo("${env:NODE_NAME}");
        assertThat(agent.getEnv()).filteredOn(env -> env.getName().equals("NODE_NAME")).singleElement()
                .satisfies(env -> assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName"));
    }

    @Test
    void theAgentsJvmIsTheSmallNodeJvmTheWeftLauncherGivesTheKubernetesStore() throws IOException {
        Container agent = container(pod.getContainers(), "agent");
        String options = agent.getEnv().stream().filter(env -> env.getName().equals("WEFT_JAVA_OPTS")).findFirst().orElseThrow().getValue();

        assertThat(effective(List.of(options.split(" +")))).containsExactlyInAnyOrderElementsOf(effective(AgentProcess.launcherOptions(true)));
    }

    /** JVM options as the JVM reads them: of repeated -Xmx, -Xms or -Xss the last one counts. */
    private static List<String> effective(List<String> options) {
        java.util.Map<String, String> last = new java.util.LinkedHashMap<>();
        for (String option : options) {
            String key = option.matches("-X(mx|ms|ss).*") ? option.substring(0, 4) : option;
            last.remove(key);
            last.put(key, option);
        }
        return List.copyOf(last.values());
    }

    @Test
    void everyInterfaceExampleInTheConfigMapIsAFlagTheAgentAccepts() throws IOException {
        Container agent = container(pod.getContainers(), "agent");
        List<String> examples = flagsFile().lines().map(String::strip)
                .filter(line -> line.startsWith("# --")).map(line -> line.substring(2)).toList();

        assertThat(examples).contains("--iface=eth1");
        for (String example : examples) {
            AgentCommand command = parseAgent(agent, List.of(example));
            assertThat(command.config()).as(example).isNotNull();
        }
        assertThat(parseAgent(agent, List.of("--iface=eth1")).config().underlay().ifaces()).containsExactly("eth1");
    }

    @Test
    void bothContainersRunThisVersionsImageWithoutPullingItWhenImported() {
        String image = "weft:" + System.getProperty("weft.version");
        for (Container container : List.of(container(pod.getInitContainers(), "install"), container(pod.getContainers(), "agent"))) {
            assertThat(container.getImage()).as(container.getName()).isEqualTo(image);
            assertThat(container.getImagePullPolicy()).isEqualTo("IfNotPresent");
        }
    }

    /**
     * The agent's arguments as kubelet hands them over ({@code $(VAR)} replaced from the container's
     * environment, here with {@link #FIELDS} for the downward API), {@code extra} flags appended to the
     * ConfigMap's flag file, parsed by picocli into the real {@code weft agent} as {@code weft} would.
     */
    private AgentCommand parseAgent(Container agent, List<String> extra) throws IOException {
        Map<String, String> environment = agent.getEnv().stream().collect(Collectors.toMap(EnvVar::getName,
                env -> env.getValue() != null ? env.getValue() : FIELDS.get(env.getValueFrom().getFieldRef().getFieldPath())));
        ConfigMapFile flags = configMapFile(agent);
        Path file = dir.resolve("agent.flags");
        Files.writeString(file, flags.content() + String.join("\n", extra) + "\n");
        List<String> args = new ArrayList<>();
        for (String arg : agent.getArgs()) {
            Matcher reference = REFERENCE.matcher(arg);
            String expanded = reference.replaceAll(match -> Matcher.quoteReplacement(environment.get(match.group(1))));
            args.add(expanded.equals("@" + flags.path()) ? "@" + file : expanded);
        }
        assertThat(args).as("the flag file is read").contains("@" + file);
        AgentCommand command = new AgentCommand();
        ParseResult parsed = new CommandLine(new WeftCommand(), factoryWith(command)).parseArgs(args.toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("agent");
        // kubelet's NODE_NAME, which picocli would read from the environment of a real agent
        command.nodeName = environment.get("NODE_NAME");
        return command;
    }

    private record ConfigMapFile(Path path, String content) {}

    /** The ConfigMap volume's file the agent reads, where it is mounted, and what it holds. */
    private ConfigMapFile configMapFile(Container agent) {
        Volume volume = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null).findFirst().orElseThrow();
        assertThat(volume.getConfigMap().getName()).isEqualTo(only(ConfigMap.class).getMetadata().getName());
        VolumeMount mount = agent.getVolumeMounts().stream().filter(m -> m.getName().equals(volume.getName())).findFirst().orElseThrow();
        return new ConfigMapFile(Path.of(mount.getMountPath(), "agent.flags"), flagsFile());
    }

    private String flagsFile() {
        return only(ConfigMap.class).getData().get("agent.flags");
    }

    /** The host path of the volume mounted in {@code container} at {@code path}, if one is. */
    private Optional<String> hostPathMountedAt(Container container, Path path) {
        return container.getVolumeMounts().stream().filter(mount -> Path.of(mount.getMountPath()).equals(path))
                .map(mount -> pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow())
                .filter(volume -> volume.getHostPath() != null)
                .map(volume -> volume.getHostPath().getPath())
                .findFirst();
    }

    /** Picocli's factory, handing out {@code command} for its class: the test reads the parsed fields. */
    private static CommandLine.IFactory factoryWith(Object command) {
        CommandLine.IFactory fallback = CommandLine.defaultFactory();
        return new CommandLine.IFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <K> K create(Class<K> type) throws Exception {
                return type.isInstance(command) ? (K) command : fallback.create(type);
            }
        };
    }
}
