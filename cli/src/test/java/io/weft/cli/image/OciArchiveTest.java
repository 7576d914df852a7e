package io.weft.cli.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The archive format itself, read back by GNU tar; ImageIT loads a whole image into podman. */
class OciArchiveTest {
    private static final String LONG_DIR = "usr/lib/" + "a-directory-name-of-forty-characters-xx/".repeat(5);

    @TempDir
    Path dir;

    private static OciArchive.Image image() {
        return new OciArchive.Image("registry.example/weft:1.2.3", "amd64", List.of("/usr/local/bin/weft"), List.of("version"),
                List.of("PATH=/bin"), Map.of("b", "2", "a", "1"));
    }

    private static List<OciArchive.Layer> layers() {
        return List.of(new OciArchive.Layer("one", tar -> {
            tar.file("etc/passwd", 0644, "root:x:0:0::/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8));
            tar.directory("tmp", 01777);
            tar.symlink("bin/sh", "busybox");
        }), new OciArchive.Layer("two", tar -> {
            tar.file(LONG_DIR + "file.txt", 0755, "long".getBytes(StandardCharsets.UTF_8));
            tar.symlink("link", "/" + LONG_DIR + "file.txt");
        }));
    }

    private String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
        return out;
    }

    @Test
    void theSameContentGivesTheSameBytes() throws Exception {
        OciArchive.Written first = OciArchive.write(dir.resolve("a.tar"), image(), layers());
        OciArchive.Written second = OciArchive.write(dir.resolve("b.tar"), image(), layers());

        assertThat(second).isEqualTo(first);
        assertThat(dir.resolve("b.tar")).hasSameBinaryContentAs(dir.resolve("a.tar"));
        try (var files = Files.list(dir)) {
            assertThat(files.map(path -> path.getFileName().toString())).as("no staging left").containsExactlyInAnyOrder("a.tar", "b.tar");
        }
    }

    @Test
    void gnuTarReadsTheLayoutAndTheLayersWithLongNamesModesAndLinks() throws Exception {
        OciArchive.Written written = OciArchive.write(dir.resolve("image.tar"), image(), layers());

        assertThat(run("tar", "-tf", dir.resolve("image.tar").toString()).lines().toList()).containsExactly("oci-layout", "index.json",
                "blobs/", "blobs/sha256/", blob(written.manifest()), blob(written.config()), blob(written.layers().get(0)),
                blob(written.layers().get(1)));
        run("tar", "-xf", dir.resolve("image.tar").toString(), "-C", Files.createDirectories(dir.resolve("layout")).toString());
        Path one = Files.createDirectories(dir.resolve("one"));
        Path two = Files.createDirectories(dir.resolve("two"));
        run("tar", "-xzf", dir.resolve("layout").resolve(blob(written.layers().get(0))).toString(), "-C", one.toString());
        run("tar", "-xzf", dir.resolve("layout").resolve(blob(written.layers().get(1))).toString(), "-C", two.toString());

        assertThat(one.resolve("etc/passwd")).hasContent("root:x:0:0::/root:/bin/sh");
        assertThat(Files.readSymbolicLink(one.resolve("bin/sh"))).isEqualTo(Path.of("busybox"));
        assertThat(run("stat", "-c", "%a", one.resolve("tmp").toString()).strip()).isEqualTo("1777");
        assertThat(two.resolve(LONG_DIR + "file.txt")).hasContent("long").isExecutable();
        assertThat(Files.readSymbolicLink(two.resolve("link"))).isEqualTo(Path.of("/" + LONG_DIR + "file.txt"));
        assertThat(run("tar", "-tvzf", dir.resolve("layout").resolve(blob(written.layers().get(1))).toString()))
                .contains("root/root").doesNotContain("PaxHeader");
    }

    @Test
    void theConfigListsTheLayersDiffIdsAndTheIndexNamesTheImage() throws Exception {
        OciArchive.Written written = OciArchive.write(dir.resolve("image.tar"), image(), layers());
        String index = run("tar", "-xOf", dir.resolve("image.tar").toString(), "index.json");
        String config = run("tar", "-xOf", dir.resolve("image.tar").toString(), blob(written.config()));

        assertThat(index).contains("\"io.containerd.image.name\":\"registry.example/weft:1.2.3\"",
                "\"org.opencontainers.image.ref.name\":\"1.2.3\"", "\"digest\":\"" + written.manifest().digest() + "\"");
        assertThat(config).contains("\"diff_ids\":[\"" + written.diffIds().get(0) + "\",\"" + written.diffIds().get(1) + "\"]",
                "\"Labels\":{\"a\":\"1\",\"b\":\"2\"}", "\"architecture\":\"amd64\"", "\"os\":\"linux\"");
        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        new TarArchive(empty).finish();
        assertThat(empty.size()).as("an empty archive: two zero blocks").isEqualTo(1024);
    }

    private static String blob(OciArchive.Blob blob) {
        return "blobs/sha256/" + blob.digest().substring("sha256:".length());
    }
}
