package io.weft.netlink.ns;

import io.weft.netlink.Netlink;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetNamespaceTest {
    private static final Path THREAD_NETNS = Path.of("/proc/thread-self/ns/net");

    private final Sandbox sandbox = new Sandbox();

    @AfterEach
    void cleanUp() {
        sandbox.close();
    }

    /** {@code net:[inode]} of the namespace the calling thread is in. */
    private static String currentNamespaceId() {
        try {
            return Files.readSymbolicLink(THREAD_NETNS).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code net:[inode]} of a named namespace, read from its bind mount rather than by entering it. */
    private static String mountedNamespaceId(String name) throws IOException {
        return "net:[" + Files.getAttribute(NetNamespace.NAMED_DIR.resolve(name), "unix:ino") + "]";
    }

    private static List<String> iproute2NamespaceNames() throws IOException {
        String json = Sandbox.run(List.of("ip", "-j", "netns", "list"));
        return json.isBlank() ? List.of() : JsonMapper.builderWithJackson2Defaults().build().readTree(json).findValuesAsString("name");
    }

    @Test
    void createsNamedNamespaceThatIproute2Sees() throws IOException {
        NetNamespace namespace = sandbox.namespace();

        assertThat(iproute2NamespaceNames()).contains(namespace.name());
        assertThat(NetNamespace.NAMED_DIR.resolve(namespace.name())).exists();
        assertThat(NetNamespace.exists(namespace.name())).isTrue();
        assertThat(NetNamespace.listNamed()).contains(namespace.name());
        assertThat(ipJson(namespace, "link", "show").findValuesAsString("ifname")).containsExactly("lo");
    }

    @Test
    void opensTheSameNamespaceByNameByPathAndByPid() throws Exception {
        NetNamespace namespace = sandbox.namespace();
        NetNamespace unrelated = sandbox.namespace();
        String id = mountedNamespaceId(namespace.name());
        assertThat(unrelated.call(NetNamespaceTest::currentNamespaceId)).isNotEqualTo(id);

        try (NetNamespace byName = NetNamespace.open(namespace.name());
             NetNamespace byPath = NetNamespace.openPath(NetNamespace.NAMED_DIR.resolve(namespace.name()))) {
            assertThat(namespace.call(NetNamespaceTest::currentNamespaceId)).isEqualTo(id);
            assertThat(byName.call(NetNamespaceTest::currentNamespaceId)).isEqualTo(id);
            assertThat(byPath.call(NetNamespaceTest::currentNamespaceId)).isEqualTo(id);
        }

        Process sleeper = new ProcessBuilder("ip", "netns", "exec", namespace.name(), "sh", "-c", "echo entered; exec sleep 30")
                .redirectErrorStream(true).start();
        try {
            // ip execs sh, sh execs sleep: one pid, inside the namespace once it has said so
            String said = new BufferedReader(new InputStreamReader(sleeper.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(said).isEqualTo("entered");
            try (NetNamespace byPid = NetNamespace.ofPid(sleeper.pid())) {
                assertThat(byPid.call(NetNamespaceTest::currentNamespaceId)).isEqualTo(id);
                assertThat(byPid.path()).isEqualTo(Path.of("/proc/" + sleeper.pid() + "/ns/net"));
            }
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor();
        }
    }

    @Test
    void callRunsOnAFreshPlatformThreadInsideTheNamespaceAndLeavesTheCallerWhereItWas() throws Exception {
        NetNamespace namespace = sandbox.namespace();
        String id = mountedNamespaceId(namespace.name());
        String callerBefore = currentNamespaceId();
        Thread caller = Thread.currentThread();

        record Inside(String namespaceId, boolean virtual, Thread thread) {}
        Inside inside = namespace.call(() -> new Inside(currentNamespaceId(), Thread.currentThread().isVirtual(), Thread.currentThread()));

        assertThat(inside.namespaceId()).isEqualTo(id).isNotEqualTo(callerBefore);
        assertThat(inside.virtual()).isFalse();
        assertThat(inside.thread()).isNotSameAs(caller);
        assertThat(inside.thread().isAlive()).isFalse();
        assertThat(currentNamespaceId()).isEqualTo(callerBefore);
    }

    @Test
    void callFromAVirtualThreadLeavesItsCarrierOutside() throws Exception {
        NetNamespace namespace = sandbox.namespace();
        String id = mountedNamespaceId(namespace.name());
        String outside = currentNamespaceId();

        try (ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<String> seen = virtualThreads.submit(() -> List.of(
                    namespace.call(NetNamespaceTest::currentNamespaceId), currentNamespaceId())).get();

            assertThat(seen).containsExactly(id, outside);
        }
    }

    @Test
    void handleOpenedForANamespaceKeepsWorkingThereFromOtherThreads() throws Exception {
        NetNamespace namespace = sandbox.namespace();
        try (Netlink netlink = Netlink.open(namespace);
             ExecutorService platformThreads = Executors.newFixedThreadPool(2);
             ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture.runAsync(() -> netlink.links().add(LinkSpec.bridge("br-platform")), platformThreads).get();
            CompletableFuture.runAsync(() -> netlink.links().add(LinkSpec.bridge("br-virtual")), virtualThreads).get();

            List<Link> listed = CompletableFuture.supplyAsync(() -> netlink.links().list(), platformThreads).get();

            assertThat(ipJson(namespace, "link", "show").findValuesAsString("ifname"))
                    .containsExactlyInAnyOrder("lo", "br-platform", "br-virtual");
            assertThat(listed).extracting(Link::name).containsExactlyInAnyOrder("lo", "br-platform", "br-virtual");
        }
    }

    @Test
    void deleteRemovesTheNamespaceFromRunNetnsAndIproute2() throws IOException {
        NetNamespace namespace = sandbox.namespace();
        String name = namespace.name();
        namespace.close();

        assertThat(NetNamespace.delete(name)).isTrue();

        assertThat(NetNamespace.exists(name)).isFalse();
        assertThat(NetNamespace.NAMED_DIR.resolve(name)).doesNotExist();
        assertThat(iproute2NamespaceNames()).doesNotContain(name);
        assertThatThrownBy(() -> NetNamespace.open(name))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOENT"));
        assertThat(NetNamespace.delete(name)).isFalse();
    }

    @Test
    void refusesToCreateAnExistingNameAndLeavesTheExistingOneAlone() throws IOException {
        NetNamespace namespace = sandbox.namespace();
        String name = namespace.name();
        Sandbox.ip(namespace, "link", "add", "br-keep", "type", "bridge");
        String id = mountedNamespaceId(name);

        assertThatThrownBy(() -> NetNamespace.create(name))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("EEXIST"))
                .hasMessage("open(/run/netns/" + name + "): EEXIST (File exists)");

        assertThat(mountedNamespaceId(name)).isEqualTo(id);
        assertThat(namespace.call(NetNamespaceTest::currentNamespaceId)).isEqualTo(id);
        assertThat(ipJson(namespace, "link", "show").findValuesAsString("ifname")).containsExactlyInAnyOrder("lo", "br-keep");
    }

    @Test
    void refusesBadNamesBeforeTouchingRunNetns() {
        List<String> before = NetNamespace.listNamed();
        for (String bad : new String[] {"", ".", "..", "a/b", "../etc", "a\0b", "x".repeat(256)}) {
            assertThatThrownBy(() -> NetNamespace.create(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid network namespace name");
            assertThatThrownBy(() -> NetNamespace.open(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> NetNamespace.delete(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> NetNamespace.create(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(NetNamespace.listNamed()).isEqualTo(before);
    }

    @Test
    void setsSysctlInsideTheNamespaceOnly() {
        NetNamespace namespace = sandbox.namespace();
        String root = readRootSysctl("net/ipv4/ip_forward");
        String flipped = root.equals("1") ? "0" : "1";

        namespace.sysctl().set("net.ipv4.ip_forward", flipped);

        assertThat(namespace.sysctl().get("net.ipv4.ip_forward")).isEqualTo(flipped);
        assertThat(inside(namespace, "cat", "/proc/sys/net/ipv4/ip_forward")).isEqualTo(flipped);
        assertThat(readRootSysctl("net/ipv4/ip_forward")).isEqualTo(root);
    }

    @Test
    void addressesInterfacesWithDotsInTheirNameBySlashKeys() {
        NetNamespace namespace = sandbox.namespace();
        Sandbox.ip(namespace, "link", "add", "weft.1", "type", "bridge");

        namespace.sysctl().set("net/ipv4/conf/weft.1/forwarding", "1");
        namespace.sysctl().set("net/ipv4/conf/lo/forwarding", "1");

        assertThat(inside(namespace, "cat", "/proc/sys/net/ipv4/conf/weft.1/forwarding")).isEqualTo("1");
        assertThat(namespace.sysctl().get("net/ipv4/conf/weft.1/forwarding")).isEqualTo("1");
        assertThat(namespace.sysctl().get("net.ipv4.conf.lo.forwarding")).isEqualTo("1");
    }

    @Test
    void refusesSysctlKeysThatLeaveProcSysOrDoNotExist() {
        NetNamespace namespace = sandbox.namespace();
        for (String bad : new String[] {"", "..", "net/../../etc/passwd", "/net/ipv4/ip_forward", "net..ipv4", "net/ipv4/"}) {
            assertThatThrownBy(() -> namespace.sysctl().get(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid sysctl key");
        }
        assertThatThrownBy(() -> namespace.sysctl().set("net.ipv4.no_such_setting", "1"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("net.ipv4.no_such_setting")
                .hasCauseInstanceOf(NoSuchFileException.class);
        assertThat(Path.of("/proc/sys/net/ipv4/no_such_setting")).doesNotExist();
    }

    private static String readRootSysctl(String key) {
        try {
            return Files.readString(Path.of("/proc/sys", key)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command inside the namespace with {@code ip netns exec}, the independent observer. */
    private static String inside(NetNamespace namespace, String... command) {
        List<String> full = new java.util.ArrayList<>(List.of("ip", "netns", "exec", namespace.name()));
        full.addAll(List.of(command));
        return Sandbox.run(full).strip();
    }
}
