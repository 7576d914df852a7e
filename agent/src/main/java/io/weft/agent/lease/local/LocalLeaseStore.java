package io.weft.agent.lease.local;

import io.weft.netlink.sys.Flock;
import io.weft.netlink.sys.WholeFiles;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseClaim;
import io.weft.agent.lease.LeaseEvent;
import io.weft.agent.lease.LeaseStore;
import io.weft.agent.lease.SubnetPool;
import io.weft.netlink.IpPrefix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import static java.lang.System.Logger.Level.INFO;

/**
 * Leases as files in a directory that all agents of a one-machine lab share ({@code --store local}),
 * with etcd's semantics: a lease lapses unless renewed, a lapsed lease is free for others, and a node
 * that restarts gets its subnet back while its file is still there.
 * <pre>
 * DIR/config                 {"network":"10.42.0.0/16","subnetLen":24}
 * DIR/lock                   flock(2) held by whoever changes a lease
 * DIR/subnets/10.42.1.0-24   {"node":"n1","publicIp":"192.0.2.1","vtepMac":"0e:…","expiry":1767225600000}
 * </pre>
 * Every change happens under the lock, so agents in separate processes exclude each other; every file is
 * written whole under a temp name and renamed (renewal) or hard-linked (claim, which fails if the name
 * exists) into place, so readers never take the lock and a crash leaves no partial lease. An expired
 * lease's file is deleted by whoever sees it first under the lock.
 * <p>
 * Leases last {@link #DEFAULT_TTL} unless told otherwise: Flannel's etcd TTL, long enough that an agent
 * stopped for a day keeps its subnet, while a node whose agent is gone for good is dropped by its peers.
 */
public final class LocalLeaseStore implements LeaseStore {
    public static final Duration DEFAULT_TTL = Duration.ofHours(24);
    /** How often a watch looks at the directory: a new node is seen within this, well inside a second. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

    private static final System.Logger LOG = System.getLogger(LocalLeaseStore.class.getName());
    /** Leases and config, readable by all like the rest of the store. */
    static final WholeFiles FILES = new WholeFiles("rw-r--r--");

    private final Path subnets;
    private final Path lockFile;
    private final SubnetPool pool;
    private final Duration ttl;
    private final Duration pollInterval;
    private final InstantSource clock;
    private final Set<LeaseWatch> watches = ConcurrentHashMap.newKeySet();
    private final LeaseReader reader;

    public LocalLeaseStore(Path directory, ClusterNetwork network) {
        this(directory, network, DEFAULT_TTL, DEFAULT_POLL_INTERVAL);
    }

    /**
     * Opens the store in {@code directory}, creating it and its config if absent. An
     * {@link IllegalArgumentException} naming both networks when the directory's config is another network.
     */
    public LocalLeaseStore(Path directory, ClusterNetwork network, Duration ttl, Duration pollInterval) {
        this(directory, network, ttl, pollInterval, InstantSource.system());
    }

    LocalLeaseStore(Path directory, ClusterNetwork network, Duration ttl, Duration pollInterval, InstantSource clock) {
        if (ttl.toMillis() < 3) {
            throw new IllegalArgumentException("lease TTL " + ttl + " is too short: it must be at least 3 ms");
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("watch poll interval " + pollInterval + " must be positive");
        }
        this.subnets = directory.resolve("subnets");
        this.lockFile = directory.resolve("lock");
        this.pool = new SubnetPool(network);
        this.reader = new LeaseReader(subnets, pool);
        this.ttl = ttl;
        this.pollInterval = pollInterval;
        this.clock = clock;
        try {
            Files.createDirectories(subnets);
        } catch (IOException e) {
            throw WholeFiles.failure("create", subnets, e);
        }
        try (Flock _ = Flock.exclusive(lockFile, 0644)) {
            WholeFiles.deleteStrayTempFiles(directory);
            WholeFiles.deleteStrayTempFiles(subnets);
            ConfigFile.ensure(directory.resolve(ConfigFile.NAME), network);
            WholeFiles.syncDirectory(directory);
        }
    }

    @Override
    public ClusterNetwork network() {
        return pool.network();
    }

    /**
     * The node's lease on file (even lapsed: the file still being there means no one took the subnet),
     * refreshed with the claim's address and MAC; else the lowest subnet that no unexpired lease holds.
     */
    @Override
    public Lease acquire(LeaseClaim claim) {
        Objects.requireNonNull(claim, "claim");
        try (Flock _ = Flock.exclusive(lockFile, 0644)) {
            WholeFiles.deleteStrayTempFiles(subnets);
            Instant now = clock.instant();
            LeaseReader.Scan scan = scan();
            Optional<Lease> own = Optional.empty();
            Set<IpPrefix> taken = new HashSet<>(scan.unreadable());
            for (Lease lease : scan.leases().values()) {
                if (lease.node().equals(claim.node()) && own.isEmpty()) {
                    own = Optional.of(lease);
                } else if (lease.node().equals(claim.node())) {
                    delete(lease, "a second lease of the same node");
                } else if (expired(lease, now)) {
                    delete(lease, "expired at " + lease.expiry());
                } else {
                    taken.add(lease.subnet());
                }
            }
            Lease lease;
            if (own.isPresent()) {
                lease = lease(claim, own.get().subnet(), now);
                FILES.replace(file(lease.subnet()), LeaseFile.encode(lease), true);
                LOG.log(INFO, "node {0} holds {1} again", claim.node(), lease.subnet());
            } else {
                lease = claimLowestFree(claim, taken, now);
                LOG.log(INFO, "node {0} leased {1}", claim.node(), lease.subnet());
            }
            WholeFiles.syncDirectory(subnets);
            return lease;
        }
    }

    /**
     * Extends the lease by the TTL from now, with the address and MAC it carries. A lease whose file is
     * gone, or was taken over after lapsing, is claimed again for the same subnet; an
     * {@link IllegalStateException} naming the new holder if another node holds the subnet now.
     */
    @Override
    public Lease renew(Lease lease) {
        if (!pool.contains(lease.subnet())) {
            throw new IllegalArgumentException(cannotRenew(lease) + "it is not a /" + pool.network().subnetLength()
                    + " subnet of network " + pool.network().network());
        }
        Path file = file(lease.subnet());
        try (Flock _ = Flock.exclusive(lockFile, 0644)) {
            Instant now = clock.instant();
            Optional<Lease> current;
            try {
                current = LeaseReader.read(file, lease.subnet());
            } catch (IllegalArgumentException unreadable) {
                throw new IllegalStateException(cannotRenew(lease) + unreadable.getMessage(), unreadable);
            }
            if (current.isPresent() && !current.get().node().equals(lease.node()) && !expired(current.get(), now)) {
                throw new IllegalStateException(cannotRenew(lease) + "the subnet is leased to node " + current.get().node()
                        + " until " + current.get().expiry() + "; acquire a new lease");
            }
            Lease renewed = new Lease(lease.node(), lease.subnet(), lease.publicIp(), lease.vtepMac(), expiryFrom(now));
            if (current.isPresent()) {
                FILES.replace(file, LeaseFile.encode(renewed), true);
            } else if (FILES.create(file, LeaseFile.encode(renewed))) {
                LOG.log(INFO, "the lease of node {0} on {1} was gone; claimed it again", lease.node(), lease.subnet());
            } else {
                throw new IllegalStateException(cannotRenew(lease) + file + " appeared while the store was locked: "
                        + "something writes the store without taking " + lockFile);
            }
            WholeFiles.syncDirectory(subnets);
            return renewed;
        }
    }

    @Override
    public Duration renewInterval() {
        return ttl.dividedBy(3);
    }

    /**
     * The unexpired leases, lowest subnet first. Reuses one reader, whose cache re-reads only the files
     * that changed since the last call: the agent lists on every pass, and parsing 1000 unchanged files
     * each time was half of a pass with nothing to do (bench/results/agent-scale.md).
     */
    @Override
    public List<Lease> list() {
        Instant now = clock.instant();
        return scan().leases().values().stream().filter(lease -> !expired(lease, now)).toList(); // the scan sorted them
    }

    /**
     * The files as they are now, through the one reader that {@link #acquire}, {@link #list} and the
     * watches share: each file is parsed once per version, whoever reads it first (the acquire at the
     * agent's start), and its lease is held once in memory.
     */
    private LeaseReader.Scan scan() {
        synchronized (reader) { // a reader is for one thread at a time
            return reader.scan();
        }
    }

    /** As {@link #scan}, but one {@code stat} of the directory while it has not changed: the watches' polls. */
    private LeaseReader.Scan scanIfDirectoryChanged() {
        synchronized (reader) {
            return reader.scanIfDirectoryChanged();
        }
    }

    /**
     * Polls the directory every poll interval on a platform thread of its own and reports what changed;
     * a lease that lapses is reported {@link LeaseEvent.Removed}, and its file deleted.
     */
    @Override
    public AutoCloseable watch(Consumer<LeaseEvent> listener) {
        LeaseWatch watch = new LeaseWatch("weft-lease-watch " + subnets.getParent(), pollInterval, this::unexpiredLeases, listener);
        watches.add(watch);
        return () -> {
            watches.remove(watch);
            watch.close();
        };
    }

    /** Stops every watch still open. */
    @Override
    public void close() {
        for (LeaseWatch watch : List.copyOf(watches)) {
            watches.remove(watch);
            watch.close();
        }
    }

    /** The unexpired leases; the expired ones seen are deleted under the lock, unless renewed meanwhile. */
    private Map<IpPrefix, Lease> unexpiredLeases() {
        Map<IpPrefix, Lease> leases = scanIfDirectoryChanged().leases();
        Instant now = clock.instant();
        List<Lease> expired = leases.values().stream().filter(lease -> expired(lease, now)).toList();
        if (expired.isEmpty()) {
            return leases; // the reader's scan, unchanged while no file changes: nothing copied per poll
        }
        deleteIfStillExpired(expired);
        leases = scanIfDirectoryChanged().leases();
        Map<IpPrefix, Lease> unexpired = new LinkedHashMap<>(leases);
        unexpired.values().removeIf(lease -> expired(lease, now));
        return unexpired;
    }

    private void deleteIfStillExpired(List<Lease> seen) {
        try (Flock _ = Flock.exclusive(lockFile, 0644)) {
            Instant now = clock.instant();
            List<Lease> deleted = new ArrayList<>();
            for (Lease lease : seen) {
                try {
                    LeaseReader.read(file(lease.subnet()), lease.subnet())
                            .filter(current -> expired(current, now))
                            .ifPresent(current -> {
                                delete(current, "expired at " + current.expiry());
                                deleted.add(current);
                            });
                } catch (IllegalArgumentException unreadable) {
                    // replaced by something unreadable meanwhile: the scan that follows reports it
                }
            }
            if (!deleted.isEmpty()) {
                WholeFiles.syncDirectory(subnets);
            }
        }
    }

    private Lease claimLowestFree(LeaseClaim claim, Set<IpPrefix> taken, Instant now) {
        while (true) {
            Lease lease = lease(claim, pool.lowestFree(taken), now);
            if (FILES.create(file(lease.subnet()), LeaseFile.encode(lease))) {
                return lease;
            }
            taken.add(lease.subnet()); // written by something that does not take the lock; leave it be
        }
    }

    private void delete(Lease lease, String why) {
        if (WholeFiles.delete(file(lease.subnet()))) {
            LOG.log(INFO, "deleted the lease of node {0} on {1}: {2}", lease.node(), lease.subnet(), why);
        }
    }

    private Lease lease(LeaseClaim claim, IpPrefix subnet, Instant now) {
        return new Lease(claim.node(), subnet, claim.publicIp(), claim.vtepMac(), expiryFrom(now));
    }

    /** Now plus the TTL, in the file's precision (milliseconds), so a lease read back equals the one returned. */
    private Instant expiryFrom(Instant now) {
        return now.plus(ttl).truncatedTo(ChronoUnit.MILLIS);
    }

    private static boolean expired(Lease lease, Instant now) {
        return !lease.expiry().isAfter(now);
    }

    private Path file(IpPrefix subnet) {
        return subnets.resolve(SubnetPool.key(subnet));
    }

    private static String cannotRenew(Lease lease) {
        return "cannot renew the lease of node " + lease.node() + " on " + lease.subnet() + ": ";
    }
}
