package io.weft.agent.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel's version as {@code uname -r} gives it, e.g. {@code 5.4.41-1-lts}: major, minor and the
 * stable series' sublevel, and what Weft knows of that version's bugs. Distribution kernels may carry
 * fixes under an older number (Ubuntu's {@code 5.4.0-42} is upstream 5.4.51), so what is said from the
 * number alone is a best guess. The agent acts on it and {@code weft doctor} reports it.
 */
public record KernelRelease(String text, int major, int minor, int sublevel) {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*");
    private static final Path OSRELEASE = Path.of("/proc/sys/kernel/osrelease");
    /**
     * The netfilter fix for UDP checksums of double-NATed VXLAN packets (kernel commit ea64d8d6c675):
     * mainline 5.7, and these stable series from this sublevel on (per kubernetes#88986).
     */
    private static final Map<String, Integer> CHECKSUM_FIX_IN_STABLE = Map.of("5.6", 13, "5.4", 41, "4.19", 123, "4.14", 181);

    /** The release in {@code text}, or empty when it does not start with {@code MAJOR.MINOR}. */
    public static Optional<KernelRelease> parse(String text) {
        Matcher matcher = VERSION.matcher(text.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new KernelRelease(text.strip(), Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                matcher.group(3) == null ? 0 : Integer.parseInt(matcher.group(3))));
    }

    /** The running kernel's release ({@code /proc/sys/kernel/osrelease}, as {@code uname -r}). */
    public static String running() {
        try {
            return Files.readString(OSRELEASE).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the kernel release from " + OSRELEASE, e);
        }
    }

    /**
     * Whether this kernel predates the VXLAN checksum fix: before 5.7, and not a stable release that has
     * it. Such a kernel miscomputes the UDP checksum of a VXLAN packet that was NATed twice when the
     * device offloads TX checksums (the "63-second" bug).
     */
    public boolean hasVxlanChecksumBug() {
        if (major > 5 || (major == 5 && minor >= 7)) {
            return false;
        }
        Integer fixedFrom = CHECKSUM_FIX_IN_STABLE.get(major + "." + minor);
        return fixedFrom == null || sublevel < fixedFrom;
    }
}
