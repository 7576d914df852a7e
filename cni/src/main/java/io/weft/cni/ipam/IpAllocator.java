package io.weft.cni.ipam;

import io.weft.netlink.IpPrefix;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Hands out the IPv4 addresses of a node's pod subnet to pod interfaces, persistently and safely across
 * processes and crashes. The directory layout is host-local's, so either can read what the other wrote:
 * <ul>
 *   <li>one file per reserved address, named by the address ({@code 10.42.1.7}), holding
 *       {@code <containerId>\r\n<ifName>}; a legacy file holding only the container id is read as reserved for
 *       every interface of that container, and listed as {@code eth0};</li>
 *   <li>{@code last_reserved_ip.0}, the last address handed out: allocation goes on round-robin after it, so an
 *       address just released is not handed to the next pod at once;</li>
 *   <li>{@code lock}: every operation holds an exclusive {@code flock(2)} on it from start to end, which
 *       excludes the agent, in-process plugins and host-local alike.</li>
 * </ul>
 * What host-local gets wrong and this does not: host-local creates a reservation file empty and then writes
 * it, so a crash leaves an empty or partial file that holds its address forever. Here each file is written and
 * fsynced under a temp name first and then hard-linked to the address (an exclusive create that brings its
 * whole content), the pointer (a hint) is replaced by rename without fsync, and the directory is fsynced
 * before an operation returns.
 * A crash at any instant therefore leaves at worst a complete reservation for a pod that never got it (the
 * runtime's DEL, a retried ADD, or GC through {@link #retainOnly} deals with it) and temp files, which the next
 * operation deletes. Files that are not named by an address are never read as reservations.
 * <p>
 * Thread-safe; instances are cheap and several may share a directory. Every method blocks the calling OS
 * thread while another process or thread holds the lock, so call it from platform threads, not virtual ones
 * (a blocked flock pins a virtual thread's carrier). Failures to read or write the directory surface as
 * {@link java.io.UncheckedIOException} naming the file.
 */
public final class IpAllocator {
    private final Path directory;
    private final Ipv4Subnet subnet;

    /**
     * @param networkDir the network's directory, e.g. {@code /var/lib/weft/ipam/weft}; created (0755) on first use
     * @param subnet the node's pod subnet written as gateway/prefix, e.g. {@code 10.42.1.1/24}: the gateway is
     *               never handed out, nor are the network and broadcast addresses
     */
    public IpAllocator(Path networkDir, IpPrefix subnet) {
        this.directory = networkDir;
        this.subnet = Ipv4Subnet.of(subnet);
    }

    /**
     * An allocator that only finds, lists and releases: for DEL and GC when the node's subnet is not
     * known (its subnet file is gone after a reboot, before the agent is back). {@link #allocate} refuses.
     */
    public IpAllocator(Path networkDir) {
        this.directory = networkDir;
        this.subnet = null;
    }

    /** An address reserved for an attachment, and whether this call made the reservation. */
    public record Allocation(InetAddress address, boolean fresh) {}

    /**
     * The address of {@code attachment}: the one it already holds in the subnet (a runtime retrying ADD after a
     * crash gets the same address), else the next free one after the last handed out.
     *
     * @throws AddressesExhaustedException when every address of the subnet is reserved
     */
    public InetAddress allocate(Attachment attachment) {
        return reserve(attachment).address();
    }

    /**
     * As {@link #allocate}, in the same locked round telling whether the reservation is new: only a new one
     * is the caller's to undo when its ADD fails.
     */
    public Allocation reserve(Attachment attachment) {
        if (subnet == null) {
            throw new IllegalStateException(this + " knows no subnet: it can release but not allocate");
        }
        try (LockedDirectory locked = LockedDirectory.lock(directory)) {
            List<ReservationFile> files = locked.reservations();
            Optional<ReservationFile> held = files.stream()
                    .filter(file -> file.heldBy(attachment) && subnet.assignable(file.address()))
                    .findFirst();
            if (held.isPresent()) {
                return new Allocation(Ipv4Subnet.toAddress(held.get().address()), false);
            }
            Set<Long> taken = files.stream().map(ReservationFile::address).collect(Collectors.toCollection(HashSet::new));
            // Without a pointer (or with one outside the subnet) the walk starts at the first host, as host-local's.
            long candidate = locked.pointer().filter(subnet::assignable).orElse(subnet.lastHost());
            for (long step = 0; step < subnet.hostCount(); step++) {
                candidate = subnet.nextHost(candidate);
                if (!subnet.assignable(candidate) || taken.contains(candidate)) {
                    continue;
                }
                if (locked.create(candidate, attachment)) {
                    locked.writePointer(candidate);
                    return new Allocation(Ipv4Subnet.toAddress(candidate), true);
                }
                taken.add(candidate);
            }
            long reserved = taken.stream().filter(subnet::assignable).count();
            throw new AddressesExhaustedException("no free address in " + subnet + " (" + subnet.assignableRange()
                    + "): " + reserved + " reserved");
        }
    }

    /** The address {@code attachment} holds, if any (CHECK). */
    public Optional<InetAddress> find(Attachment attachment) {
        try (LockedDirectory locked = LockedDirectory.lock(directory)) {
            return locked.reservations().stream()
                    .filter(file -> file.heldBy(attachment))
                    .findFirst()
                    .map(file -> Ipv4Subnet.toAddress(file.address()));
        }
    }

    /** Releases every address {@code attachment} holds (DEL); true if there was one. Releasing nothing is fine. */
    public boolean release(Attachment attachment) {
        try (LockedDirectory locked = LockedDirectory.lock(directory)) {
            boolean released = false;
            for (ReservationFile file : locked.reservations()) {
                if (file.heldBy(attachment)) {
                    released |= locked.delete(file);
                }
            }
            return released;
        }
    }

    /** Every reservation in the directory, lowest address first (files that name no attachment are left out). */
    public List<Reservation> list() {
        try (LockedDirectory locked = LockedDirectory.lock(directory)) {
            return locked.reservations().stream().flatMap(file -> file.reservation().stream()).toList();
        }
    }

    /**
     * Garbage collection (CNI GC): releases every reservation whose attachment is not in {@code valid} and
     * returns them. Also deletes files that name no attachment at all (host-local's remains of a crash); those
     * are not in the returned list, as they name nobody.
     */
    public List<Reservation> retainOnly(Set<Attachment> valid) {
        try (LockedDirectory locked = LockedDirectory.lock(directory)) {
            List<Reservation> released = new ArrayList<>();
            for (ReservationFile file : locked.reservations()) {
                if (!file.keptBy(valid) && locked.delete(file)) {
                    file.reservation().ifPresent(released::add);
                }
            }
            return released;
        }
    }

    @Override
    public String toString() {
        return "IpAllocator[" + (subnet == null ? "no subnet" : subnet) + " in " + directory + "]";
    }
}
