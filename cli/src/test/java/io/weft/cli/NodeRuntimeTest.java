package io.weft.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link NodeRuntime} with a distribution whose runtime is already linked (a stand-in, stamped for its
 * jars as {@link JavaRuntime} stamps a real one), so nothing is linked here; the distribution tests
 * (ImageIT, UninstallAllIT) install the real runtime.
 */
class NodeRuntimeTest {
    @TempDir
    Path dir;
    private Path lib;
    private Path runtimeDir;
    private final List<String> report = new ArrayList<>();

    @BeforeEach
    void distribution() throws IOException {
        lib = Files.createDirectories(dir.resolve("dist/lib"));
        Files.writeString(lib.resolve("a.jar"), "a, first build");
        Files.writeString(lib.resolve("b.jar"), "b");
        Path java = Files.createDirectories(dir.resolve("dist/runtime/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        stampRuntime();
        runtimeDir = dir.resolve("opt/weft");
    }

    /** What linking does to the stamp: names the jars and Java the runtime is for. */
    private Distribution stampRuntime() throws IOException {
        Distribution source = source();
        Files.writeString(JavaRuntime.of(source).resolve(JavaRuntime.STAMP), JavaRuntime.stampFor(source) + "modules=java.base\n");
        return source;
    }

    private Distribution source() throws IOException {
        return Distribution.inLibDir(Path.of("/nonexistent/java"), lib);
    }

    private List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void copiesTheRuntimeAndTheJarsIntoAVersionNamedByWhatItHolds() throws IOException {
        Distribution installed = NodeRuntime.install(source(), runtimeDir, report::add);

        Path version = installed.home();
        assertThat(version.getParent()).isEqualTo(runtimeDir);
        assertThat(version.getFileName().toString()).matches("weft-[0-9a-f]{16}");
        assertThat(names(runtimeDir)).containsExactly("weft", version.getFileName().toString());
        assertThat(installed.java()).isEqualTo(version.resolve("runtime/bin/java")).isExecutable();
        assertThat(installed.classPath()).containsExactly(version.resolve("lib/a.jar"), version.resolve("lib/b.jar"));
        assertThat(version.resolve("lib/a.jar")).hasContent("a, first build");
        assertThat(installed.digest()).isEqualTo(source().digest());
        assertThat(report).containsExactly("installed " + version + " (a Java runtime of its own and 2 jars)",
                "installed " + runtimeDir.resolve("weft") + " (the weft command, on " + version + ")");
        assertThat(runtimeDir.resolve("weft")).isExecutable().content().contains("exec '" + installed.java() + "'",
                "-cp '" + installed.libDir() + "/*' io.weft.cli.Main \"$@\"");
    }

    @Test
    void installingTheSameAgainCopiesNothing() throws IOException {
        Distribution first = NodeRuntime.install(source(), runtimeDir, report::add);
        Files.writeString(first.libDir().resolve("weft-cni-" + "0".repeat(64) + ".aot"), "a cache trained meanwhile");

        Distribution again = NodeRuntime.install(source(), runtimeDir, report::add);

        assertThat(again).isEqualTo(first);
        assertThat(report).contains(first.home() + " holds this runtime and these jars already");
        assertThat(names(first.libDir())).contains("weft-cni-" + "0".repeat(64) + ".aot");
    }

    @Test
    void aNewBuildIsANewVersionAndTheOthersGoWithLeftoversButNotWithSomeoneElsesFiles() throws IOException {
        Distribution first = NodeRuntime.install(source(), runtimeDir, report::add);
        Files.writeString(lib.resolve("a.jar"), "a, second build");
        stampRuntime();
        Files.createDirectories(runtimeDir.resolve(".weft-0123456789abcdef.tmp-4242/lib")); // a crashed install's copy
        Files.writeString(runtimeDir.resolve("notes.txt"), "someone else's");
        Files.createDirectories(runtimeDir.resolve("weft-0123456789abcdef")); // named so, but no stamped runtime in it

        Distribution second = NodeRuntime.install(source(), runtimeDir, report::add);
        List<Path> removed = NodeRuntime.removeOthers(runtimeDir, second);

        assertThat(second.home()).isNotEqualTo(first.home());
        assertThat(second.libDir().resolve("a.jar")).hasContent("a, second build");
        assertThat(removed).containsExactly(runtimeDir.resolve(".weft-0123456789abcdef.tmp-4242"), first.home());
        assertThat(names(runtimeDir)).containsExactly("notes.txt", "weft", "weft-0123456789abcdef", second.home().getFileName().toString());
        assertThat(runtimeDir.resolve("weft")).content().contains(second.home().toString()).doesNotContain(first.home().toString());
    }

    @Test
    void aVersionWhoseRuntimeIsNotStampedForItsNameIsCopiedAgain() throws IOException {
        Distribution first = NodeRuntime.install(source(), runtimeDir, report::add);
        Files.writeString(first.home().resolve("runtime").resolve(JavaRuntime.STAMP), "damaged");
        Files.delete(first.libDir().resolve("b.jar"));

        Distribution again = NodeRuntime.install(source(), runtimeDir, report::add);

        assertThat(again.home()).isEqualTo(first.home());
        assertThat(again.classPath()).hasSize(2);
        assertThat(report).contains("installed " + first.home() + " (a Java runtime of its own and 2 jars)");
    }

    @Test
    void uninstallRemovesWeftsVersionsAndTheDirectoryOnlyWhenNothingElseIsInIt() throws IOException {
        Distribution installed = NodeRuntime.install(source(), runtimeDir, report::add);
        Files.writeString(runtimeDir.resolve("notes.txt"), "someone else's");

        NodeRuntime.uninstall(runtimeDir, report::add);
        List<String> withNotes = List.copyOf(report);
        Files.delete(runtimeDir.resolve("notes.txt"));
        NodeRuntime.uninstall(runtimeDir, report::add);
        NodeRuntime.uninstall(runtimeDir, report::add);

        assertThat(withNotes).contains("removed " + runtimeDir.resolve("weft"), "removed " + installed.home(),
                "left " + runtimeDir + ": it holds notes.txt, which Weft did not put there");
        assertThat(report).last().isEqualTo("removed " + runtimeDir);
        assertThat(runtimeDir).doesNotExist();
    }

    @Test
    void withoutALinkedRuntimeOrAJlinkItSaysWhatIsMissingAndWritesNothing() throws IOException {
        Files.writeString(lib.resolve("b.jar"), "b, changed: the runtime is stamped for other jars");

        assertThatThrownBy(() -> JavaRuntime.ensure(source(), report::add, name -> Optional.empty()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("has no jdeps to make Weft's runtime with: run weft from a JDK");
        assertThat(names(dir.resolve("dist"))).containsExactly("lib", "runtime");
        assertThat(report).isEmpty();
    }
}
