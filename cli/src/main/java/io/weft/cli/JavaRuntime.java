package io.weft.cli;

import io.weft.netlink.sys.FileTree;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.spi.ToolProvider;

/**
 * The Java runtime Weft ships to nodes and into its image: the JDK modules its jars use (as jdeps finds
 * them) linked by jlink into {@code HOME/runtime} of the distribution, so a node needs no JDK. It is
 * made the first time {@code weft install} or {@code weft image} needs it, from the JDK they run on
 * (jdeps ~6-13 s over the 43 MB of jars, jlink ~3 s here), and reused while it was made for these jars
 * and this Java version: its stamp file says what it was made for. Run from a distribution that
 * carries its runtime (the image), nothing is linked and no JDK is needed.
 *
 * <p>No CDS archive is generated ({@code --generate-cds-archive} adds 28 MB): the CNI plugin's
 * fallback has its own AOT cache, and the agent starts once.
 */
final class JavaRuntime {
    static final String DIRECTORY = "runtime";
    /** In the runtime: what it was made for ({@link #stampFor}) and the modules it holds. */
    static final String STAMP = "weft-runtime";

    private JavaRuntime() {}

    /** {@code HOME/runtime} of {@code distribution}. */
    static Path of(Distribution distribution) {
        return distribution.home().resolve(DIRECTORY);
    }

    /**
     * The runtime of {@code distribution}: the one there if it was made for these jars and this Java,
     * else a new one linked from the running JDK, replacing the old by rename.
     *
     * @throws IOException naming what is missing when there is no runtime to reuse and this Java has no
     *     jdeps or jlink (a runtime without the {@code jdk.jdeps}/{@code jdk.jlink} modules), or when they fail
     */
    static Path ensure(Distribution distribution, Consumer<String> report) throws IOException {
        return ensure(distribution, report, ToolProvider::findFirst);
    }

    /** {@link #ensure(Distribution, Consumer)} with the JDK tools found by {@code tools}, by name. */
    static Path ensure(Distribution distribution, Consumer<String> report, Function<String, Optional<ToolProvider>> tools) throws IOException {
        Path runtime = of(distribution);
        String stamp = stampFor(distribution);
        if (stampOf(runtime).startsWith(stamp)) {
            return runtime;
        }
        ToolProvider jdeps = tool(tools, "jdeps");
        ToolProvider jlink = tool(tools, "jlink");
        long start = System.nanoTime();
        String modules = modulesUsedBy(jdeps, distribution.jars());
        Path temporary = runtime.resolveSibling("." + DIRECTORY + ".tmp-" + ProcessHandle.current().pid());
        Path old = runtime.resolveSibling("." + DIRECTORY + ".old-" + ProcessHandle.current().pid());
        FileTree.delete(temporary);
        report.accept("linking a Java runtime with the modules " + modules + " into " + runtime + " (jlink of Java "
                + Runtime.version() + ") ...");
        run(jlink, "--add-modules", modules, "--strip-debug", "--no-header-files", "--no-man-pages",
                "--output", temporary.toString());
        Files.writeString(temporary.resolve(STAMP), stamp + "modules=" + modules + "\n", StandardCharsets.UTF_8);
        if (Files.exists(runtime)) {
            FileTree.delete(old);
            Files.move(runtime, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(temporary, runtime, StandardCopyOption.ATOMIC_MOVE);
        FileTree.delete(old);
        report.accept("linked " + runtime + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        return runtime;
    }

    /** The first lines of the stamp: the jars' digest and the Java version the runtime is linked from. */
    static String stampFor(Distribution distribution) throws IOException {
        return "jars=" + distribution.digest() + "\njava=" + Runtime.version() + "\n";
    }

    /** The stamp of the runtime at {@code runtime}, empty when there is none. */
    static String stampOf(Path runtime) throws IOException {
        Path stamp = runtime.resolve(STAMP);
        return Files.isRegularFile(stamp) ? Files.readString(stamp, StandardCharsets.UTF_8) : "";
    }

    /** jdeps over all jars together: the JDK modules they need, comma-separated, e.g. {@code java.base,jdk.httpserver}. */
    private static String modulesUsedBy(ToolProvider jdeps, List<Path> jars) throws IOException {
        List<String> args = new ArrayList<>(List.of("--print-module-deps", "--ignore-missing-deps", "-q",
                "--multi-release", Integer.toString(Runtime.version().feature())));
        jars.forEach(jar -> args.add(jar.toString()));
        String out = run(jdeps, args.toArray(String[]::new)).strip();
        if (!out.matches("[a-z][a-z0-9.]*(,[a-z][a-z0-9.]*)*")) {
            throw new IOException("jdeps printed no module list but: " + out);
        }
        return out;
    }

    private static ToolProvider tool(Function<String, Optional<ToolProvider>> tools, String name) throws IOException {
        return tools.apply(name).orElseThrow(() -> new IOException("this Java (" + System.getProperty("java.home")
                + ") has no " + name + " to make Weft's runtime with: run weft from a JDK " + Runtime.version().feature()
                + ", or from a distribution that carries its runtime (" + DIRECTORY + "/ beside lib/)"));
    }

    private static String run(ToolProvider tool, String... args) throws IOException {
        StringWriter out = new StringWriter();
        int code = tool.run(new PrintWriter(out, true), new PrintWriter(out, true), args);
        if (code != 0) {
            throw new IOException(tool.name() + " failed (exit " + code + "): " + out.toString().strip());
        }
        return out.toString();
    }
}
