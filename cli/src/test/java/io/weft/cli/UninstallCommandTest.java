package io.weft.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code weft uninstall} with the kernel part replaced by a recording double (the real one is UninstallerTest's). */
class UninstallCommandTest {
    @TempDir
    Path dir;
    private Path bin;
    private Path conf;
    private final List<Path> cleanedRunDirs = new ArrayList<>();
    private final List<Boolean> bridgeAsked = new ArrayList<>();

    @BeforeEach
    void installed() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(bin.resolve("weft"), "forwarder");
        Files.writeString(bin.resolve("weft-java"), "launcher");
        Files.createSymbolicLink(bin.resolve("loopback"), Path.of("weft"));
        Files.writeString(bin.resolve("portmap"), "someone else's");
        Files.writeString(conf.resolve("10-weft.conflist"), "{}");
        Files.writeString(conf.resolve("20-other.conflist"), "{}");
    }

    private WeftRun uninstall(UninstallCommand.NodeCleanup cleanup, String... options) {
        List<String> args = Stream.concat(Stream.of("--run-dir", dir.resolve("run").toString(), "--cni-bin-dir", bin.toString(),
                "--cni-conf-dir", conf.toString(), "--state-dir", dir.resolve("state").toString(),
                "--runtime-dir", dir.resolve("opt-weft").toString()), Stream.of(options)).toList();
        return WeftRun.run(new UninstallCommand(cleanup), args.toArray(String[]::new));
    }

    private UninstallCommand.NodeCleanup recording() {
        return (runDir, bridge) -> {
            cleanedRunDirs.add(runDir);
            bridgeAsked.add(bridge);
            return List.of("deleted weft.1");
        };
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void cleansTheNodeAndLeavesThePluginWithoutAll() throws IOException {
        WeftRun run = uninstall(recording());

        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("deleted weft.1\n");
        assertThat(cleanedRunDirs).containsExactly(dir.resolve("run"));
        assertThat(bridgeAsked).as("cni0 stays without --all").containsExactly(false);
        assertThat(names(bin)).containsExactly("loopback", "portmap", "weft", "weft-java");
        assertThat(names(conf)).containsExactly("10-weft.conflist", "20-other.conflist");
    }

    @Test
    void withAllRemovesWeftsPluginFilesAndOnlyThose() throws IOException {
        WeftRun first = uninstall(recording(), "--all");
        WeftRun second = uninstall(recording(), "--all");

        assertThat(first.code()).isZero();
        assertThat(first.out()).contains("removed " + bin.resolve("loopback"), "removed " + bin.resolve("weft"),
                "removed " + bin.resolve("weft-java"), "removed " + conf.resolve("10-weft.conflist"));
        assertThat(names(bin)).containsExactly("portmap");
        assertThat(names(conf)).containsExactly("20-other.conflist");
        assertThat(second.code()).isZero();
        assertThat(second.out()).isEqualTo("deleted weft.1\n");
    }

    @Test
    void withAllRemovesTheBridgeTheAgentsStateAndTheRuntimeDirAndEveryDirLeftEmptyButNotOthersFiles() throws IOException {
        Path state = dir.resolve("state");
        Files.createDirectories(state.resolve("ipam/weft"));
        Files.writeString(state.resolve("ipam/weft/10.42.1.2"), "pod-1 eth0");
        Files.createDirectories(state.resolve("leases/subnets"));
        Files.writeString(state.resolve("vtep-mac"), "0e:00:00:00:00:01");
        Files.writeString(state.resolve("notes.txt"), "someone else's");
        Path version = Files.createDirectories(dir.resolve("opt-weft/weft-0123456789abcdef/runtime"));
        Files.writeString(version.resolve(JavaRuntime.STAMP), "jars=…");
        Files.createDirectories(dir.resolve("run"));

        WeftRun run = uninstall(recording(), "--all");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(bridgeAsked).containsExactly(true);
        assertThat(run.out()).contains("removed " + state.resolve("vtep-mac"), "removed " + state.resolve("ipam"),
                "removed " + state.resolve("leases"), "left " + state + ": it holds notes.txt, which Weft did not put there",
                "removed " + dir.resolve("opt-weft/weft-0123456789abcdef"), "removed " + dir.resolve("opt-weft"),
                "removed " + dir.resolve("run"));
        assertThat(names(state)).containsExactly("notes.txt");
        assertThat(dir.resolve("opt-weft")).doesNotExist();
        assertThat(dir.resolve("run")).doesNotExist();
    }

    @Test
    void keepsALoopbackThatIsNotWefts() throws IOException {
        Files.delete(bin.resolve("loopback"));
        Files.writeString(bin.resolve("loopback"), "the reference plugin");

        uninstall(recording(), "--all");

        assertThat(names(bin)).containsExactly("loopback", "portmap");
    }

    @Test
    void aFailureExits1WithItsReason() {
        WeftRun run = uninstall((runDir, bridge) -> {
            throw new IllegalStateException("an agent still answers on /run/weft/cni.sock: stop it first, or it puts everything back");
        }, "--all");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("weft uninstall: an agent still answers on /run/weft/cni.sock: stop it first, or it puts everything back\n");
        assertThat(bin.resolve("weft")).exists();
    }
}
