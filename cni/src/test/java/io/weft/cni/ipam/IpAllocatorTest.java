package io.weft.cni.ipam;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.sys.Kernel;
import io.weft.netlink.sys.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpAllocatorTest {
    @TempDir
    Path temp;

    private Path dir() {
        return temp.resolve("weft");
    }

    private IpAllocator allocator(String subnet) {
        return new IpAllocator(dir(), IpPrefix.parse(subnet));
    }

    private static Attachment pod(String id) {
        return new Attachment(id, "eth0");
    }

    private static InetAddress ip(String text) {
        return IpPrefix.parseAddress(text);
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    private void writeFile(String name, String content) throws IOException {
        Files.createDirectories(dir());
        Files.writeString(dir().resolve(name), content);
    }

    @Test
    void allocatesFromTheFirstHostAfterTheGateway() {
        IpAllocator allocator = allocator("10.42.1.1/24");

        assertThat(allocator.allocate(pod("a"))).isEqualTo(ip("10.42.1.2"));
        assertThat(allocator.allocate(pod("b"))).isEqualTo(ip("10.42.1.3"));
    }

    @Test
    void neverHandsOutNetworkGatewayOrBroadcast() {
        IpAllocator allocator = allocator("10.42.1.4/29");

        List<InetAddress> handedOut = IntStream.range(0, 5).mapToObj(i -> allocator.allocate(pod("c" + i))).toList();

        assertThat(handedOut).containsExactly(ip("10.42.1.1"), ip("10.42.1.2"), ip("10.42.1.3"), ip("10.42.1.5"), ip("10.42.1.6"));
        assertThatThrownBy(() -> allocator.allocate(pod("c5")))
                .isInstanceOf(AddressesExhaustedException.class)
                .hasMessage("no free address in 10.42.1.0/29 (10.42.1.1-10.42.1.6): 5 reserved");
    }

    @Test
    void exhaustedSubnetNamesRangeAndCount() throws IOException {
        for (int host = 2; host <= 254; host++) {
            writeFile("10.42.1." + host, "other" + host + "\r\neth0");
        }
        IpAllocator allocator = allocator("10.42.1.1/24");

        assertThatThrownBy(() -> allocator.allocate(pod("late")))
                .isInstanceOf(AddressesExhaustedException.class)
                .hasMessage("no free address in 10.42.1.0/24 (10.42.1.2-10.42.1.254): 253 reserved");
        assertThat(allocator.find(pod("late"))).isEmpty();
    }

    @Test
    void goesOnRoundRobinAfterReleaseAsHostLocalDoes() {
        IpAllocator allocator = allocator("10.42.1.1/24");
        for (int i = 2; i <= 5; i++) {
            allocator.allocate(pod("c" + i));
        }
        for (int i = 2; i <= 5; i++) {
            allocator.release(pod("c" + i));
        }

        assertThat(allocator.allocate(pod("next"))).isEqualTo(ip("10.42.1.6"));
    }

    @Test
    void wrapsAroundToTheFirstFreeAddressAfterTheLastHost() {
        IpAllocator allocator = allocator("10.42.1.1/29");
        IntStream.rangeClosed(2, 6).forEach(i -> allocator.allocate(pod("c" + i)));
        allocator.release(pod("c4"));

        assertThat(allocator.allocate(pod("wrapped"))).isEqualTo(ip("10.42.1.4"));
    }

    @Test
    void writesAndFollowsHostLocalsPointer() throws IOException {
        writeFile("last_reserved_ip.0", "10.42.1.100");
        IpAllocator allocator = allocator("10.42.1.1/24");

        assertThat(allocator.allocate(pod("a"))).isEqualTo(ip("10.42.1.101"));
        assertThat(Files.readString(dir().resolve("last_reserved_ip.0"))).isEqualTo("10.42.1.101");
    }

    @Test
    void ignoresPointerOutsideTheSubnet() throws IOException {
        writeFile("last_reserved_ip.0", "10.99.0.7");

        assertThat(allocator("10.42.1.1/24").allocate(pod("a"))).isEqualTo(ip("10.42.1.2"));
    }

    @Test
    void allocateIsIdempotentForAnAttachment() {
        IpAllocator allocator = allocator("10.42.1.1/24");
        InetAddress first = allocator.allocate(pod("a"));

        assertThat(allocator.allocate(pod("a"))).isEqualTo(first);
        assertThat(allocator.allocate(new Attachment("a", "eth1"))).isNotEqualTo(first);
        assertThat(allocator.list()).hasSize(2);
    }

    @Test
    void writesHostLocalsFileFormatInADirectoryItCreates() throws IOException {
        allocator("10.42.1.1/24").allocate(new Attachment("c1", "eth0"));

        assertThat(Files.readString(dir().resolve("10.42.1.2"))).isEqualTo("c1\r\neth0");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir()))).isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir().resolve("10.42.1.2")))).isEqualTo("rw-------");
        assertThat(fileNames()).containsExactly("10.42.1.2", "last_reserved_ip.0", "lock");
    }

    @Test
    void findsAndReleasesAnAttachmentsAddress() {
        IpAllocator allocator = allocator("10.42.1.1/24");
        assertThat(allocator.find(pod("a"))).isEmpty();
        InetAddress address = allocator.allocate(pod("a"));
        allocator.allocate(pod("b"));

        assertThat(allocator.find(pod("a"))).contains(address);
        assertThat(allocator.find(new Attachment("a", "eth1"))).isEmpty();
        assertThat(allocator.release(pod("a"))).isTrue();
        assertThat(allocator.find(pod("a"))).isEmpty();
        assertThat(allocator.release(pod("a"))).isFalse();
        assertThat(allocator.list()).extracting(Reservation::attachment).containsExactly(pod("b"));
    }

    @Test
    void listsReservationsInAddressOrder() throws IOException {
        writeFile("10.42.1.20", "x\r\neth0");
        writeFile("10.42.1.3", "y\r\nnet1");
        writeFile("10.42.1.100", "z\r\neth0");

        assertThat(allocator("10.42.1.1/24").list()).containsExactly(
                new Reservation(ip("10.42.1.3"), new Attachment("y", "net1")),
                new Reservation(ip("10.42.1.20"), pod("x")),
                new Reservation(ip("10.42.1.100"), pod("z")));
    }

    @Test
    void retainOnlyReleasesEveryReservationNotValid() {
        IpAllocator allocator = allocator("10.42.1.1/24");
        InetAddress a = allocator.allocate(pod("a"));
        InetAddress b = allocator.allocate(pod("b"));
        InetAddress c = allocator.allocate(pod("c"));

        List<Reservation> released = allocator.retainOnly(Set.of(pod("a"), pod("c"), pod("gone")));

        assertThat(released).containsExactly(new Reservation(b, pod("b")));
        assertThat(allocator.list()).containsExactly(new Reservation(a, pod("a")), new Reservation(c, pod("c")));
    }

    @Test
    void readsLegacyFilesAsReservedForTheWholeContainer() throws IOException {
        writeFile("10.42.1.9", "legacy\n");
        IpAllocator allocator = allocator("10.42.1.1/24");

        assertThat(allocator.list()).containsExactly(new Reservation(ip("10.42.1.9"), pod("legacy")));
        assertThat(allocator.find(new Attachment("legacy", "net1"))).contains(ip("10.42.1.9"));
        assertThat(allocator.allocate(pod("legacy"))).isEqualTo(ip("10.42.1.9"));
        assertThat(allocator.retainOnly(Set.of(new Attachment("legacy", "net1")))).isEmpty();
        assertThat(allocator.release(pod("legacy"))).isTrue();
        assertThat(allocator.list()).isEmpty();
    }

    @Test
    void neverReadsLockPointerTempOrOtherFilesAsReservations() throws IOException {
        writeFile("lock", "");
        writeFile("last_reserved_ip.0", "10.42.1.2");
        writeFile("notes", "a\r\neth0");
        writeFile("010.42.1.5", "a\r\neth0");
        writeFile("10.42.1.5.bak", "a\r\neth0");
        IpAllocator allocator = allocator("10.42.1.1/24");

        assertThat(allocator.list()).isEmpty();
        assertThat(allocator.retainOnly(Set.of())).isEmpty();
        assertThat(fileNames()).containsExactly("010.42.1.5", "10.42.1.5.bak", "last_reserved_ip.0", "lock", "notes");
    }

    @Test
    void nextOperationDeletesTempFilesACrashLeft() throws IOException {
        writeFile(".weft-partial.tmp", "half\r\n");
        writeFile("10.42.1.7", "kept\r\neth0");
        Files.createLink(dir().resolve(".weft-linked.tmp"), dir().resolve("10.42.1.7"));

        List<Reservation> reservations = allocator("10.42.1.1/24").list();

        assertThat(reservations).containsExactly(new Reservation(ip("10.42.1.7"), pod("kept")));
        assertThat(fileNames()).containsExactly("10.42.1.7", "lock");
        assertThat(Files.readString(dir().resolve("10.42.1.7"))).isEqualTo("kept\r\neth0");
    }

    @Test
    void skipsAndCollectsEmptyReservationFilesHostLocalLeftAfterACrash() throws IOException {
        writeFile("10.42.1.2", "");
        IpAllocator allocator = allocator("10.42.1.1/24");

        assertThat(allocator.allocate(pod("a"))).isEqualTo(ip("10.42.1.3"));
        assertThat(allocator.list()).extracting(Reservation::attachment).containsExactly(pod("a"));
        assertThat(allocator.retainOnly(Set.of(pod("a")))).isEmpty();
        assertThat(fileNames()).doesNotContain("10.42.1.2").contains("10.42.1.3");
    }

    @Test
    void refusesSubnetsItCannotAllocateFrom() {
        assertThatThrownBy(() -> allocator("fd00::1/64"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subnet fd00::1/64 is IPv6: the allocator hands out IPv4 addresses only for now");
        assertThatThrownBy(() -> allocator("10.42.1.1/31"))
                .hasMessage("subnet 10.42.1.1/31 is too small to allocate from: it needs a prefix of /30 or shorter");
        assertThatThrownBy(() -> allocator("10.42.1.0/24"))
                .hasMessage("subnet 10.42.1.0/24 must be written as gateway/prefix, e.g. 10.42.1.1/24: its address is not a host address");
    }

    @Test
    void refusesAttachmentsThatCannotBeWrittenAsAReservation() {
        assertThatThrownBy(() -> new Attachment("", "eth0")).hasMessage("container id is empty");
        assertThatThrownBy(() -> new Attachment("-x", "eth0"))
                .hasMessage("container id \"-x\" is not letters, digits, '_', '.' and '-' starting with a letter or digit");
        assertThatThrownBy(() -> new Attachment("a/b", "eth0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Attachment("a", "")).hasMessage("interface name of container a is empty");
        assertThatThrownBy(() -> new Attachment("a", "eth\r\n0"))
                .hasMessage("interface name \"eth\r\n0\" of container a contains whitespace or control characters");
    }

    @Test
    void concurrentAllocatorsInstancesGetDistinctAddresses() throws Exception {
        int threads = 32;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<InetAddress>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                IpAllocator own = allocator("10.42.1.1/24");
                Attachment attachment = pod("p" + i);
                results.add(pool.submit(() -> {
                    start.await();
                    return own.allocate(attachment);
                }));
            }
            start.countDown();
            List<InetAddress> addresses = new ArrayList<>();
            for (Future<InetAddress> result : results) {
                addresses.add(result.get(20, TimeUnit.SECONDS));
            }

            assertThat(addresses).doesNotHaveDuplicates().hasSize(threads);
            assertThat(allocator("10.42.1.1/24").list()).hasSize(threads);
        }
    }

    @Test
    void oneInstanceSharedByThreadsHandsOutDistinctAddresses() throws Exception {
        IpAllocator shared = allocator("10.42.1.1/24");
        List<Future<InetAddress>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 16; i++) {
                Attachment attachment = pod("s" + i);
                results.add(pool.submit(() -> shared.allocate(attachment)));
            }
            List<InetAddress> addresses = new ArrayList<>();
            for (Future<InetAddress> result : results) {
                addresses.add(result.get(20, TimeUnit.SECONDS));
            }

            assertThat(addresses).doesNotHaveDuplicates().hasSize(16);
        }
    }

    @Test
    void waitsForAnotherFlockHolderAsHostLocalTakesIt() throws Exception {
        Files.createDirectories(dir());
        String lock = dir().resolve("lock").toString();
        int fd = Syscalls.open(lock, Kernel.O_RDONLY | Kernel.O_CREAT | Kernel.O_CLOEXEC, 0600);
        try (ExecutorService other = Executors.newSingleThreadExecutor()) {
            try {
                Syscalls.flock(fd, Kernel.LOCK_EX, lock);
                CompletableFuture<InetAddress> allocation =
                        CompletableFuture.supplyAsync(() -> allocator("10.42.1.1/24").allocate(pod("a")), other);

                assertThat(allocation).failsWithin(300, TimeUnit.MILLISECONDS).withThrowableOfType(TimeoutException.class);
                assertThat(fileNames()).doesNotContain("10.42.1.2");
                Syscalls.flock(fd, Kernel.LOCK_UN, lock);
                assertThat(allocation.get(10, TimeUnit.SECONDS)).isEqualTo(ip("10.42.1.2"));
            } finally {
                Syscalls.close(fd);
            }
        }
    }

    @Test
    void reserveTellsWhetherTheReservationIsNew() {
        IpAllocator allocator = allocator("10.42.1.1/24");
        Attachment pod = new Attachment("c1", "eth0");

        IpAllocator.Allocation first = allocator.reserve(pod);
        IpAllocator.Allocation again = allocator.reserve(pod);

        assertThat(first.fresh()).isTrue();
        assertThat(again.fresh()).isFalse();
        assertThat(again.address()).isEqualTo(first.address());
    }
}
