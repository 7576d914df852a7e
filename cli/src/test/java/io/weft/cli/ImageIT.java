package io.weft.cli;

import io.weft.cli.image.WeftImage;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.ipam.IpAllocator;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The k3s path end to end, minus Kubernetes: {@code weft image} builds the image from the packaged
 * distribution; podman loads it and runs it; the image's {@code weft install} (the DaemonSet's init
 * container, with the host's directories mounted at the same paths) puts the runtime, jars, plugin
 * and conflist into the test's directories; then podman, as the node's container runtime, attaches a
 * container through those installed files. No agent runs, so the plugin works in {@code weft-java} on
 * the Java runtime that came out of the image: neither the container nor the node needs a JDK.
 */
class ImageIT {
    private static final ObjectMapper JSON = Json.mapper();
    private static final IpPrefix SUBNET = IpPrefix.parse("10.42.1.1/24");
    private static final Pattern INET = Pattern.compile("inet (\\S+)/");

    @TempDir
    Path dir;
    private final Sandbox sandbox = new Sandbox();
    private Path dist;
    private Podman podman;

    @BeforeEach
    void distributionAndPodman() {
        dist = Dist.home();
        assumeTrue(Podman.executable().isPresent(), "podman is not on PATH (.ci/run installs podman, runc, busybox-static)");
    }

    @AfterEach
    void removeEverything() {
        try {
            if (podman != null) {
                podman.removeAll();
            }
        } finally {
            sandbox.close();
        }
        if (podman != null) {
            assertThat(podman.processes()).as("podman, conmon or runc processes left").isEmpty();
            podman.deleteFiles();
        }
    }

    @Test
    void theImageCarriesTheRuntimeAndJarsRunsAndInstallsAPluginThatAttachesContainersWithoutAJdk() throws Exception {
        Path archive = dir.resolve("weft.tar");
        String reference = "docker.io/library/weft:" + System.getProperty("weft.version");
        String built = Dist.succeed(Dist.weft(List.of("image", "--output", archive.toString())), dir.resolve("image.log"));
        assertThat(built).contains("wrote " + archive, "image " + reference);

        Layout layout = Layout.extract(archive, dir.resolve("layout"));
        List<Path> jars = jarsOf(dist.resolve("lib"));
        assertThat(layout.index().at("/manifests/0/annotations/io.containerd.image.name").asString()).isEqualTo(reference);
        assertThat(layout.config().at("/config/Entrypoint/0").asString()).isEqualTo(WeftImage.ENTRYPOINT);
        assertThat(layout.entries(0)).contains("bin/busybox", "bin/sh", "usr/sbin/nft", "etc/passwd", "tmp/", "var/run")
                .anyMatch(entry -> entry.endsWith("/libc.so.6")).anyMatch(entry -> entry.matches("lib(64)?/ld-linux.*\\.so\\.[0-9]+"));
        assertThat(layout.entries(1)).contains("usr/lib/weft/runtime/bin/java", "usr/lib/weft/runtime/lib/server/libjvm.so",
                "usr/lib/weft/runtime/release", "usr/lib/weft/runtime/" + JavaRuntime.STAMP)
                .noneMatch(entry -> entry.contains("/jmods/") || entry.endsWith("/bin/javac") || entry.endsWith("/bin/jlink"));
        assertThat(layout.entries(2)).contains(WeftImage.ENTRYPOINT.substring(1))
                .containsAll(jars.stream().map(jar -> "usr/lib/weft/lib/" + jar.getFileName()).toList());

        NetNamespace node = sandbox.namespace();
        Sandbox.ip(node, "link", "set", "lo", "up");
        Path bin = dir.resolve("cni/bin");
        Path conf = dir.resolve("cni/net.d");
        Path runtimeDir = dir.resolve("opt/weft");
        Files.createDirectories(bin);
        Files.createDirectories(conf);
        Files.createDirectories(runtimeDir);
        podman = Podman.inNode(dir.resolve("podman"), node, bin, conf);
        assertThat(podman.succeed("load", "-i", archive.toString())).contains(reference);
        assertThat(podman.succeed("image", "inspect", "--format", "{{json .RootFS.Layers}}", reference))
                .isEqualTo(JSON.writeValueAsString(layout.config().at("/rootfs/diff_ids")));
        assertThat(podman.succeed("run", "--rm", "--network", "none", "--ulimit", "host", reference, "version"))
                .startsWith("weft " + System.getProperty("weft.version") + " (Java " + Runtime.version().feature());

        // the init container: the host's directories mounted at the same paths, so the files name each other rightly
        String installed = podman.succeed("run", "--rm", "--network", "none", "--ulimit", "host",
                "-v", runtimeDir + ":" + runtimeDir, "-v", dir.resolve("cni") + ":" + dir.resolve("cni"), reference,
                "install", "--cni-bin-dir", bin.toString(), "--cni-conf-dir", conf.toString(), "--runtime-dir", runtimeDir.toString(),
                "--run-dir", dir.resolve("run").toString(), "--state-dir", dir.resolve("state").toString());
        List<Path> versions;
        try (Stream<Path> entries = Files.list(runtimeDir)) {
            versions = entries.toList();
        }
        assertThat(versions).as("what the install put into %s", runtimeDir).hasSize(2).contains(runtimeDir.resolve(NodeRuntime.COMMAND));
        Path version = versions.stream().filter(Files::isDirectory).findFirst().orElseThrow();
        Path java = version.resolve("runtime/bin/java");
        assertThat(installed).contains("installed " + version, "training the AOT cache " + version.resolve("lib"))
                .doesNotContain("linking", "training failed");
        assertThat(Files.readString(bin.resolve("weft-java"))).contains("exec '" + java + "'").contains("-XX:AOTCache=" + version.resolve("lib"));
        assertThat(Files.readString(version.resolve("runtime/release"))).contains("MODULES=\"java.base")
                .doesNotContain("jdk.compiler", "jdk.jlink", "jdk.jdeps");
        assertThat(jarsOf(version.resolve("lib")).stream().map(Path::getFileName).toList())
                .isEqualTo(jars.stream().map(Path::getFileName).toList());
        assertThat(Dist.succeed(List.of(runtimeDir.resolve(NodeRuntime.COMMAND).toString(), "version"), dir.resolve("version.log")))
                .as("the weft command the install put on the node").startsWith("weft " + System.getProperty("weft.version"));

        // the node's container runtime attaches a container through the installed files; no agent: weft-java does it
        new SubnetEnv(IpPrefix.parse("10.42.0.0/16"), SUBNET, 1450, true).write(dir.resolve("run/subnet.env"));
        List<String> run = new ArrayList<>(List.of("run", "--rm"));
        run.addAll(podman.runOptions("weft"));
        run.addAll(List.of("/bin/sh", "-c", "ip -4 -o addr show eth0"));
        Podman.Result attached = podman.run(run);

        assertThat(attached.exitCode()).as("podman run: %s", attached.stderr()).isZero();
        Matcher inet = INET.matcher(attached.stdout());
        assertThat(inet.find()).as(attached.stdout()).isTrue();
        InetAddress address = IpPrefix.parseAddress(inet.group(1));
        assertThat(SUBNET.contains(address)).as("%s in %s", address, SUBNET).isTrue();
        assertThat(new IpAllocator(dir.resolve("state/ipam/weft"), SUBNET).list()).as("reservations after podman run --rm").isEmpty();
        assertThat(Sandbox.ipJson(node, "link", "show", "type", "veth")).as("veths after podman run --rm").isEmpty();
    }

    private static List<Path> jarsOf(Path lib) throws IOException {
        try (Stream<Path> files = Files.list(lib)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    /**
     * The archive unpacked and checked as a reader would: every blob's name is the SHA-256 of its bytes,
     * the manifest and config are the ones named, and each layer's {@code diff_id} is the SHA-256 of
     * its uncompressed tar.
     */
    private record Layout(JsonNode index, JsonNode manifest, JsonNode config, List<Path> layers) {
        static Layout extract(Path archive, Path into) throws Exception {
            Files.createDirectories(into);
            Process tar = new ProcessBuilder("tar", "-xf", archive.toString(), "-C", into.toString()).inheritIO().start();
            assertThat(tar.waitFor()).as("tar -xf %s", archive).isZero();
            assertThat(JSON.readTree(into.resolve("oci-layout").toFile()).get("imageLayoutVersion").asString()).isEqualTo("1.0.0");
            try (Stream<Path> blobs = Files.list(into.resolve("blobs/sha256"))) {
                for (Path blob : blobs.toList()) {
                    assertThat(sha256(blob, false)).as("digest of %s", blob.getFileName()).isEqualTo(blob.getFileName().toString());
                }
            }
            JsonNode index = JSON.readTree(into.resolve("index.json").toFile());
            assertThat(index.get("manifests")).hasSize(1);
            JsonNode manifest = JSON.readTree(blob(into, index.at("/manifests/0/digest").asString()).toFile());
            assertThat(manifest.get("mediaType").asString()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
            JsonNode config = JSON.readTree(blob(into, manifest.at("/config/digest").asString()).toFile());
            List<Path> layers = new ArrayList<>();
            for (int i = 0; i < manifest.get("layers").size(); i++) {
                JsonNode descriptor = manifest.get("layers").get(i);
                Path layer = blob(into, descriptor.get("digest").asString());
                assertThat(descriptor.get("mediaType").asString()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
                assertThat(descriptor.get("size").asLong()).isEqualTo(Files.size(layer));
                assertThat("sha256:" + sha256(layer, true)).as("diff_id of layer %d", i).isEqualTo(config.at("/rootfs/diff_ids/" + i).asString());
                layers.add(layer);
            }
            assertThat(layers).hasSize(3);
            return new Layout(index, manifest, config, layers);
        }

        /** The entries of layer {@code i}, as {@code tar -t} lists them. */
        List<String> entries(int i) throws Exception {
            Process tar = new ProcessBuilder("tar", "-tzf", layers.get(i).toString()).start();
            List<String> names = new String(tar.getInputStream().readAllBytes()).lines().toList();
            assertThat(tar.waitFor()).isZero();
            return names;
        }

        private static Path blob(Path layout, String digest) {
            return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        }

        private static String sha256(Path file, boolean gunzip) throws Exception {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (InputStream raw = Files.newInputStream(file); InputStream in = gunzip ? new GZIPInputStream(raw) : raw) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha256.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(sha256.digest());
        }
    }
}
