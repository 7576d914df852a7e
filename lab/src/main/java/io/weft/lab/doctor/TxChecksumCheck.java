package io.weft.lab.doctor;

import io.weft.agent.kernel.KernelRelease;
import io.weft.netlink.ethtool.Ethtool;

import java.util.List;
import java.util.Optional;

/**
 * The "63-second" bug: kernels before the netfilter fix ea64d8d6c675 (5.7; stable 5.6.13, 5.4.41,
 * 4.19.123, 4.14.181) miscompute the UDP checksum of a VXLAN packet that was NATed twice (a Service's
 * masquerade, then the encapsulation) when the device offloads TX checksums; the receiver drops it, TCP
 * retransmits its SYN until a retry happens to take another path, about 63 s later. Flannel's answer is
 * a documented workaround, offload off on its device; the Weft agent turns it off itself
 * ({@code --tx-checksum-offload auto}, the default, judges the kernel by the same {@link KernelRelease}).
 */
final class TxChecksumCheck implements Check {
    private final String kernelRelease;

    /** @param kernelRelease the node's {@code uname -r} */
    TxChecksumCheck(String kernelRelease) {
        this.kernelRelease = kernelRelease;
    }

    @Override
    public String name() {
        return "tx-checksum";
    }

    @Override
    public CheckResult run(NodeView node) {
        String device = node.overlayName();
        if (node.overlayDevice().isEmpty()) {
            return CheckResult.skipped(name(), device + " is missing (see peers)");
        }
        boolean offload;
        try {
            offload = Ethtool.in(node.namespace()).txChecksumOffload(device);
        } catch (RuntimeException e) {
            return CheckResult.skipped(name(), "the offload state of " + device + " cannot be read: " + e.getMessage());
        }
        Optional<KernelRelease> release = KernelRelease.parse(kernelRelease);
        if (!offload) {
            boolean affected = release.map(KernelRelease::hasVxlanChecksumBug).orElse(false);
            return CheckResult.ok(name(), device + " computes its TX checksums in software (tx-checksum-ip-generic off)"
                    + (affected ? ", as kernel " + kernelRelease + " needs for the VXLAN checksum bug" : ""));
        }
        if (release.isEmpty()) {
            return CheckResult.skipped(name(), "kernel release \"" + kernelRelease + "\" is not a version number");
        }
        if (!release.get().hasVxlanChecksumBug()) {
            return CheckResult.ok(name(), device + " offloads TX checksums; kernel " + kernelRelease
                    + " has the VXLAN checksum fix (5.7, or a fixed stable release)");
        }
        return CheckResult.of(name(), "", List.of(new Finding(
                device + " offloads TX checksums (tx-checksum-ip-generic on) on kernel " + kernelRelease
                        + ", which predates the VXLAN checksum fix",
                "packets to a Service that are masqueraded and then encapsulated leave with a wrong UDP checksum and "
                        + "are dropped by the receiving node: connections through Services stall, typically 63 s until "
                        + "a SYN retry gets through (kubernetes#88986, k3s#2013). Fixed in 5.7 and stable 5.6.13, 5.4.41, "
                        + "4.19.123, 4.14.181; a distribution kernel may carry the fix under an older number",
                "the agent turns it off itself with --tx-checksum-offload auto, the default, or off, and keeps it off "
                        + "when " + device + " is made again (seen on, the agent runs with on or predates the option); by "
                        + "hand: ethtool -K " + device + " tx-checksum-ip-generic off, lost when " + device + " is made "
                        + "again; or move to a kernel with the fix")));
    }
}
