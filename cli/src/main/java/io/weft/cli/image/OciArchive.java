package io.weft.cli.image;

import io.weft.cni.json.Json;
import tools.jackson.databind.ObjectMapper;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a container image as an OCI image layout in one tar file (an "oci-archive", which
 * {@code podman load}, {@code skopeo copy oci-archive:…} and {@code ctr images import} read), with no
 * daemon and no registry: {@code oci-layout}, {@code index.json} naming the one manifest, and under
 * {@code blobs/sha256/} the manifest, the image config and the gzip'd tar layers. A layer's
 * {@code diff_id} (in the config) is the SHA-256 of its tar, its digest (in the manifest) that of the
 * gzip'd bytes. The same content gives the same bytes: fixed times and owners, fixed JSON order.
 */
public final class OciArchive {
    private static final ObjectMapper JSON = Json.mapper();
    static final String INDEX = "application/vnd.oci.image.index.v1+json";
    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    private OciArchive() {}

    /** What a layer holds, written into its tar. */
    @FunctionalInterface
    public interface LayerContent {
        void writeTo(TarArchive tar) throws IOException;
    }

    /** A layer by what it is for (its history entry) and what it holds. */
    public record Layer(String createdBy, LayerContent content) {}

    /**
     * The runtime configuration of the image.
     *
     * @param reference the name it is loaded under, e.g. {@code docker.io/library/weft:0.1.0}
     * @param architecture in OCI terms: {@code amd64}, {@code arm64}
     */
    public record Image(String reference, String architecture, List<String> entrypoint, List<String> cmd, List<String> env,
                        Map<String, String> labels) {
        public Image {
            entrypoint = List.copyOf(entrypoint);
            cmd = List.copyOf(cmd);
            env = List.copyOf(env);
            labels = Map.copyOf(labels);
        }
    }

    /** A blob as the manifest names it. */
    public record Blob(String digest, long size) {}

    /** What was written: the manifest, the config, each layer with the SHA-256 of its tar ({@code diff_id}). */
    public record Written(Blob manifest, Blob config, List<Blob> layers, List<String> diffIds) {}

    /**
     * Writes {@code image} with {@code layers} (first is lowest) to {@code output}, replacing it by rename.
     * The layers are staged in a temporary directory beside it.
     */
    public static Written write(Path output, Image image, List<Layer> layers) throws IOException {
        Path directory = output.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path staging = Files.createTempDirectory(directory, "." + output.getFileName() + ".");
        try {
            List<Blob> blobs = new ArrayList<>();
            List<String> diffIds = new ArrayList<>();
            List<Path> layerFiles = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                Path file = staging.resolve("layer-" + i);
                MessageDigest tarDigest = sha256();
                MessageDigest gzipDigest = sha256();
                try (OutputStream fileOut = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                     DigestOutputStream gzipped = new DigestOutputStream(fileOut, gzipDigest);
                     GZIPOutputStream gzip = new GZIPOutputStream(gzipped, 1 << 16);
                     DigestOutputStream tarOut = new DigestOutputStream(gzip, tarDigest)) {
                    TarArchive tar = new TarArchive(tarOut);
                    layers.get(i).content().writeTo(tar);
                    tar.finish();
                }
                blobs.add(new Blob(digest(gzipDigest), Files.size(file)));
                diffIds.add(digest(tarDigest));
                layerFiles.add(file);
            }
            byte[] config = JSON.writeValueAsBytes(config(image, layers, diffIds));
            Blob configBlob = new Blob(digest(config), config.length);
            byte[] manifest = JSON.writeValueAsBytes(manifest(configBlob, blobs));
            Blob manifestBlob = new Blob(digest(manifest), manifest.length);
            byte[] index = JSON.writeValueAsBytes(index(manifestBlob, image.reference()));

            Path archive = staging.resolve("archive.tar");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(archive), 1 << 16)) {
                TarArchive tar = new TarArchive(out);
                tar.file("oci-layout", 0644, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
                tar.file("index.json", 0644, index);
                tar.directory("blobs/sha256", 0755);
                tar.file(blobPath(manifestBlob), 0644, manifest);
                tar.file(blobPath(configBlob), 0644, config);
                for (int i = 0; i < layerFiles.size(); i++) {
                    tar.file(blobPath(blobs.get(i)), 0644, layerFiles.get(i));
                }
                tar.finish();
            }
            Files.move(archive, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Written(manifestBlob, configBlob, List.copyOf(blobs), List.copyOf(diffIds));
        } finally {
            try (var files = Files.list(staging)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(staging);
        }
    }

    private static Map<String, Object> config(Image image, List<Layer> layers, List<String> diffIds) {
        Map<String, Object> runtime = new LinkedHashMap<>();
        runtime.put("Entrypoint", image.entrypoint());
        runtime.put("Cmd", image.cmd());
        runtime.put("Env", image.env());
        runtime.put("WorkingDir", "/");
        runtime.put("Labels", new TreeMap<>(image.labels()));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", "1970-01-01T00:00:00Z");
        config.put("architecture", image.architecture());
        config.put("os", "linux");
        config.put("config", runtime);
        config.put("rootfs", ordered("type", "layers", "diff_ids", diffIds));
        config.put("history", layers.stream().map(layer -> ordered("created", "1970-01-01T00:00:00Z", "created_by", layer.createdBy())).toList());
        return config;
    }

    /** A map that serialises in the order given: {@code Map.of} iterates in an order that changes between runs. */
    private static Map<String, Object> ordered(String key1, Object value1, String key2, Object value2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key1, value1);
        map.put(key2, value2);
        return map;
    }

    private static Map<String, Object> manifest(Blob config, List<Blob> layers) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        manifest.put("config", descriptor(CONFIG, config));
        manifest.put("layers", layers.stream().map(layer -> descriptor(LAYER, layer)).toList());
        return manifest;
    }

    /**
     * The index names the manifest twice: {@code io.containerd.image.name} with the full reference
     * (what {@code ctr images import} names the image), {@code org.opencontainers.image.ref.name} with
     * the tag alone, as the image-spec asks.
     */
    private static Map<String, Object> index(Blob manifest, String reference) {
        Map<String, Object> descriptor = descriptor(MANIFEST, manifest);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("io.containerd.image.name", reference);
        annotations.put("org.opencontainers.image.ref.name", reference.substring(reference.lastIndexOf(':') + 1));
        descriptor.put("annotations", annotations);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX);
        index.put("manifests", List.of(descriptor));
        return index;
    }

    private static Map<String, Object> descriptor(String mediaType, Blob blob) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", blob.digest());
        descriptor.put("size", blob.size());
        return descriptor;
    }

    private static String blobPath(Blob blob) {
        return "blobs/sha256/" + blob.digest().substring("sha256:".length());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String digest(MessageDigest digest) {
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    private static String digest(byte[] content) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(content));
    }
}
