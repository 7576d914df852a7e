package io.weft.netlink.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * {@code /proc/sys} of one network namespace. Keys are written as {@code net.ipv4.ip_forward} or, when
 * a part contains dots (an interface such as {@code weft.1}), as {@code net/ipv4/conf/weft.1/rp_filter}.
 * The file is opened on a thread inside the namespace, which is what makes the kernel resolve it there.
 */
public final class Sysctl {
    private final NetNamespace namespace;

    Sysctl(NetNamespace namespace) {
        this.namespace = namespace;
    }

    public String get(String key) {
        Path path = path(key);
        return namespace.call(() -> {
            try {
                return Files.readString(path).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("sysctl " + key + " in " + namespace, e);
            }
        });
    }

    /** Writes an existing setting; an unknown key fails rather than being created. */
    public void set(String key, String value) {
        Path path = path(key);
        namespace.run(() -> {
            try {
                Files.writeString(path, value, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException("sysctl " + key + "=" + value + " in " + namespace, e);
            }
        });
    }

    /** The file under /proc/sys; each part must be a plain name, so a key cannot climb out of it. */
    static Path path(String key) {
        String relative = key.contains("/") ? key : key.replace('.', '/');
        for (String part : relative.split("/", -1)) {
            if (part.isEmpty() || Set.of(".", "..").contains(part) || part.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid sysctl key \"" + key + "\"");
            }
        }
        return Path.of("/proc/sys").resolve(relative);
    }
}
