package io.weft.agent.overlay;

import io.weft.agent.kernel.KernelRelease;
import io.weft.agent.overlay.Changes.Kind;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.addr.Address;
import io.weft.netlink.ethtool.Ethtool;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.sys.SyscallException;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The node's VXLAN device as the design has it: VNI and port from the settings, learning off, sending
 * from the underlay's address through the underlay, MTU the underlay's less the headers, the MAC peers
 * know it by, up, and the node's subnet network address as its only IPv4 address (the source of the
 * node's own packets to remote pods), and TX checksum offload as the settings say. Settings the kernel
 * fixes at creation are corrected by making the device again; the rest in place. The offload is not
 * part of the link (ethtool, not netlink) and a new device starts with it on, so it is read and set
 * again on every pass, whether the device was just made or someone turned it back on.
 */
final class VxlanDevice {
    private static final System.Logger LOG = System.getLogger(VxlanDevice.class.getName());

    private final Netlink netlink;
    private final Ethtool ethtool;
    private final LinkSpec spec;
    /** Whether TX checksum offload is kept on or off; empty: left as it is. */
    private final Optional<Boolean> txChecksumOffload;

    /** @param kernelRelease the running kernel's {@code uname -r}, which {@link TxChecksumOffload#AUTO} judges */
    VxlanDevice(Netlink netlink, Underlay underlay, OverlaySettings settings, MacAddress mac, String kernelRelease) {
        this.netlink = netlink;
        this.ethtool = netlink.ethtool();
        LinkKind.Vxlan kind = new LinkKind.Vxlan(settings.vni(), settings.port(), underlay.address(), underlay.index(), false, 0);
        this.spec = LinkSpec.vxlan(settings.deviceName(), kind).withMtu(underlay.vxlanMtu()).withMac(Objects.requireNonNull(mac, "mac"));
        this.txChecksumOffload = txChecksumOffload(settings.txChecksumOffload(), kernelRelease, settings.deviceName());
    }

    /** What the setting means on this kernel, said once in the log when the device's offload is changed for it. */
    private static Optional<Boolean> txChecksumOffload(TxChecksumOffload setting, String kernelRelease, String device) {
        return switch (setting) {
            case ON -> Optional.of(true);
            case OFF -> {
                LOG.log(INFO, "TX checksum offload off on " + device + ", as configured");
                yield Optional.of(false);
            }
            case AUTO -> {
                Optional<KernelRelease> release = KernelRelease.parse(kernelRelease);
                if (release.isEmpty()) {
                    LOG.log(WARNING, "kernel release \"" + kernelRelease + "\" is not a version number: TX checksum offload of "
                            + device + " left as it is (turn it off if the kernel has the VXLAN checksum bug)");
                    yield Optional.empty();
                }
                if (!release.get().hasVxlanChecksumBug()) {
                    yield Optional.empty();
                }
                LOG.log(INFO, "kernel " + kernelRelease + " has the VXLAN checksum bug: TX checksum offload off on " + device);
                yield Optional.of(false);
            }
        };
    }

    String name() {
        return spec.name();
    }

    int mtu() {
        return spec.mtu();
    }

    /**
     * Makes the kernel's device match, with {@code subnet}'s network address as its address, and returns
     * its index. Making it again, or taking it down, removes the routes and neighbours on it: the caller
     * reads those afterwards.
     */
    int ensure(IpPrefix subnet, Changes changes) {
        Link link = netlink.links().find(name()).orElse(null);
        if (link == null) {
            changes.make(Kind.ADDED, this::create);
            link = netlink.links().get(name());
        } else if (!(link.kind() instanceof LinkKind.Vxlan actual) || !fixedSettingsMatch(actual)) {
            changes.make(Kind.REPLACED, () -> {
                netlink.links().delete(name());
                create();
            });
            link = netlink.links().get(name());
        } else {
            correctInPlace(link, changes);
        }
        int index = link.index();
        ensureOnlyAddress(index, new IpPrefix(subnet.address(), subnet.address().getAddress().length * 8), changes);
        ensureTxChecksumOffload(changes);
        return index;
    }

    /** One ioctl per pass when it is right; a failure does not keep the peers from being programmed. */
    private void ensureTxChecksumOffload(Changes changes) {
        if (txChecksumOffload.isEmpty()) {
            return;
        }
        boolean wanted = txChecksumOffload.get();
        boolean actual;
        try {
            actual = ethtool.txChecksumOffload(name());
        } catch (SyscallException e) {
            changes.failed(e);
            return;
        }
        if (actual != wanted) {
            changes.attempt(Kind.REPLACED, () -> ethtool.setTxChecksumOffload(name(), wanted));
        }
    }

    private void create() {
        netlink.links().add(spec);
        netlink.links().setUp(name());
    }

    /** What {@code RTM_NEWLINK} cannot change on an existing VXLAN device. */
    private boolean fixedSettingsMatch(LinkKind.Vxlan actual) {
        LinkKind.Vxlan wanted = (LinkKind.Vxlan) spec.kind();
        return actual.vni() == wanted.vni() && actual.port() == wanted.port() && Objects.equals(actual.local(), wanted.local())
                && actual.underlayIndex() == wanted.underlayIndex() && actual.learning() == wanted.learning();
    }

    private void correctInPlace(Link link, Changes changes) {
        if (link.mtu() != spec.mtu()) {
            changes.make(Kind.REPLACED, () -> netlink.links().setMtu(name(), spec.mtu()));
        }
        if (!spec.mac().equals(link.mac())) {
            changes.make(Kind.REPLACED, () -> netlink.links().setMac(name(), spec.mac()));
        }
        if (!link.up()) {
            changes.make(Kind.REPLACED, () -> netlink.links().setUp(name()));
        }
    }

    /** The wanted address added before any other IPv4 address is removed; IPv6 (the kernel's link-local) is left alone. */
    private void ensureOnlyAddress(int index, IpPrefix wanted, Changes changes) {
        List<IpPrefix> present = netlink.addresses().list(index).stream()
                .map(Address::prefix).filter(IpPrefix::isIpv4).toList();
        if (!present.contains(wanted)) {
            changes.make(Kind.ADDED, () -> netlink.addresses().add(index, wanted));
        }
        for (IpPrefix other : present) {
            if (!other.equals(wanted)) {
                changes.make(Kind.DELETED, () -> netlink.addresses().delete(index, other));
            }
        }
    }
}
