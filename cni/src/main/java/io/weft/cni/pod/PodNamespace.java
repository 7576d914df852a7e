package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.netlink.Netlink;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.sys.SyscallException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The pod's network namespace ({@code CNI_NETNS}) opened, with a netlink handle inside it. */
record PodNamespace(String path, NetNamespace namespace, Netlink netlink) implements AutoCloseable {

    /** Opens {@code CNI_NETNS} for ADD or CHECK: a {@link CniException} (103) when it is not a network namespace one can enter. */
    static PodNamespace open(String path) {
        NetNamespace namespace;
        try {
            namespace = NetNamespace.openPath(Path.of(path));
        } catch (SyscallException e) {
            throw new CniException(CniException.NAMESPACE_UNAVAILABLE, "CNI_NETNS " + path + " cannot be opened: " + e.errnoName(),
                    e.getMessage());
        }
        try {
            return new PodNamespace(path, namespace, Netlink.open(namespace));
        } catch (SyscallException e) {
            namespace.close();
            throw new CniException(CniException.NAMESPACE_UNAVAILABLE, "CNI_NETNS " + path + " is not a network namespace: "
                    + e.errnoName(), e.getMessage());
        }
    }

    /** Opens {@code CNI_NETNS} for DEL, where an empty or vanished namespace is normal: empty then. */
    static Optional<PodNamespace> openIfPresent(String path) {
        if (path.isEmpty() || !Files.exists(Path.of(path))) {
            return Optional.empty();
        }
        return Optional.of(open(path));
    }

    @Override
    public void close() {
        try {
            netlink.close();
        } finally {
            namespace.close();
        }
    }
}
