package io.weft.netlink.ethtool;

import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import static io.weft.netlink.sys.Kernel.AF_INET;
import static io.weft.netlink.sys.Kernel.ETHTOOL_GTXCSUM;
import static io.weft.netlink.sys.Kernel.ETHTOOL_STXCSUM;
import static io.weft.netlink.sys.Kernel.IFNAMSIZ;
import static io.weft.netlink.sys.Kernel.OFFSETOF_ETHTOOL_VALUE_DATA;
import static io.weft.netlink.sys.Kernel.OFFSETOF_IFREQ_DATA;
import static io.weft.netlink.sys.Kernel.SIOCETHTOOL;
import static io.weft.netlink.sys.Kernel.SIZEOF_ETHTOOL_VALUE;
import static io.weft.netlink.sys.Kernel.SIZEOF_IFREQ;
import static io.weft.netlink.sys.Kernel.SOCK_CLOEXEC;
import static io.weft.netlink.sys.Kernel.SOCK_DGRAM;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * What {@code ethtool -k} shows about a device's offloads, and the one {@code ethtool -K} setting Weft
 * needs, through the {@code SIOCETHTOOL} ioctl on a socket of the device's namespace (the kernel looks
 * the name up in the socket's namespace). Reading needs no privilege, setting needs CAP_NET_ADMIN.
 */
public final class Ethtool {
    private final NetNamespace namespace;

    private Ethtool(NetNamespace namespace) {
        this.namespace = namespace;
    }

    /** Devices of {@code namespace}, which the caller keeps open. */
    public static Ethtool in(NetNamespace namespace) {
        return new Ethtool(Objects.requireNonNull(namespace, "namespace"));
    }

    /**
     * Whether the device leaves TX checksums to "hardware" ({@code ETHTOOL_GTXCSUM}: any checksum
     * feature on). On a VXLAN device that is {@code tx-checksum-ip-generic}, which {@code ethtool -K
     * DEV tx-checksum-ip-generic off} turns off.
     *
     * @throws io.weft.netlink.sys.SyscallException ENODEV when there is no such device
     */
    public boolean txChecksumOffload(String device) {
        return value(device, ETHTOOL_GTXCSUM, 0, "ETHTOOL_GTXCSUM") != 0;
    }

    /**
     * Turns the device's TX checksum offload on or off ({@code ETHTOOL_STXCSUM}: every checksum feature
     * the device may change). A VXLAN device has one, {@code tx-checksum-ip-generic}, so off is
     * {@code ethtool -K DEV tx-checksum-ip-generic off}. The kernel may drop features that need it (TSO,
     * scatter-gather) with it, as it does for {@code ethtool -K}.
     *
     * @throws io.weft.netlink.sys.SyscallException naming the device and errno: ENODEV when there is no
     *     such device, EOPNOTSUPP when the device has no checksum feature to change, EPERM without
     *     CAP_NET_ADMIN
     */
    public void setTxChecksumOffload(String device, boolean on) {
        value(device, ETHTOOL_STXCSUM, on ? 1 : 0, "ETHTOOL_STXCSUM " + (on ? "on" : "off"));
    }

    /** One {@code struct ethtool_value} command: {@code cmd} and {@code data} in, {@code data} out. */
    private int value(String device, int command, int data, String what) {
        byte[] name = device.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name \"" + device + "\" must be 1 to " + (IFNAMSIZ - 1) + " bytes");
        }
        return namespace.call(() -> {
            int socket = Syscalls.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment value = arena.allocate(SIZEOF_ETHTOOL_VALUE);
                value.set(JAVA_INT, 0, command);
                value.set(JAVA_INT, OFFSETOF_ETHTOOL_VALUE_DATA, data);
                MemorySegment request = arena.allocate(SIZEOF_IFREQ);
                MemorySegment.copy(name, 0, request, JAVA_BYTE, 0, name.length);
                request.set(ADDRESS, OFFSETOF_IFREQ_DATA, value);
                Syscalls.ioctl(socket, SIOCETHTOOL, request, "SIOCETHTOOL " + what + " for " + device + " in " + namespace);
                return value.get(JAVA_INT, OFFSETOF_ETHTOOL_VALUE_DATA);
            } finally {
                Syscalls.close(socket);
            }
        });
    }
}
