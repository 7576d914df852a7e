package io.weft.agent.lease.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseEvent;
import io.weft.agent.lease.LeaseStore;
import io.weft.netlink.IpPrefix;

import javax.net.ssl.SSLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Leases in etcd, as Flannel keeps them: each node's subnet is a key under {@code <prefix>/subnets/}
 * attached to an etcd lease of the configured TTL, so etcd deletes it when the node stops renewing.
 *
 * <p>A subnet is claimed with a create-if-absent transaction, so two nodes never hold the same one.
 * Renewal is one {@code keepAliveOnce} per call, driven by the agent every {@link #renewInterval}
 * (TTL/3), not jetcd's streaming keep-alive, which dies with the connection when etcd restarts and
 * never comes back. When etcd has forgotten the lease (it expired while etcd or the agent was away),
 * renew grants a new one and puts the same subnet key again. When etcd has not answered for TTL/3,
 * each failed renewal (at most one per TTL/3) replaces the jetcd client, and the watches move to the
 * new one: the old client's gRPC channel would wait out a reconnect back-off of up to 120 s after
 * etcd is back, longer than the lease lives (see {@link Outage}).
 *
 * <p>{@link Lease#expiry} is when the lease lapses unless renewed: for this node's lease, the TTL etcd
 * answered on the last grant or keep-alive counted from that answer; for leases read from etcd
 * (list, watch), an upper bound of now + the TTL, since learning each one's remaining time would cost
 * a call per lease. Peers need no better: etcd deletes an expired key and the watch reports it removed.
 *
 * <p>{@link #close} leaves this node's lease in etcd: after a restart the agent reclaims the same
 * subnet, and if it does not come back the lease expires.
 */
public final class EtcdLeaseStore implements LeaseStore {
    private static final System.Logger LOG = System.getLogger(EtcdLeaseStore.class.getName());
    /** A claim lost to a node that claimed the same subnet at the same moment is retried this often. */
    private static final int CLAIM_ATTEMPTS = 16;
    /** The first call may wait for gRPC to start and connect (over a second on a small machine). */
    private static final Duration FIRST_CALL = Duration.ofSeconds(10);

    private final EtcdConfig config;
    /** Replaced by a new one when etcd stops answering for a while: see {@link Outage}. */
    private volatile Client client;
    private final Calls calls;
    /** Guarded by {@code this}. */
    private final Outage outage;
    private final Layout layout;
    private final ClusterNetwork network;
    private final long ttlSeconds;
    private final String prefix;
    private final List<EtcdWatch> watches = new CopyOnWriteArrayList<>();
    private volatile Snapshot lastList;
    /** This store's etcd lease, 0 until the first acquire or renew; guarded by {@code this}. */
    private long leaseId;

    private EtcdLeaseStore(Client client, EtcdConfig config, ClusterNetwork network) {
        this.config = config;
        this.client = client;
        this.ttlSeconds = config.ttl().toSeconds();
        this.outage = new Outage(renewInterval());
        // a call must fail before the next renewal is due; at least 2 s for a busy etcd
        Duration timeout = Duration.ofSeconds(Math.clamp(ttlSeconds / 3, 2, 5));
        this.calls = new Calls(config.endpoints().toString(), timeout);
        this.layout = new Layout(config.prefix(), network);
        this.network = network;
        this.prefix = config.prefix();
    }

    /**
     * Connects to etcd and agrees on the cluster network: the one stored at {@code <prefix>/config},
     * or {@code network}, written there when nothing is.
     *
     * @throws IllegalStateException when etcd is unreachable or holds another network
     * @throws IllegalArgumentException when TLS files are unreadable
     */
    public static EtcdLeaseStore open(EtcdConfig config, ClusterNetwork network) {
        return connected(config, network, EtcdLeaseStore::agreeOnNetwork);
    }

    /**
     * The leases in etcd, read without changing anything: unlike {@link #open}, no network config is
     * written when there is none, and no etcd lease is granted. For onlookers ({@code weft doctor}).
     *
     * @throws IllegalStateException when etcd is unreachable or holds another network
     * @throws IllegalArgumentException when TLS files are unreadable
     */
    public static List<Lease> readLeases(EtcdConfig config, ClusterNetwork network) {
        try (EtcdLeaseStore store = connected(config, network, EtcdLeaseStore::checkNetwork)) {
            return store.list();
        }
    }

    /** A store whose first call, {@code firstCall}, has succeeded: the connection works. */
    private static EtcdLeaseStore connected(EtcdConfig config, ClusterNetwork network, Consumer<EtcdLeaseStore> firstCall) {
        Client client = connect(config);
        try {
            EtcdLeaseStore store = new EtcdLeaseStore(client, config, network);
            firstCall.accept(store);
            return store;
        } catch (IllegalStateException e) {
            client.close();
            if (e.getCause() instanceof TimeoutException) {
                // jetcd waits through refused connections and failed TLS handshakes alike, silently
                throw new IllegalStateException(e.getMessage() + "; is etcd listening there"
                        + (config.tls() ? ", and does its certificate match the CA (and accept the client certificate) given?" : "?"), e);
            }
            throw e;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static Client connect(EtcdConfig config) {
        ClientBuilder builder = Client.builder().endpoints(config.endpoints().toArray(URI[]::new));
        if (config.tls()) {
            readable("CA", config.ca());
            readable("client certificate", config.cert());
            readable("client key", config.key());
            try {
                builder.sslContext(ssl -> {
                    if (config.ca() != null) {
                        ssl.trustManager(config.ca().toFile());
                    }
                    if (config.cert() != null) {
                        ssl.keyManager(config.cert().toFile(), config.key().toFile());
                    }
                });
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("etcd TLS (CA " + config.ca() + ", certificate " + config.cert()
                        + ", key " + config.key() + "): " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    private static void readable(String what, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException("etcd " + what + " " + file + ": not a readable file");
        }
    }

    private void agreeOnNetwork() {
        ByteSequence key = layout.configKey();
        TxnResponse answer = calls.await(client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, Layout.networkValue(network), PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit(), "write " + key + " unless present", FIRST_CALL);
        if (answer.isSucceeded()) {
            LOG.log(INFO, "etcd " + key + ": wrote network " + network.network() + " with subnetLen " + network.subnetLength());
            return;
        }
        requireSameNetwork(key, answer.getGetResponses().getFirst().getKvs().getFirst().getValue());
    }

    /** As {@link #agreeOnNetwork}, without writing: a network config that is there must be ours. */
    private void checkNetwork() {
        ByteSequence key = layout.configKey();
        List<KeyValue> found = calls.await(client.getKVClient().get(key), "get " + key, FIRST_CALL).getKvs();
        if (!found.isEmpty()) {
            requireSameNetwork(key, found.getFirst().getValue());
        }
    }

    private void requireSameNetwork(ByteSequence key, ByteSequence value) {
        ClusterNetwork stored;
        try {
            stored = Layout.network(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("etcd " + key + " is not a Weft network config: " + e.getMessage(), e);
        }
        if (!stored.equals(network)) {
            throw new IllegalStateException("etcd " + key + " holds network " + stored.network() + " with subnetLen "
                    + stored.subnetLength() + ", but this agent is configured with network " + network.network()
                    + " and subnetLen " + network.subnetLength() + "; configure the cluster's network or use another etcd prefix");
        }
    }

    @Override
    public ClusterNetwork network() {
        return network;
    }

    /** Reclaims the subnet a lease of {@code claim.node()} holds, else claims the lowest free one. */
    @Override
    public synchronized Lease acquire(LeaseClaim claim) {
        return watchingForOutage(() -> claim(claim));
    }

    private Lease claim(LeaseClaim claim) {
        long ttl = keepLeaseAlive();
        ByteSequence value = Layout.leaseValue(claim.node(), claim.publicIp(), claim.vtepMac());
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            GetResponse held = calls.await(client.getKVClient().get(layout.leasePrefix(), prefixed()), "list " + layout.leasePrefix());
            Optional<KeyValue> own = held.getKvs().stream()
                    .filter(record -> claim.node().equals(nodeOf(record)))
                    .min(Comparator.comparingLong(record -> layout.subnets().index(layout.subnet(record.getKey()))));
            IpPrefix subnet;
            Cmp unchanged;
            if (own.isPresent()) {
                subnet = layout.subnet(own.get().getKey());
                unchanged = new Cmp(own.get().getKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(own.get().getModRevision()));
            } else {
                subnet = lowestFree(held);
                unchanged = new Cmp(layout.key(subnet), Cmp.Op.EQUAL, CmpTarget.createRevision(0));
            }
            if (put(subnet, value, unchanged)) {
                LOG.log(INFO, (own.isPresent() ? "reclaimed" : "claimed") + " subnet " + subnet + " for node " + claim.node()
                        + " in etcd (lease " + Long.toHexString(leaseId) + ", TTL " + ttl + " s)");
                return new Lease(claim.node(), subnet, claim.publicIp(), claim.vtepMac(), Instant.now().plusSeconds(ttl));
            }
        }
        throw new IllegalStateException("node " + claim.node() + ": no subnet claimed after " + CLAIM_ATTEMPTS
                + " attempts; other nodes took each one first");
    }

    private IpPrefix lowestFree(GetResponse held) {
        Set<IpPrefix> taken = new HashSet<>();
        for (KeyValue record : held.getKvs()) {
            IpPrefix subnet = layout.subnet(record.getKey());
            if (subnet != null) {
                taken.add(subnet);
            }
        }
        return layout.subnets().lowestFree(taken).orElseThrow(() -> new IllegalStateException(
                "no free subnet in " + network.network() + ": all " + layout.subnets().size() + " /" + network.subnetLength()
                        + " subnets are leased (etcd " + layout.leasePrefix() + "); wait for a node's lease to expire or use a larger network"));
    }

    /**
     * Extends this node's etcd lease and makes sure the subnet key is still ours. A lease etcd lost
     * is granted anew and the key put again, unless another node took the subnet meanwhile.
     *
     * @throws IllegalStateException when etcd is unreachable, or when another node now holds the subnet
     */
    @Override
    public synchronized Lease renew(Lease lease) {
        return watchingForOutage(() -> renewOnce(lease));
    }

    /**
     * Runs {@code call}, noting whether etcd answered: a first call without answer starts an outage, an
     * answer ends it, and an outage longer than {@link #renewInterval} makes a new client (see
     * {@link Outage}) for the next call and the watches. Logs once when an outage starts and once when
     * it ends.
     */
    private Lease watchingForOutage(Supplier<Lease> call) {
        try {
            Lease answer = call.get();
            answered();
            return answer;
        } catch (IllegalStateException e) {
            if (!Calls.unanswered(e)) {
                answered();
                throw e;
            }
            long now = System.nanoTime();
            if (outage.failed(now)) {
                LOG.log(WARNING, "etcd " + config.endpoints() + " does not answer (" + e.getMessage() + "); connecting anew, at most every "
                        + renewInterval().toSeconds() + " s until it does");
            }
            if (outage.rebuildDue(now)) {
                reconnect();
            }
            throw e;
        }
    }

    private void answered() {
        long now = System.nanoTime();
        if (outage.answered()) {
            LOG.log(INFO, "etcd " + config.endpoints() + " answers again, " + outage.length(now).toSeconds() + " s after it stopped");
        }
    }

    /** Replaces the client, whose channel may be waiting out gRPC's back-off, and moves the watches to the new one. */
    private void reconnect() {
        Client stale = client;
        client = connect(config);
        watches.forEach(watch -> watch.reconnect(calls.timeout()));
        stale.close();
    }

    private Lease renewOnce(Lease lease) {
        long ttl = keepLeaseAlive();
        ByteSequence key = layout.key(lease.subnet());
        ByteSequence value = Layout.leaseValue(lease.node(), lease.publicIp(), lease.vtepMac());
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            List<KeyValue> found = calls.await(client.getKVClient().get(key), "get " + key).getKvs();
            if (found.isEmpty()) {
                if (put(lease.subnet(), value, new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))) {
                    LOG.log(WARNING, "etcd had lost " + key + " of node " + lease.node() + "; put it again");
                    return renewed(lease, ttl);
                }
                continue;
            }
            KeyValue record = found.getFirst();
            String holder = nodeOf(record);
            if (!lease.node().equals(holder)) {
                throw new IllegalStateException("subnet " + lease.subnet() + " of node " + lease.node()
                        + " was lost and is now held by " + (holder == null ? "a record Weft cannot read" : "node " + holder)
                        + " (etcd " + key + ")");
            }
            if (record.getLease() == leaseId && record.getValue().equals(value)) {
                return renewed(lease, ttl);
            }
            if (put(lease.subnet(), value, new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(record.getModRevision())))) {
                return renewed(lease, ttl);
            }
        }
        throw new IllegalStateException("node " + lease.node() + ": " + key + " kept changing under renewal");
    }

    private static Lease renewed(Lease lease, long ttl) {
        return new Lease(lease.node(), lease.subnet(), lease.publicIp(), lease.vtepMac(), Instant.now().plusSeconds(ttl));
    }

    /** Keeps this store's etcd lease alive, granting one when there is none or etcd lost it; its TTL in seconds. */
    private long keepLeaseAlive() {
        if (leaseId != 0) {
            try {
                return calls.await(client.getLeaseClient().keepAliveOnce(leaseId), "keep lease " + Long.toHexString(leaseId) + " alive")
                        .getTTL();
            } catch (IllegalStateException e) {
                if (!Calls.leaseNotFound(e)) {
                    throw e;
                }
                LOG.log(WARNING, "etcd no longer knows lease " + Long.toHexString(leaseId)
                        + " (expired while etcd or this agent was away, or revoked); granting a new one");
            }
        }
        LeaseGrantResponse granted = calls.await(client.getLeaseClient().grant(ttlSeconds), "grant a lease of " + ttlSeconds + " s");
        leaseId = granted.getID();
        return granted.getTTL();
    }

    /** Puts {@code subnet}'s key under this store's lease if {@code condition} holds; whether it did. */
    private boolean put(IpPrefix subnet, ByteSequence value, Cmp condition) {
        ByteSequence key = layout.key(subnet);
        return calls.await(client.getKVClient().txn()
                .If(condition)
                .Then(Op.put(key, value, PutOption.builder().withLeaseId(leaseId).build()))
                .commit(), "put " + key).isSucceeded();
    }

    /** The node a lease record names, or {@code null} when the record is not one Weft can read. */
    private String nodeOf(KeyValue record) {
        try {
            return layout.lease(record, Instant.MAX).node();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public Duration renewInterval() {
        return Duration.ofSeconds(ttlSeconds).dividedBy(3);
    }

    @Override
    public List<Lease> list() {
        return snapshot().leases();
    }

    /** The leases now, remembered so that a watch started next misses nothing after them. */
    private Snapshot snapshot() {
        GetResponse answer = calls.await(client.getKVClient().get(layout.leasePrefix(), prefixed()), "list " + layout.leasePrefix());
        Instant expiry = Instant.now().plusSeconds(ttlSeconds);
        List<Lease> leases = new ArrayList<>();
        for (KeyValue record : answer.getKvs()) {
            try {
                leases.add(layout.lease(record, expiry));
            } catch (IllegalArgumentException e) {
                LOG.log(WARNING, "etcd: ignoring " + record.getKey() + ": " + e.getMessage());
            }
        }
        Snapshot snapshot = new Snapshot(answer.getHeader().getRevision(), leases);
        lastList = snapshot;
        return snapshot;
    }

    /** Reports changes after the last {@link #list} (or from now when there was none). */
    @Override
    public AutoCloseable watch(Consumer<LeaseEvent> listener) {
        Snapshot from = lastList != null ? lastList : snapshot();
        EtcdWatch watch = new EtcdWatch(() -> client.getWatchClient(), layout, Duration.ofSeconds(ttlSeconds), this::snapshot,
                from, listener);
        watches.add(watch);
        return () -> {
            watches.remove(watch);
            watch.close();
        };
    }

    private static GetOption prefixed() {
        return GetOption.builder().isPrefix(true).build();
    }

    /** Stops the watches and disconnects; this node's lease stays in etcd until it expires or is reclaimed. */
    @Override
    public void close() {
        watches.forEach(EtcdWatch::close);
        watches.clear();
        client.close();
    }

    @Override
    public String toString() {
        return "etcd lease store " + prefix + " (" + network.network() + ", TTL " + ttlSeconds + " s)";
    }
}
