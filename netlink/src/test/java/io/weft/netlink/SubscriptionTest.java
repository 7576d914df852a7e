package io.weft.netlink;

import io.weft.netlink.NetlinkEvent.LinkChanged;
import io.weft.netlink.NetlinkEvent.LinkDeleted;
import io.weft.netlink.NetlinkEvent.ObjectChanged;
import io.weft.netlink.NetlinkEvent.Overrun;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.weft.netlink.sys.Kernel.AF_BRIDGE;
import static io.weft.netlink.sys.Kernel.AF_INET;
import static io.weft.netlink.sys.Kernel.AF_INET6;
import static io.weft.netlink.sys.Kernel.RTM_DELLINK;
import static io.weft.netlink.sys.Kernel.RTM_DELROUTE;
import static io.weft.netlink.sys.Kernel.RTM_NEWADDR;
import static io.weft.netlink.sys.Kernel.RTM_NEWNEIGH;
import static io.weft.netlink.sys.Kernel.RTM_NEWROUTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubscriptionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Sandbox sandbox = new Sandbox();
    private final BlockingQueue<NetlinkEvent> events = new LinkedBlockingQueue<>();
    private NetNamespace node;
    private Netlink subscriber;
    private Netlink changer;

    @BeforeEach
    void openNamespace() {
        node = sandbox.namespace();
        subscriber = Netlink.open(node);
        changer = Netlink.open(node);
    }

    @AfterEach
    void cleanUp() {
        changer.close();
        subscriber.close();
        sandbox.close();
    }

    /** Takes events until one matches; returns the events seen before it. Fails after {@link #TIMEOUT}. */
    private List<NetlinkEvent> awaitEvent(String what, Predicate<NetlinkEvent> matches) throws InterruptedException {
        List<NetlinkEvent> before = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            NetlinkEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new AssertionError("no " + what + " within " + TIMEOUT + "; saw " + before);
            }
            if (matches.test(event)) {
                return before;
            }
            before.add(event);
        }
    }

    private static Predicate<NetlinkEvent> linkChanged(String name) {
        return e -> e instanceof LinkChanged(Link link) && link.name().equals(name);
    }

    private static Predicate<NetlinkEvent> objectChanged(int type, int family, int linkIndex) {
        return e -> e.equals(new ObjectChanged(type, family, linkIndex));
    }

    @Test
    void reportsLinkCreatedAndDeletedByAnotherHandle() throws Exception {
        try (Subscription subscription = subscriber.subscribe(Set.of(Group.LINK), events::add)) {
            Link created = changer.links().add(LinkSpec.bridge("br-sub0"));
            awaitEvent("RTM_NEWLINK for br-sub0", e -> e instanceof LinkChanged(Link link)
                    && link.name().equals("br-sub0") && link.index() == created.index() && link.kind().typeName().equals("bridge"));

            changer.links().delete("br-sub0");
            awaitEvent("RTM_DELLINK for br-sub0", e -> e instanceof LinkDeleted(Link link)
                    && link.name().equals("br-sub0") && link.index() == created.index());
            assertThat(subscription.isRunning()).isTrue();
        }
    }

    @Test
    void reportsOnlyChangesInsideItsOwnNamespace() throws Exception {
        NetNamespace elsewhere = sandbox.namespace();
        try (Netlink other = Netlink.open(elsewhere);
             Subscription _ = subscriber.subscribe(Set.of(Group.LINK), events::add)) {
            other.links().add(LinkSpec.bridge("br-other"));
            changer.links().add(LinkSpec.bridge("br-here"));

            List<NetlinkEvent> before = awaitEvent("RTM_NEWLINK for br-here", linkChanged("br-here"));

            assertThat(before).noneMatch(linkChanged("br-other"));
        }
    }

    @Test
    void reportsRouteAddedAndDeletedWithIpAsObjectChangedOfItsOutputLink() throws Exception {
        try (Subscription _ = subscriber.subscribe(Set.of(Group.IPV4_ROUTE), events::add)) {
            Link bridge = changer.links().add(LinkSpec.bridge("br-rt"));
            changer.links().setUp("br-rt");

            Sandbox.ip(node, "route", "add", "198.51.100.0/24", "dev", "br-rt");
            // the link changes came first, yet a subscriber to routes only never hears of them
            NetlinkEvent first = events.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(first).isEqualTo(new ObjectChanged(RTM_NEWROUTE, AF_INET, bridge.index()));
            assertThat(((ObjectChanged) first).typeName()).isEqualTo("RTM_NEWROUTE");

            Sandbox.ip(node, "route", "del", "198.51.100.0/24", "dev", "br-rt");
            awaitEvent("RTM_DELROUTE", objectChanged(RTM_DELROUTE, AF_INET, bridge.index()));
        }
    }

    @Test
    void reportsAddressAddedWithIpAsObjectChanged() throws Exception {
        try (Subscription _ = subscriber.subscribe(Set.of(Group.IPV4_IFADDR, Group.IPV6_IFADDR), events::add)) {
            Link bridge = changer.links().add(LinkSpec.bridge("br-addr"));

            Sandbox.ip(node, "addr", "add", "192.0.2.1/24", "dev", "br-addr");
            awaitEvent("RTM_NEWADDR AF_INET", objectChanged(RTM_NEWADDR, AF_INET, bridge.index()));
            Sandbox.ip(node, "-6", "addr", "add", "2001:db8::1/64", "dev", "br-addr", "nodad");
            awaitEvent("RTM_NEWADDR AF_INET6", objectChanged(RTM_NEWADDR, AF_INET6, bridge.index()));
        }
    }

    @Test
    void reportsNeighbourAddedWithIpAsObjectChanged() throws Exception {
        try (Subscription _ = subscriber.subscribe(Set.of(Group.NEIGH), events::add)) {
            Link bridge = changer.links().add(LinkSpec.bridge("br-nb"));

            Sandbox.ip(node, "neigh", "add", "192.0.2.2", "lladdr", "0e:00:00:00:00:02", "dev", "br-nb", "nud", "permanent");

            awaitEvent("RTM_NEWNEIGH", objectChanged(RTM_NEWNEIGH, AF_INET, bridge.index()));
        }
    }

    @Test
    void reportsPortLeavingItsBridgeWithoutClaimingTheLinkIsDeleted() throws Exception {
        Link bridge = changer.links().add(LinkSpec.bridge("br-port"));
        Link port = changer.links().add(LinkSpec.veth("port0", "port1", null));
        changer.links().setMaster("port0", bridge.index());
        try (Subscription _ = subscriber.subscribe(Set.of(Group.LINK), events::add)) {
            changer.links().setNoMaster("port0");
            changer.links().delete("br-port");

            List<NetlinkEvent> before = awaitEvent("RTM_DELLINK for br-port",
                    e -> e instanceof LinkDeleted(Link link) && link.name().equals("br-port"));

            assertThat(before).contains(new ObjectChanged(RTM_DELLINK, AF_BRIDGE, port.index()));
            assertThat(before).noneMatch(e -> e instanceof LinkDeleted(Link link) && link.name().equals("port0"));
        }
    }

    @Test
    void reportsOverrunWhenTheListenerFallsBehind() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        changer.links().add(LinkSpec.bridge("br-busy"));
        try (Subscription _ = subscriber.subscribe(Set.of(Group.LINK), event -> {
            awaitUninterruptibly(release);
            events.add(event);
        })) {
            for (int batch = 0; batch < 200 && droppedNotifications() == 0; batch++) {
                for (int i = 0; i < 200; i++) {
                    changer.links().setMtu("br-busy", 1000 + i);
                }
            }
            assertThat(droppedNotifications()).as("notifications the kernel dropped").isPositive();

            release.countDown();

            awaitEvent("Overrun", e -> e instanceof Overrun);
        }
    }

    /** The Drops count of the namespace's subscribed rtnetlink sockets, from /proc/net/netlink. */
    private long droppedNotifications() {
        return node.call(() -> Files.readAllLines(Path.of("/proc/thread-self/net/netlink")).stream().skip(1)
                .map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns[1].equals("0") && !columns[3].equals("00000000"))
                .mapToLong(columns -> Long.parseLong(columns[8]))
                .sum());
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void closeStopsTheReaderThreadPromptly() {
        Subscription subscription = subscriber.subscribe(Set.of(Group.LINK), events::add);
        String threadName = "netlink-events-" + node.name();
        assertThat(liveThreadNames()).contains(threadName);

        long start = System.nanoTime();
        subscription.close();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(subscription.isRunning()).isFalse();
        assertThat(liveThreadNames()).doesNotContain(threadName);
    }

    private static List<String> liveThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).toList();
    }

    @Test
    void stopsWhenTheListenerThrowsAndRethrowsItOnClose() throws Exception {
        RuntimeException boom = new IllegalStateException("listener failed");
        CountDownLatch called = new CountDownLatch(1);
        Subscription subscription = subscriber.subscribe(Set.of(Group.LINK), event -> {
            called.countDown();
            throw boom;
        });
        changer.links().add(LinkSpec.bridge("br-boom"));
        assertThat(called.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(subscription::close).isSameAs(boom);
        assertThat(subscription.isRunning()).isFalse();
    }

    @Test
    void refusesToSubscribeToNothing() {
        assertThatThrownBy(() -> subscriber.subscribe(Set.of(), events::add)).isInstanceOf(IllegalArgumentException.class);
    }
}
