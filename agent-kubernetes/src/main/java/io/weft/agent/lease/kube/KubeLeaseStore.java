package io.weft.agent.lease.kube;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.jackson.Jackson2JdkTypesModule;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseEvent;
import io.weft.agent.lease.LeaseStore;
import io.weft.netlink.IpPrefix;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Leases kept by Kubernetes itself ({@code --store kubernetes}): a node's subnet is the podCIDR the
 * controller-manager allocated to it (k3s cuts /24s from 10.42.0.0/16), and what its peers need,
 * the VTEP MAC and public IP, travels in the node's annotations, as with Flannel's kube subnet
 * manager. A lease lives as long as its Node object, so it never expires.
 *
 * <p>The API calls, and so the agent's ClusterRole: {@code nodes} get (this node), list and watch
 * (the peers); {@code nodes/status} patch, for both the annotations (a JSON merge patch of the
 * node's metadata) and the {@code NetworkUnavailable} condition. As Flannel does: the API server
 * keeps metadata changes made through a node's status subresource (only spec is reset there), so
 * the agent needs no right to patch nodes, which would let its token change any node's labels and
 * taints.
 *
 * <p>Tested against fabric8's mock API server in CRUD mode: the Kubernetes API is the one part we
 * cannot run for real here.
 */
public final class KubeLeaseStore implements LeaseStore {
    /** The core API's nodes, read untyped ({@link NodeLeases}); named here, so fabric8 asks no discovery. */
    private static final ResourceDefinitionContext NODES = new ResourceDefinitionContext.Builder()
            .withGroup("").withVersion("v1").withKind("Node").withPlural("nodes").withNamespaced(false).build();

    private final KubernetesClient client;
    private final String nodeName;
    private final ClusterNetwork network;
    private final boolean ownsClient;
    /** The watches' informers, each with its store. */
    private final Map<SharedIndexInformer<GenericKubernetesResource>, KeptNodes> informers = new ConcurrentHashMap<>();
    /** What this node claimed, for renewals: the claim's public IP, not an overwrite read since. */
    private volatile LeaseClaim claim;

    /** A store on the caller's client; the caller closes the client. */
    public KubeLeaseStore(KubernetesClient client, String nodeName, ClusterNetwork network) {
        this(client, nodeName, network, false);
    }

    private KubeLeaseStore(KubernetesClient client, String nodeName, ClusterNetwork network, boolean ownsClient) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.network = Objects.requireNonNull(network, "network");
        this.ownsClient = ownsClient;
    }

    /**
     * A store with a client of its own, closed with it: from {@code kubeconfig} if given, else from
     * fabric8's auto-configuration, which in a pod is the service account (in-cluster).
     *
     * <p>The client's JSON mapping is fabric8's default but for two things: it skips managedFields
     * ({@link WithoutManagedFields}), and it does not look up every
     * resource class on the class path ({@code searchClassloaders} false). That lookup loads and
     * instantiates the ~600 classes of fabric8's model (pods, gateways, storage, …), ~5 MiB of RSS,
     * to map kinds this store never reads: it reads nodes untyped.
     * fabric8's kubeconfig parser ({@code --kubeconfig}) still does the lookup, for its own mapping.
     */
    public static KubeLeaseStore connect(Optional<Path> kubeconfig, String nodeName, ClusterNetwork network) {
        Config config = kubeconfig.map(KubeLeaseStore::fromKubeconfig).orElseGet(() -> Config.autoConfigure(null));
        KubernetesSerialization json = new KubernetesSerialization(
                JsonMapper.builderWithJackson2Defaults().addModule(new Jackson2JdkTypesModule())
                        .addMixIn(ObjectMeta.class, WithoutManagedFields.class).build(), false);
        // fabric8's tasks (informer, watch) and the HTTP client's work on virtual threads, not two cached
        // pools of platform threads (8 threads at 1000 nodes); idle, such an executor holds nothing
        ExecutorService virtualThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("weft-kube-", 0).factory());
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(json)
                .withTaskExecutor(virtualThreads).withHttpClientFactory(new VirtualThreadHttpClients(virtualThreads)).build();
        return new KubeLeaseStore(client, nodeName, network, true);
    }

    /**
     * Metadata as this store's client reads it: without managedFields, ~2.7 kB of a k3s node's ~10 kB
     * of JSON, which the store never reads (it writes patches, never whole objects) and its lists and
     * watch would otherwise turn into objects for every node they carry.
     */
    @JsonIgnoreProperties("managedFields")
    private interface WithoutManagedFields {}

    private static Config fromKubeconfig(Path path) {
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("kubeconfig " + path + ": no such file, or not readable");
        }
        return Config.fromKubeconfig(path.toFile());
    }

    @Override
    public ClusterNetwork network() {
        return network;
    }

    /**
     * Takes the node's podCIDR as its subnet, publishes the VTEP MAC and public IP in its annotations
     * and clears {@code NetworkUnavailable}. Writes only what differs, so it also serves as renewal.
     *
     * @throws IllegalStateException while the node has no podCIDR yet (the agent stays not-ready and
     *     tries again), or when its podCIDR lies outside the network
     */
    @Override
    public Lease acquire(LeaseClaim claim) {
        if (!claim.node().equals(nodeName)) {
            throw new IllegalArgumentException("claim for node " + claim.node() + " in the store of node " + nodeName);
        }
        GenericKubernetesResource node = nodes().withName(nodeName).get();
        if (node == null) {
            throw new IllegalStateException("node " + nodeName + " does not exist in the cluster: is the node name right?");
        }
        IpPrefix subnet = podCidr(node);
        InetAddress publicIp = NodeLeases.publicIpOverwrite(node).orElse(claim.publicIp());
        Lease lease = new Lease(nodeName, subnet, publicIp, claim.vtepMac(), Instant.MAX);
        annotate(node, NodeLeases.annotationsFor(lease));
        NetworkCondition.patchFor(node, Instant.now()).ifPresent(patch ->
                nodes().withName(nodeName).subresource("status").patch(PatchContext.of(patch.type()), patch.body()));
        this.claim = claim;
        return lease;
    }

    private IpPrefix podCidr(GenericKubernetesResource node) {
        List<IpPrefix> podCidrs = NodeLeases.podCidrs(node);
        if (podCidrs.isEmpty()) {
            throw new IllegalStateException("node " + nodeName + " has no podCIDR yet: is the controller-manager allocating"
                    + " node CIDRs (--allocate-node-cidrs with --cluster-cidr; k3s does by default)?");
        }
        IpPrefix subnet = NodeLeases.ipv4PodCidr(node).orElseThrow(() -> new IllegalStateException("node " + nodeName
                + " has only IPv6 podCIDRs " + podCidrs + "; Weft supports IPv4 pod networks only"));
        NodeLeases.requireInside(nodeName, subnet, network);
        return subnet;
    }

    private void annotate(GenericKubernetesResource node, Map<String, String> wanted) {
        Map<String, String> current = NodeLeases.annotations(node);
        Map<String, String> changed = new HashMap<>();
        wanted.forEach((key, value) -> {
            if (!value.equals(current.get(key))) {
                changed.put(key, value);
            }
        });
        if (!changed.isEmpty()) {
            String patch = NodeLeases.json(Map.of("metadata", Map.of("annotations", changed)));
            nodes().withName(nodeName).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        }
    }

    /**
     * Leases here never expire; renewing re-applies the annotations and the condition if someone
     * removed them, and follows the node if it was re-created with another podCIDR.
     */
    @Override
    public Lease renew(Lease lease) {
        LeaseClaim claimed = claim;
        return acquire(claimed != null ? claimed : new LeaseClaim(lease.node(), lease.publicIp(), lease.vtepMac()));
    }

    @Override
    public Duration renewInterval() {
        return Duration.ZERO;
    }

    /**
     * The leases of all nodes that have a podCIDR and run Weft (carry its annotations). While a watch
     * of this store is up (its informer has listed and is watching), they come from the informer's
     * cache, as Flannel's do: the agent lists on every periodic pass, and a list from the API server
     * on each would cost every node a read of every Node each time (~10 MB of JSON at 1000 k3s nodes,
     * every 30 s, times 1000 nodes) where the watch already sends each change. Otherwise (before the
     * watch starts, while it reconnects) from the API server, {@link NodePages#PAGE_SIZE} nodes at a time.
     */
    @Override
    public List<Lease> list() {
        for (Map.Entry<SharedIndexInformer<GenericKubernetesResource>, KeptNodes> watch : informers.entrySet()) {
            if (watch.getKey().hasSynced() && watch.getKey().isWatching()) {
                return watch.getValue().leases();
            }
        }
        return NodePages.leases(next -> nodes()
                .list(new ListOptionsBuilder().withLimit(NodePages.PAGE_SIZE).withContinue(next).build()), network);
    }

    /**
     * Watches all nodes through an informer, which reports the nodes that exist as it starts
     * (Updated) and, after a reconnect, relists and reports them again. It lists a page at a time
     * and keeps of each node only what {@link NodeEvents} reads of the state it held before an
     * update or a delete ({@link KeptNodes}): a full Node is ~10 kB of JSON (images, managedFields,
     * nodeInfo), several times that on the heap, so a few hundred of them would not fit the agent's.
     */
    @Override
    public AutoCloseable watch(Consumer<LeaseEvent> listener) {
        KeptNodes kept = new KeptNodes(network);
        SharedIndexInformer<GenericKubernetesResource> informer = nodes().withLimit(NodePages.PAGE_SIZE).runnableInformer(0)
                .itemStore(kept)
                .addEventHandler(new NodeEvents(network, listener));
        informer.run();
        informers.put(informer, kept);
        return () -> {
            informers.remove(informer);
            informer.close();
        };
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> nodes() {
        return client.genericKubernetesResources(NODES);
    }

    @Override
    public void close() {
        informers.keySet().forEach(SharedIndexInformer::close);
        informers.clear();
        if (ownsClient) {
            client.close();
        }
    }
}
