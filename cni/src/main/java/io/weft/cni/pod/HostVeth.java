package io.weft.cni.pod;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names of the node ends of pod veths: {@code weft} and 11 hex digits of a hash of the container id
 * and interface name. The same attachment always gets the same name (so DEL finds it without the pod's
 * namespace, and GC can tell the veths of valid attachments from leftovers), it fits the kernel's 15
 * characters, and the prefix tells Weft's veths from anyone else's.
 */
final class HostVeth {
    private static final String PREFIX = "weft";
    private static final int HEX_DIGITS = 15 - PREFIX.length();
    private static final Pattern NAME = Pattern.compile(PREFIX + "[0-9a-f]{" + HEX_DIGITS + "}");

    private HostVeth() {}

    static String name(String containerId, String ifName) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((containerId + "\0" + ifName).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(hash).substring(0, HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** Whether {@code name} is one {@link #name} could have made. */
    static boolean isWeftName(String name) {
        return NAME.matcher(name).matches();
    }
}
