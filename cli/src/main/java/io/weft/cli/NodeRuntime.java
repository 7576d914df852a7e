package io.weft.cli;

import io.weft.netlink.sys.FileTree;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Weft's Java side on a node, under the runtime dir ({@code /opt/weft}): the jlinked runtime and the
 * jars in {@code RUNTIME_DIR/weft-<id>/} ({@code runtime/}, {@code lib/}, and the plugin's AOT cache in
 * {@code lib/} once trained), the id naming what it holds. A version is copied under a temporary name
 * and renamed whole, so the launcher never runs half a copy; installing the same again copies nothing.
 * Older versions are removed once the launcher names the new one. {@code RUNTIME_DIR/weft} runs the
 * installed version's Weft command on the node ({@code sudo /opt/weft/weft uninstall --all}).
 */
final class NodeRuntime {
    private static final Pattern VERSION = Pattern.compile("weft-[0-9a-f]{16}");
    private static final Pattern TEMPORARY = Pattern.compile("\\.weft-[0-9a-f]{16}\\.tmp-[0-9]+");
    /** {@code RUNTIME_DIR/weft}, the command on the node. */
    static final String COMMAND = "weft";
    private static final String COMMAND_HEADER = "#!/bin/sh\n# weft: the Weft command on this node, written by weft install\n";

    private NodeRuntime() {}

    /**
     * Copies {@code source}'s runtime (linked first if needed, {@link JavaRuntime#ensure}) and jars into
     * {@code runtimeDir}; returns the installed distribution, whose {@code java} is the copied runtime's.
     */
    static Distribution install(Distribution source, Path runtimeDir, Consumer<String> report) throws IOException {
        Path runtime = JavaRuntime.ensure(source, report);
        String stamp = JavaRuntime.stampOf(runtime);
        Path version = runtimeDir.resolve("weft-" + id(stamp));
        AtomicFiles.ensureDirectory(runtimeDir);
        if (JavaRuntime.stampOf(version.resolve(JavaRuntime.DIRECTORY)).equals(stamp)) {
            report.accept(version + " holds this runtime and these jars already");
        } else {
            copy(source, runtime, version);
            report.accept("installed " + version + " (a Java runtime of its own and " + source.jars().size() + " jars)");
        }
        Distribution installed = installed(version);
        Path command = runtimeDir.resolve(COMMAND);
        AtomicFiles.write(command, command(installed).getBytes(StandardCharsets.UTF_8), "rwxr-xr-x");
        report.accept("installed " + command + " (the weft command, on " + version + ")");
        return installed;
    }

    /** The script of {@code RUNTIME_DIR/weft}: {@code weft ARGS…} on the installed runtime and jars. */
    private static String command(Distribution installed) {
        return COMMAND_HEADER + "exec " + JavaLauncher.quote(installed.java().toString()) + " --enable-native-access=ALL-UNNAMED -cp "
                + JavaLauncher.quote(installed.libDir() + "/*") + " " + Main.class.getName() + " \"$@\"\n";
    }

    /** The distribution installed in {@code version}: its runtime's {@code java} and its jars. */
    static Distribution installed(Path version) throws IOException {
        return Distribution.inLibDir(version.resolve(JavaRuntime.DIRECTORY).resolve("bin").resolve("java"), version.resolve("lib"));
    }

    private static void copy(Distribution source, Path runtime, Path version) throws IOException {
        Path temporary = version.resolveSibling("." + version.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            FileTree.delete(temporary);
            Files.createDirectory(temporary);
            FileTrees.copy(runtime, temporary.resolve(JavaRuntime.DIRECTORY));
            Path lib = Files.createDirectory(temporary.resolve("lib"));
            for (Path jar : source.jars()) {
                Path copy = lib.resolve(source.nameInLib(jar));
                Files.createDirectories(copy.getParent());
                Files.copy(jar, copy, StandardCopyOption.COPY_ATTRIBUTES);
            }
            if (Files.exists(version, LinkOption.NOFOLLOW_LINKS)) {
                FileTree.delete(version); // a copy whose stamp does not match: damaged, or stamped otherwise
            }
            Files.move(temporary, version, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
            // another install renamed the same version into place first: the same files
        } catch (IOException e) {
            throw new IOException("cannot install Weft's runtime into " + version + ": " + e, e);
        } finally {
            FileTree.delete(temporary);
        }
    }

    /**
     * Deletes the versions and leftover temporary copies in {@code runtimeDir} other than {@code keep}
     * (the launcher names {@code keep} now); returns what it deleted.
     */
    static List<Path> removeOthers(Path runtimeDir, Distribution keep) throws IOException {
        Path kept = keep.home();
        List<Path> removed = new ArrayList<>();
        for (Path entry : wefts(runtimeDir)) {
            if (!entry.equals(kept)) {
                FileTree.delete(entry);
                removed.add(entry);
            }
        }
        return removed;
    }

    /**
     * Removes every version and temporary copy Weft made in {@code runtimeDir} and its {@code weft}
     * command, then the directory when nothing else is left in it; anything else there is someone
     * else's and stays. The command may be the one running this: its JVM keeps the files it has open.
     */
    static void uninstall(Path runtimeDir, Consumer<String> report) throws IOException {
        if (!Files.isDirectory(runtimeDir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path command = runtimeDir.resolve(COMMAND);
        if (Files.isRegularFile(command, LinkOption.NOFOLLOW_LINKS) && Files.readString(command, StandardCharsets.UTF_8).startsWith(COMMAND_HEADER)) {
            Files.delete(command);
            report.accept("removed " + command);
        }
        for (Path entry : wefts(runtimeDir)) {
            FileTree.delete(entry);
            report.accept("removed " + entry);
        }
        FileTrees.removeIfEmpty(runtimeDir, report);
    }

    /** Weft's entries: a version (named so, with a stamped runtime) or a temporary copy. */
    private static List<Path> wefts(Path runtimeDir) throws IOException {
        if (!Files.isDirectory(runtimeDir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(runtimeDir)) {
            return entries.filter(entry -> Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS))
                    .filter(entry -> TEMPORARY.matcher(entry.getFileName().toString()).matches()
                            || (VERSION.matcher(entry.getFileName().toString()).matches()
                                    && Files.isRegularFile(entry.resolve(JavaRuntime.DIRECTORY).resolve(JavaRuntime.STAMP))))
                    .sorted()
                    .toList();
        }
    }

    /** 16 hex digits of SHA-256 over the runtime's stamp, which names the jars and the Java it was made for. */
    private static String id(String stamp) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(stamp.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
