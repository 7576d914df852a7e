package io.weft.cli;

import io.weft.cli.image.OciArchive;
import io.weft.cli.image.WeftImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** {@code weft image}: Weft's container image as an OCI archive, built with no daemon, registry or base image. */
@Command(name = "image", header = "Write Weft's container image as an OCI archive.",
        sortOptions = false,
        description = "Build Weft's container image into an OCI archive (a tar of an OCI image layout) with no container daemon, registry or base image: this distribution's jlinked Java runtime (linked now if needed) and jars, a static busybox, nft, and the C library they load from this machine. Load it with podman load -i FILE or k3s ctr images import FILE; push it with skopeo copy oci-archive:FILE docker://REGISTRY/weft:TAG.")
final class ImageCommand implements Callable<Integer> {
    /** NAME:TAG, the name possibly with a registry and path. */
    private static final Pattern REFERENCE = Pattern.compile("[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "The archive to write, e.g. weft.tar.")
    Path output;

    @Option(names = "--tag", paramLabel = "NAME:TAG",
            description = "The name it loads under (default: docker.io/library/weft:VERSION, which the manifest's weft:VERSION means).")
    String tag;

    @Option(names = "--busybox", paramLabel = "FILE", defaultValue = "/bin/busybox",
            description = "A statically linked busybox, for /bin/sh (default: ${DEFAULT-VALUE}; Debian: busybox-static).")
    Path busybox;

    @Option(names = "--nft", paramLabel = "FILE", description = "The nft program (default: nft on PATH).")
    Path nft;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            String version = version();
            String reference = tag != null ? tag : "docker.io/library/weft:" + version;
            if (!REFERENCE.matcher(reference).matches()) {
                throw new IllegalArgumentException("--tag: \"" + reference + "\" is not NAME:TAG, e.g. registry.example/weft:" + version);
            }
            Path nftProgram = nft != null ? nft : onPath("nft").orElseThrow(() ->
                    new IllegalArgumentException("--nft: there is no nft on PATH (Debian: nftables)"));
            for (var file : new Path[] {busybox, nftProgram}) {
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException(file + " does not exist");
                }
            }
            Distribution distribution = Distribution.current();
            Path runtime = JavaRuntime.ensure(distribution, line -> {
                out.println(line);
                out.flush();
            });
            long start = System.nanoTime();
            OciArchive.Written written = WeftImage.write(output, new WeftImage.Contents(runtime,
                    distribution.jars().stream().map(jar -> new WeftImage.Jar(distribution.nameInLib(jar), jar)).toList(),
                    busybox, nftProgram, reference, version));
            out.println("wrote " + output + " (" + Files.size(output) / (1024 * 1024) + " MiB, " + written.layers().size()
                    + " layers) in " + (System.nanoTime() - start) / 1_000_000 + " ms: image " + reference
                    + ", manifest " + written.manifest().digest());
            out.flush();
            return 0;
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            out.flush();
            spec.commandLine().getErr().println("weft image: " + e.getMessage());
            return 1;
        }
    }

    /** The distribution's version (its jar manifest), e.g. {@code 0.1.0-SNAPSHOT}. */
    static String version() {
        String version = WeftCommand.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    private static Optional<Path> onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
