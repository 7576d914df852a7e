package io.weft.lab.trace;

import io.weft.netlink.IpPrefix;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One end of a trace: a pod's address, and where to look for it.
 *
 * @param name     the pod's name, or its address when it has none
 * @param ip       the pod's address (on its eth0)
 * @param podNetns the pod's network namespace, e.g. {@code /run/netns/NAME} or {@code /proc/PID/ns/net};
 *                 null when it is not in view (a destination on a machine the trace cannot enter)
 * @param node     the node hosting the pod; null when not known
 */
public record TraceEndpoint(String name, InetAddress ip, Path podNetns, TraceNode node) {
    public TraceEndpoint {
        Objects.requireNonNull(name, "endpoint name");
        Objects.requireNonNull(ip, "endpoint address");
    }

    /** {@code node1-pod1 (10.42.1.2)}, or just the address when the endpoint has no other name. */
    public String label() {
        String address = IpPrefix.formatAddress(ip);
        return name.equals(address) ? address : name + " (" + address + ")";
    }
}
