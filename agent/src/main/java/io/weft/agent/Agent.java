package io.weft.agent;

import io.weft.agent.http.HealthServer;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.KnownLeases;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseStore;
import io.weft.agent.masquerade.Masquerade;
import io.weft.agent.masquerade.Nft;
import io.weft.agent.metrics.AgentMetrics;
import io.weft.agent.overlay.Overlay;
import io.weft.agent.overlay.ReconcileResult;
import io.weft.agent.underlay.UnderlayInterface;
import io.weft.agent.underlay.UnderlaySelector;
import io.weft.cni.CniPlugin;
import io.weft.cni.server.CniServer;
import io.weft.netlink.Group;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkEvent;
import io.weft.netlink.Subscription;
import io.weft.netlink.link.Link;
import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import static io.weft.netlink.sys.Kernel.RTM_DELROUTE;
import static io.weft.netlink.sys.Kernel.RTM_NEWROUTE;
import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The node agent. {@link #start} checks everything it can without changing the node (config, underlay,
 * store, pod network against the underlay, the nftables rules) and fails with a {@link ConfigException}
 * naming the flag when something is wrong. The rest happens on the agent's own thread: it claims the
 * node's lease (retrying with backoff while the store has none for it, reporting why on
 * {@code /readyz}), makes the overlay match the leases, sets the node up around it ({@link NodeSetup}:
 * {@code cni0}, forwarding, masquerade, {@code subnet.env}), serves the CNI socket, installs the plugin
 * if asked, and is then ready.
 *
 * <p>From then on the overlay is reconciled on store events, on netlink events about {@code weft.1}
 * and the routes out of it and out of the underlay (debounced; the reconciler's own changes cause one
 * more pass, which finds nothing to do), and every {@link AgentConfig#reconcileInterval()}; the lease
 * is renewed every {@link LeaseStore#renewInterval()}. A pass on an event reconciles against the
 * leases as the watch's events left them ({@link KnownLeases}); the periodic pass lists the store
 * again and takes that as the truth. {@link #close} stops all that and leaves the
 * kernel as it is, so a restart interrupts no traffic.
 *
 * <p>All kernel changes run on one thread, the agent's worker; lease renewal has a thread of its own so
 * a slow store never delays a reconcile.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    /** The VXLAN device, as the overlay names it. */
    public static final String OVERLAY_DEVICE = io.weft.agent.overlay.OverlaySettings.defaults().deviceName();
    /** The node's pod bridge, as the CNI plugin names it. */
    public static final String BRIDGE = "cni0";
    private static final long DEBOUNCE_MILLIS = 100;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    private final AgentConfig config;
    private final NetNamespace node;
    private final LeaseStoreFactory stores;
    private final OverlayFactory overlays;
    private final PluginInstaller pluginInstaller;
    private final Nft nft;
    private final AgentMetrics metrics = new AgentMetrics();
    private final ScheduledExecutorService worker;
    private final ScheduledExecutorService renewer;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicBoolean passPending = new AtomicBoolean();
    private final KnownLeases known = new KnownLeases();

    // set by start(), read-only afterwards
    private Netlink netlink;
    private UnderlayInterface underlay;
    private LeaseStore store;
    private ClusterNetwork network;
    private NodeSetup nodeSetup;
    private HealthServer http;
    private boolean started;
    private boolean released;

    // the worker's own
    private MacAddress vtepMac;
    private Overlay overlay;
    private CniPlugin plugin;
    private CniServer cniServer;
    private boolean pluginInstalled;
    private Duration retryDelay = FIRST_RETRY;

    private volatile Lease lease;
    private volatile int overlayIndex = -1;
    private volatile String waitingFor = "not started";
    private volatile boolean loopsRunning;
    private volatile boolean closed;
    private volatile AutoCloseable watch;
    private volatile Subscription subscription;
    private volatile ScheduledFuture<?> periodic;
    private ScheduledFuture<?> renewal;

    /**
     * @param node the node's network namespace ({@link NetNamespace#current()} on a real node); the
     *     caller keeps it open until {@link #close}
     * @param nft how to run nft in {@code node}
     */
    public Agent(AgentConfig config, NetNamespace node, LeaseStoreFactory stores, OverlayFactory overlays,
                 PluginInstaller pluginInstaller, Nft nft) {
        this.config = config;
        this.node = node;
        this.stores = stores;
        this.overlays = overlays;
        this.pluginInstaller = pluginInstaller;
        this.nft = nft;
        this.worker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("weft-agent-" + config.nodeName()).daemon().factory());
        this.renewer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("weft-lease-" + config.nodeName()).daemon().factory());
    }

    /**
     * Checks what can be checked without changing the node, opens the store and the HTTP endpoints,
     * and sets the node up in the background ({@link #awaitReady}). On failure nothing was changed and
     * nothing stays open.
     *
     * @throws ConfigException naming the flag whose value cannot work here
     * @throws IOException when the HTTP address cannot be bound
     */
    public synchronized void start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException("an agent starts once");
        }
        started = true;
        try {
            netlink = Netlink.open(node);
            underlay = new UnderlaySelector(netlink).select(config.underlay());
            LOG.log(INFO, "node " + config.nodeName() + ": underlay " + underlay);
            store = stores.open(config);
            network = store.network();
            checkNoOverlap();
            Optional<Masquerade> masquerade = config.masquerade() ? Optional.of(new Masquerade(nft, network.network())) : Optional.empty();
            masquerade.ifPresent(Masquerade::check);
            nodeSetup = new NodeSetup(node, netlink, nft, masquerade, network, overlayMtu(), config.subnetFile());
            if (config.httpAddress().isPresent()) {
                http = HealthServer.start(config.httpAddress().get(), health(), metrics.registry());
            }
        } catch (IOException | RuntimeException | Error e) {
            closed = true;
            releaseAll();
            throw e;
        }
        LOG.log(INFO, "node " + config.nodeName() + ": " + config.store().kind() + " store, pod network " + network.network()
                + " in /" + network.subnetLength() + "s" + http().map(a -> ", HTTP on " + IpPrefix.formatAddress(a.getAddress()) + ":" + a.getPort()).orElse(""));
        waitingFor = "waiting for a lease from the " + config.store().kind() + " store";
        worker.execute(this::bringUp);
    }

    private void checkNoOverlap() {
        IpPrefix pods = network.network();
        IpPrefix nodes = underlay.address().network();
        if (pods.contains(nodes.address()) || nodes.contains(pods.address())) {
            throw new ConfigException("--network", pods + " overlaps the subnet " + nodes + " of the underlay " + underlay.name()
                    + ": pods and nodes need address ranges of their own");
        }
        config.publicIp().filter(pods::contains).ifPresent(ip -> {
            throw new ConfigException("--public-ip", IpPrefix.formatAddress(ip) + " is inside the pod network " + pods);
        });
    }

    private void bringUp() {
        if (closed) {
            return;
        }
        boolean leased = lease != null;
        try {
            if (!leased) {
                lease = acquireLease();
                leased = true;
            }
            setUpNode(lease);
            startLoops();
            waitingFor = null;
            ready.countDown();
            LOG.log(INFO, "node " + config.nodeName() + " is ready: subnet " + lease.subnet() + ", " + BRIDGE + " "
                    + lease.gateway() + ", MTU " + overlayMtu() + ", CNI socket " + config.cniSocket());
        } catch (IOException | RuntimeException e) {
            if (closed) {
                return;
            }
            waitingFor = (leased ? "setting up the node failed: " : "waiting for a lease from the " + config.store().kind()
                    + " store: ") + describe(e) + " (trying again in " + retryDelay.toSeconds() + " s)";
            LOG.log(WARNING, waitingFor);
            try {
                worker.schedule(this::bringUp, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                return;
            }
            retryDelay = retryDelay.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retryDelay.multipliedBy(2);
        }
    }

    private Lease acquireLease() throws IOException {
        if (vtepMac == null) {
            Optional<MacAddress> existing = netlink.links().find(OVERLAY_DEVICE).map(Link::mac);
            vtepMac = VtepMacFile.loadOrCreate(config.vtepMacFile(), existing, RandomGenerator.getDefault());
        }
        Lease acquired = store.acquire(new LeaseClaim(config.nodeName(), config.publicIp().orElse(underlay.ip()), vtepMac));
        LOG.log(INFO, "node " + config.nodeName() + " holds " + acquired.subnet() + " (public IP "
                + IpPrefix.formatAddress(acquired.publicIp()) + ", VTEP MAC " + acquired.vtepMac() + ")");
        return acquired;
    }

    /** Everything the node needs for its lease, each step idempotent: run again after a failure or a new subnet. */
    private void setUpNode(Lease lease) throws IOException {
        if (overlay == null) {
            overlay = overlays.create(netlink, underlay, vtepMac, config);
        }
        reconcile(this::listedLeases);
        nodeSetup.apply(lease);
        if (cniServer == null) {
            if (plugin == null) {
                plugin = CniPlugin.forNamespace(node);
            }
            cniServer = CniServer.start(config.cniSocket(), metrics.counting(plugin));
        }
        if (config.installCni().isPresent() && !pluginInstalled) {
            pluginInstaller.install(config);
            pluginInstalled = true;
        }
    }

    /** The MTU of the overlay and of pods: the underlay's less the VXLAN encapsulation (IPv4 50, IPv6 70 bytes). */
    private int overlayMtu() {
        return underlay.mtu() - (underlay.address().isIpv4() ? 50 : 70);
    }

    private void startLoops() {
        if (watch == null) {
            watch = store.watch(event -> {
                known.apply(event);
                requestReconcile();
            });
            listedLeases(); // what changed between the first pass's list and the watch's start
        }
        if (subscription == null) {
            subscription = netlink.subscribe(EnumSet.of(Group.LINK, Group.NEIGH, Group.IPV4_ROUTE, Group.IPV6_ROUTE),
                    this::onNetlinkEvent);
        }
        if (periodic == null) {
            long interval = config.reconcileInterval().toMillis();
            periodic = worker.scheduleWithFixedDelay(this::periodicPass, interval, interval, TimeUnit.MILLISECONDS);
        }
        Duration renewEvery = store.renewInterval();
        if (renewal == null && renewEvery.isPositive()) {
            renewal = renewer.scheduleWithFixedDelay(this::renew, renewEvery.toMillis(), renewEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
        loopsRunning = true;
        requestReconcile(); // whatever changed before the subscription began
    }

    private void onNetlinkEvent(NetlinkEvent event) {
        int underlayIndex = underlay.index();
        boolean concernsUs = switch (event) {
            case NetlinkEvent.LinkChanged(Link link) -> isOurs(link);
            case NetlinkEvent.LinkDeleted(Link link) -> isOurs(link);
            case NetlinkEvent.ObjectChanged change -> change.linkIndex() == overlayIndex
                    || (isRoute(change) && change.linkIndex() == underlayIndex); // direct routes leave through the underlay
            case NetlinkEvent.Overrun overrun -> true;
        };
        if (concernsUs) {
            requestReconcile();
        }
    }

    private boolean isOurs(Link link) {
        return link.name().equals(OVERLAY_DEVICE) || link.index() == overlayIndex || link.index() == underlay.index();
    }

    private static boolean isRoute(NetlinkEvent.ObjectChanged change) {
        return change.messageType() == RTM_NEWROUTE || change.messageType() == RTM_DELROUTE;
    }

    /** Asks for a pass soon; requests while one is pending share it. */
    private void requestReconcile() {
        if (!loopsRunning || closed || !passPending.compareAndSet(false, true)) {
            return;
        }
        try {
            worker.schedule(this::requestedPass, DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            passPending.set(false);
        }
    }

    private void requestedPass() {
        passPending.set(false);
        guarded("reconcile", () -> reconcile(known::leases));
    }

    private void periodicPass() {
        guarded("reconcile", () -> reconcile(this::listedLeases));
        guarded("checking " + BRIDGE + ", forwarding and subnet.env", () -> nodeSetup.recheck(lease));
        guarded("masquerade", () -> {
            if (nodeSetup.recheckMasquerade()) {
                metrics.masqueradeRepaired();
            }
        });
    }

    /** The store's leases, listed now: what is known is replaced by them. */
    private List<Lease> listedLeases() {
        return known.refresh(store::list);
    }

    /** Makes the overlay match the leases, from a fresh list or as the watch's events left them. */
    private ReconcileResult reconcile(Supplier<List<Lease>> leases) {
        long start = System.nanoTime();
        try {
            ReconcileResult kernel = overlay.reconcile(lease, leases.get());
            // the pass's time includes listing the store, where the pass does
            ReconcileResult result = new ReconcileResult(kernel.added(), kernel.replaced(), kernel.deleted(), kernel.vxlanPeers(),
                    kernel.directPeers(), Duration.ofNanos(System.nanoTime() - start));
            metrics.reconciled(result);
            overlayIndex = netlink.links().find(OVERLAY_DEVICE).map(Link::index).orElse(-1);
            if (result.changes() > 0) {
                LOG.log(INFO, "reconciled: " + result.added() + " added, " + result.replaced() + " replaced, " + result.deleted()
                        + " deleted; " + result.vxlanPeers() + " peers through " + OVERLAY_DEVICE + ", " + result.directPeers()
                        + " direct; " + result.took().toMillis() + " ms");
            }
            return result;
        } catch (RuntimeException e) {
            metrics.reconcileFailed(Duration.ofNanos(System.nanoTime() - start));
            throw e;
        }
    }

    /** A loop's step: a failure is logged and the loop goes on (a scheduled task that throws is never run again). */
    private void guarded(String what, Runnable step) {
        if (closed) {
            return;
        }
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(WARNING, what + " failed; trying again on the next event or in " + config.reconcileInterval().toSeconds()
                    + " s: " + describe(e));
        }
    }

    private void renew() {
        Lease current = lease;
        try {
            Lease renewed = store.renew(current);
            metrics.leaseRenewed();
            if (renewed.subnet().equals(current.subnet())) {
                lease = renewed;
            } else {
                LOG.log(WARNING, "the store gave node " + config.nodeName() + " " + renewed.subnet() + " in place of "
                        + current.subnet() + ": moving the node to it; pods on the old subnet lose their network");
                worker.execute(() -> moveTo(renewed));
            }
        } catch (RuntimeException e) {
            metrics.leaseRenewalFailed();
            LOG.log(WARNING, "renewing the lease of " + current.subnet() + " failed: " + describe(e));
        }
    }

    private void moveTo(Lease renewed) {
        lease = renewed;
        try {
            setUpNode(renewed);
        } catch (IOException | RuntimeException e) {
            LOG.log(ERROR, "moving the node to " + renewed.subnet() + " failed; the periodic pass keeps at it: " + describe(e));
        }
    }

    private HealthServer.Health health() {
        return new HealthServer.Health() {
            @Override
            public Optional<String> notLive() {
                if (closed) {
                    return Optional.of("the agent is stopping");
                }
                ScheduledFuture<?> loop = periodic;
                if (loop != null && loop.isDone()) {
                    return Optional.of("the periodic reconcile stopped");
                }
                Subscription events = subscription;
                if (events != null && !events.isRunning()) {
                    return Optional.of("the netlink subscription stopped");
                }
                return Optional.empty();
            }

            @Override
            public Optional<String> notReady() {
                return Optional.ofNullable(waitingFor);
            }
        };
    }

    /** Waits until the node is set up; false when {@code timeout} passed first. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isReady() {
        return waitingFor == null;
    }

    /** What the agent is waiting for, as {@code /readyz} says it; empty once ready. */
    public Optional<String> notReadyReason() {
        return Optional.ofNullable(waitingFor);
    }

    /** Where the HTTP endpoints listen (with the port the kernel chose for port 0), once started. */
    public Optional<InetSocketAddress> http() {
        return Optional.ofNullable(http).map(HealthServer::address);
    }

    /** The underlay chosen at start. */
    public UnderlayInterface underlay() {
        return underlay;
    }

    /** This node's lease, once it has one. */
    public Optional<Lease> lease() {
        return Optional.ofNullable(lease);
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    /**
     * Stops the loops, the CNI socket (requests in flight finish), the store and the HTTP endpoints.
     * The kernel keeps {@code weft.1}, the routes, {@code cni0} and the rules, and {@code subnet.env}
     * stays for the plugin's in-process fallback: nothing stops flowing. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        closed = true;
        waitingFor = "the agent is stopping";
        loopsRunning = false;
        closeQuietly("netlink subscription", subscription);
        closeQuietly("store watch", watch);
        worker.shutdownNow();
        renewer.shutdownNow();
        awaitTermination(worker);
        awaitTermination(renewer);
        releaseAll();
        if (started) {
            LOG.log(INFO, "node " + config.nodeName() + ": agent stopped; kernel state left in place");
        }
    }

    private void releaseAll() {
        released = true;
        worker.shutdownNow();
        renewer.shutdownNow();
        closeQuietly("CNI server", cniServer);
        closeQuietly("CNI plugin", plugin);
        closeQuietly("overlay", overlay);
        closeQuietly("store", store);
        closeQuietly("HTTP endpoints", http);
        closeQuietly("netlink", netlink);
    }

    private static void awaitTermination(ScheduledExecutorService executor) {
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(WARNING, "an agent thread did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(String what, AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(WARNING, "closing the " + what + " failed: " + describe(e));
        }
    }

    private static String describe(Throwable e) {
        Throwable shown = e instanceof NetNamespace.NamespaceTaskException && e.getCause() != null ? e.getCause() : e;
        return shown.getMessage() != null ? shown.getMessage() : shown.toString();
    }
}
