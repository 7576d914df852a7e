package io.weft.cni;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CNI spec version such as {@code 1.0.0}. Weft answers in the version the runtime asked for, so the
 * request's version travels with it; the result's shape depends on it ({@code ips[].version} before 1.0.0).
 */
public record CniVersion(int major, int minor, int patch) implements Comparable<CniVersion> {
    private static final Pattern SEMVER = Pattern.compile("(\\d{1,4})\\.(\\d{1,4})\\.(\\d{1,4})");

    public static final CniVersion V0_1_0 = new CniVersion(0, 1, 0);
    public static final CniVersion V0_4_0 = new CniVersion(0, 4, 0);
    public static final CniVersion V1_0_0 = new CniVersion(1, 0, 0);
    public static final CniVersion V1_1_0 = new CniVersion(1, 1, 0);
    /** What Weft speaks: the versions of the result types 0.3/0.4 and 1.x, as the reference plugins do. */
    public static final List<CniVersion> SUPPORTED = List.of(new CniVersion(0, 3, 0), new CniVersion(0, 3, 1),
            V0_4_0, V1_0_0, V1_1_0);
    public static final CniVersion LATEST = V1_1_0;

    /** The version named by {@code text}, e.g. {@code 0.3.1}; empty when it is not {@code MAJOR.MINOR.PATCH}. */
    public static Optional<CniVersion> parse(String text) {
        Matcher matcher = SEMVER.matcher(text);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new CniVersion(Integer.parseInt(matcher.group(1)),
                Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3))));
    }

    public boolean isSupported() {
        return SUPPORTED.contains(this);
    }

    public boolean atLeast(CniVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(CniVersion other) {
        int byMajor = Integer.compare(major, other.major);
        if (byMajor != 0) {
            return byMajor;
        }
        int byMinor = Integer.compare(minor, other.minor);
        return byMinor != 0 ? byMinor : Integer.compare(patch, other.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
