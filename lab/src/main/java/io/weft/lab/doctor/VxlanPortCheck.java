package io.weft.lab.doctor;

import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Weft's UDP port (8472, the kernel's and Flannel's VXLAN default) must be its own in the node's
 * namespace: no other VXLAN device on it ({@code flannel.1}, Cilium's {@code cilium_vxlan}), and no
 * process holding a socket on it (then {@code weft.1} cannot even come up: EADDRINUSE).
 */
final class VxlanPortCheck implements Check {
    @Override
    public String name() {
        return "vxlan-port";
    }

    @Override
    public CheckResult run(NodeView node) {
        int port = node.target().overlay().port();
        List<Finding> findings = new ArrayList<>();
        for (Link link : node.links()) {
            if (link.kind() instanceof LinkKind.Vxlan vxlan && vxlan.port() == port && !link.name().equals(node.overlayName())) {
                findings.add(deviceFinding(node, link, vxlan));
            }
        }
        Set<Long> inodes = udpInodes(node, port);
        for (Owner owner : owners(inodes)) {
            findings.add(new Finding(
                    "process " + owner.command() + " (pid " + owner.pid() + ") holds UDP port " + port + " in this node's namespace",
                    "the kernel's VXLAN socket for " + node.overlayName() + " needs the port: while another socket has it, "
                            + node.overlayName() + " cannot be brought up (EADDRINUSE) and no encapsulated packet is received",
                    "stop that program or move it to another port (kill " + owner.pid() + " if it is a leftover)"));
        }
        return CheckResult.of(name(), "UDP " + port + " is " + node.overlayName() + "'s alone", findings);
    }

    private static Finding deviceFinding(NodeView node, Link link, LinkKind.Vxlan vxlan) {
        String name = link.name();
        String lower = name.toLowerCase(Locale.ROOT);
        String owner = lower.startsWith("flannel") ? "Flannel's VXLAN device" : lower.startsWith("cilium") ? "Cilium's VXLAN device"
                : "another VXLAN device";
        String problem = name + " is " + owner + " on UDP " + vxlan.port() + " (VNI " + vxlan.vni() + ")";
        String why = (vxlan.vni() == node.target().overlay().vni()
                ? "the kernel refuses a second VXLAN device with the same VNI and port, so while " + name + " exists the "
                + "agent cannot create " + node.overlayName() + " (EEXIST, \"A VXLAN device with the specified VNI already "
                + "exists\")"
                : "both devices share the kernel's socket on port " + vxlan.port() + ", so a firewall rule or a capture for "
                + "one is for both, and the packets of the other network arrive on this node too")
                + "; two pod networks on one node also fight over the pod routes and the CNI config";
        String fix = lower.startsWith("flannel")
                ? "run one pod network: on k3s start the server with --flannel-backend=none (else remove the kube-flannel "
                + "DaemonSet), then ip link del " + name
                : "remove the other network's agent, then ip link del " + name + " (or give it another port)";
        return new Finding(problem, why, fix);
    }

    /** The inodes of the UDP sockets (IPv4 and IPv6) bound to {@code port} in the node's namespace. */
    private static Set<Long> udpInodes(NodeView node, int port) {
        return node.namespace().call(() -> {
            Set<Long> inodes = new HashSet<>();
            for (String table : List.of("udp", "udp6")) {
                // thread-self: /proc/net follows the process's main thread, not this one inside the namespace
                Path file = Path.of("/proc/thread-self/net", table);
                if (!Files.exists(file)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (String line : lines.subList(1, lines.size())) {
                    String[] fields = line.strip().split("\\s+");
                    String local = fields[1];
                    int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                    long inode = Long.parseLong(fields[9]);
                    if (localPort == port && inode != 0) {
                        inodes.add(inode);
                    }
                }
            }
            return inodes;
        });
    }

    private record Owner(long pid, String command) {}

    /**
     * The processes with a descriptor on one of these sockets. The kernel's own VXLAN sockets have
     * none, so only user-space holders are found.
     */
    private static List<Owner> owners(Set<Long> inodes) {
        if (inodes.isEmpty()) {
            return List.of();
        }
        Set<String> targets = new HashSet<>();
        inodes.forEach(inode -> targets.add("socket:[" + inode + "]"));
        List<Owner> owners = new ArrayList<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                if (holdsAny(process.resolve("fd"), targets)) {
                    owners.add(new Owner(Long.parseLong(process.getFileName().toString()), command(process)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing /proc", e);
        }
        return owners;
    }

    private static boolean holdsAny(Path fdDir, Set<String> targets) {
        try (Stream<Path> fds = Files.list(fdDir)) {
            return fds.anyMatch(fd -> {
                try {
                    return targets.contains(Files.readSymbolicLink(fd).toString());
                } catch (IOException | UnsupportedOperationException e) {
                    return false; // closed meanwhile
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return false; // the process ended meanwhile
        }
    }

    private static String command(Path process) {
        try {
            return Files.readString(process.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
