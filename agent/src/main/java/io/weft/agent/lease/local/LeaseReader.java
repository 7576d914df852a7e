package io.weft.agent.lease.local;

import io.weft.agent.lease.Lease;
import io.weft.agent.lease.SubnetPool;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.sys.WholeFiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Reads the lease files, without the lock: every file is whole (renamed or linked into place), so a
 * reader sees each lease before or after a change, never during. A reader kept across scans (the store's)
 * re-reads only files whose inode, mtime or size changed, and hands out its last scan again while none
 * did, so polling a thousand leases costs a thousand {@code stat}s and little else; it warns about an
 * unreadable file once per version of it. One thread at a time.
 */
final class LeaseReader {
    private static final System.Logger LOG = System.getLogger(LeaseReader.class.getName());

    /**
     * @param leases every readable lease, expired ones included, lowest subnet first
     * @param unreadable subnets whose file is not a lease: held by no one we know, so given to no one
     */
    record Scan(Map<IpPrefix, Lease> leases, Set<IpPrefix> unreadable) {}

    private record Version(Object fileKey, FileTime modified, long size) {}

    /** The directory itself, as seen just before a full scan. */
    private record Directory(Object fileKey, FileTime modified) {}

    /** How much older than the scan that saw it a directory's mtime must be to be trusted (see {@link #scanIfDirectoryChanged}). */
    private static final Duration SETTLED = Duration.ofSeconds(1);

    /** A file's content as last read: the lease, or empty if it was unreadable. */
    private record Cached(Version version, Optional<Lease> lease) {}

    private final Path directory;
    private final SubnetPool pool;
    private final Map<IpPrefix, Cached> cache = new HashMap<>();
    private final Map<String, IpPrefix> subnetsByName = new HashMap<>(); // file names parsed once
    private final Set<String> strangers = new HashSet<>();
    private Scan last; // handed out again while no file changed: a watch polls five times a second
    private Directory settled; // the directory before the last full scan, if its mtime could be trusted

    LeaseReader(Path directory, SubnetPool pool) {
        this.directory = directory;
        this.pool = pool;
    }

    /**
     * The last scan again while the directory is as it was before the scan, else a full {@link #scan}.
     * Every lease write renames or links a file into the directory, which sets the directory's mtime,
     * so an unchanged directory means unchanged leases, found with one {@code stat} instead of one per
     * lease (a watch polls five times a second: with 1000 leases that was most of an idle agent's CPU).
     * The kernel sets mtimes from a clock that ticks every few milliseconds: a change within the tick of
     * the mtime a scan saw could leave it as it was, so an mtime is trusted only when it was
     * {@link #SETTLED} older than the scan that saw it. A file changed in place, which Weft never does,
     * leaves the directory as it was: {@link #scan} (the acquire's and the periodic list's) stats every file.
     */
    Scan scanIfDirectoryChanged() {
        Directory now = directory();
        if (last != null && now != null && now.equals(settled)) {
            return last;
        }
        Instant began = Instant.now(); // the file system's clock, not the store's (tests move that one)
        Scan scan = scan();
        settled = now != null && now.modified().toInstant().isBefore(began.minus(SETTLED)) ? now : null;
        return scan;
    }

    /** The directory's identity and mtime, or null if they cannot be read (then every poll scans). */
    private Directory directory() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(directory, BasicFileAttributes.class);
            return new Directory(attributes.fileKey(), attributes.lastModifiedTime());
        } catch (IOException e) {
            return null;
        }
    }

    Scan scan() {
        Map<IpPrefix, Cached> seen = new HashMap<>();
        boolean changed = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(WholeFiles.TEMP_PREFIX)) {
                    continue;
                }
                IpPrefix subnet = subnetNamed(name);
                if (subnet == null) {
                    if (strangers.add(name)) {
                        LOG.log(WARNING, "ignoring {0}: not named like a /{1} subnet of {2} (e.g. {3})", entry,
                                pool.network().subnetLength(), pool.network().network(), SubnetPool.key(pool.subnet(0)));
                    }
                    continue;
                }
                Optional<Cached> current = current(entry, subnet);
                if (current.isPresent()) {
                    seen.put(subnet, current.get());
                    changed |= current.get() != cache.get(subnet);
                }
            }
        } catch (IOException e) {
            throw WholeFiles.failure("list", directory, e);
        }
        if (!changed && last != null && seen.size() == cache.size()) {
            return last; // the same files, each unchanged
        }
        cache.keySet().retainAll(seen.keySet());
        cache.putAll(seen);
        subnetsByName.values().retainAll(seen.keySet());

        Map<IpPrefix, Lease> leases = new HashMap<>();
        Set<IpPrefix> unreadable = new HashSet<>();
        seen.forEach((subnet, cached) ->
                cached.lease().ifPresentOrElse(lease -> leases.put(subnet, lease), () -> unreadable.add(subnet)));
        last = new Scan(Collections.unmodifiableMap(sorted(leases)), Set.copyOf(unreadable));
        return last;
    }

    /** The pool's subnet that a file is named for, or null. */
    private IpPrefix subnetNamed(String name) {
        IpPrefix known = subnetsByName.get(name);
        if (known == null) {
            known = pool.subnetOfKey(name).orElse(null);
            if (known != null) {
                subnetsByName.put(name, known);
            }
        }
        return known;
    }

    /** One lease file as it is now; an {@link IllegalArgumentException} naming the file if it is not a lease. */
    static Optional<Lease> read(Path file, IpPrefix subnet) {
        return WholeFiles.read(file).map(content -> decode(file, subnet, content));
    }

    /** The file's current version, from the cache if unchanged; empty if it vanished meanwhile. */
    private Optional<Cached> current(Path file, IpPrefix subnet) {
        Version version;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            version = new Version(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw WholeFiles.failure("stat", file, e);
        }
        Cached cached = cache.get(subnet);
        if (cached != null && cached.version().equals(version)) {
            return Optional.of(cached);
        }
        Optional<byte[]> content = WholeFiles.read(file);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Cached(version, Optional.of(decode(file, subnet, content.get()))));
        } catch (IllegalArgumentException unreadable) {
            LOG.log(WARNING, "skipping " + unreadable.getMessage());
            return Optional.of(new Cached(version, Optional.empty()));
        }
    }

    private static Lease decode(Path file, IpPrefix subnet, byte[] content) {
        try {
            return LeaseFile.decode(subnet, content);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lease file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Lowest subnet first, each subnet's place in the pool worked out once. */
    private Map<IpPrefix, Lease> sorted(Map<IpPrefix, Lease> leases) {
        Map<Integer, IpPrefix> byIndex = new TreeMap<>();
        leases.keySet().forEach(subnet -> byIndex.put(pool.index(subnet), subnet));
        Map<IpPrefix, Lease> sorted = new LinkedHashMap<>();
        byIndex.values().forEach(subnet -> sorted.put(subnet, leases.get(subnet)));
        return sorted;
    }
}
