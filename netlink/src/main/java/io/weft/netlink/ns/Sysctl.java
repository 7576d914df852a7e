package io.weft.netlink.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

    public void set(String key, String value) {
        Path path = path(key);
        namespace.run(() -> {
            try {
                Files.writeString(path, value);
            } catch (IOException e) {
                throw new UncheckedIOException("sysctl " + key + "=" + value + " in " + namespace, e);
            }
        });
    }

    static Path path(String key) {
        String relative = key.contains("/") ? key : key.replace('.', '/');
        if (relative.startsWith("/") || relative.contains("..") || relative.isEmpty()) {
            throw new IllegalArgumentException("invalid sysctl key \"" + key + "\"");
        }
        return Path.of("/proc/sys").resolve(relative);
    }
}
