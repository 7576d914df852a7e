package io.weft.cli.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared libraries of this machine that programs need, found with {@code ldd} (the dynamic
 * loader's own answer, so the image gets what the loader will look for, where it will look): an image
 * built from scratch must carry the C library and the loader for the JVM and for {@code nft}.
 */
final class SharedLibraries {
    /** {@code libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)} or {@code /lib64/ld-linux-x86-64.so.2 (0x…)}. */
    private static final Pattern RESOLVED = Pattern.compile("\\s*(?:(\\S+) => )?(/\\S+) \\(0x[0-9a-f]+\\)");
    private static final Pattern NOT_FOUND = Pattern.compile("\\s*(\\S+) => not found");
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

    private SharedLibraries() {}

    /**
     * The libraries {@code programs} load from this machine, by the path the loader finds each at (the
     * key: where it goes in the image) and the file holding it here. Libraries of the bundle the
     * programs come with are left out: those found inside {@code bundle} (by their {@code $ORIGIN}
     * paths) and those "not found" whose names are in {@code bundled} (the JVM loads them by path).
     * Any other "not found" is an error.
     */
    static SortedMap<String, Path> neededBy(Collection<Path> programs, Path bundle, Set<String> bundled) throws IOException {
        SortedMap<String, Path> libraries = new TreeMap<>();
        for (Path program : programs) {
            for (String line : ldd(program).split("\n")) {
                Matcher resolved = RESOLVED.matcher(line);
                Matcher notFound = NOT_FOUND.matcher(line);
                if (resolved.matches()) {
                    Path library = Path.of(resolved.group(2));
                    if (!library.normalize().startsWith(bundle.toAbsolutePath().normalize())) {
                        libraries.put(resolved.group(2), library);
                    }
                } else if (notFound.matches() && !bundled.contains(notFound.group(1))) {
                    throw new IOException(program + " needs " + notFound.group(1) + ", which this machine does not have");
                }
            }
        }
        return libraries;
    }

    /** Whether {@code file} is an ELF object (a program or a shared library). */
    static boolean isElf(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) < ELF.length) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(ELF.length), ELF);
        }
    }

    private static String ldd(Path program) throws IOException {
        Process process = new ProcessBuilder("ldd", program.toString()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("ldd " + program + " did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running ldd " + program, e);
        }
        // a static program: ldd says "not a dynamic executable" and exits 1; it needs nothing
        if (process.exitValue() != 0 && !out.contains("not a dynamic executable")) {
            throw new IOException("ldd " + program + " exited " + process.exitValue() + ": " + out.strip());
        }
        return out;
    }
}
