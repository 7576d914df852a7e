package io.weft.lab.doctor;

import io.weft.agent.lease.Lease;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.lab.LabNode;
import io.weft.lab.LabPod;
import io.weft.netlink.ns.NetNamespace;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where one node's state is, for {@link Doctor} to read.
 *
 * @param node the node's name in the store (the agent's {@code --node-name})
 * @param netns the node's network namespace: {@code /proc/thread-self/ns/net} on a real node, {@code /run/netns/NAME} in a lab
 * @param runDir the agent's {@code --run-dir} ({@code subnet.env})
 * @param stateDir the agent's {@code --state-dir} ({@code vtep-mac})
 * @param cniConfDir the runtime's CNI config dir, where Weft's conflist is
 * @param leases every lease the store holds, this node's included: what the kernel should reflect
 * @param overlay the overlay's settings as the agent runs with them (device, port, route protocol, direct routing)
 * @param pods the pod interfaces to check the MTU of
 */
public record DoctorTarget(String node, Path netns, Path runDir, Path stateDir, Path cniConfDir, List<Lease> leases,
                           OverlaySettings overlay, List<Pod> pods) {
    /**
     * A pod's interface.
     *
     * @param name what to call it in the report
     * @param netns its network namespace
     * @param ifName the interface the plugin made there ({@code CNI_IFNAME}, normally {@code eth0})
     */
    public record Pod(String name, Path netns, String ifName) {
        public Pod {
            Objects.requireNonNull(name, "pod name");
            Objects.requireNonNull(netns, "pod netns");
            Objects.requireNonNull(ifName, "pod interface");
        }
    }

    public DoctorTarget {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(cniConfDir, "cniConfDir");
        Objects.requireNonNull(overlay, "overlay");
        leases = List.copyOf(leases);
        pods = List.copyOf(pods);
    }

    /** A lab node with its pods (those of other nodes are left out), its agent running with the default overlay. */
    public static DoctorTarget forLab(LabNode node, List<LabPod> pods, List<Lease> leases) {
        List<Pod> own = pods.stream().filter(pod -> pod.node().equals(node.name()))
                .map(pod -> new Pod(pod.name(), NetNamespace.NAMED_DIR.resolve(pod.netns()), "eth0")).toList();
        return new DoctorTarget(node.name(), NetNamespace.NAMED_DIR.resolve(node.netns()), node.runDir(), node.stateDir(),
                node.cniConfDir(), leases, OverlaySettings.defaults(), own);
    }

    /** {@code RUN_DIR/subnet.env}. */
    public Path subnetFile() {
        return runDir.resolve("subnet.env");
    }

    /** {@code STATE_DIR/vtep-mac}. */
    public Path vtepMacFile() {
        return stateDir.resolve("vtep-mac");
    }
}
