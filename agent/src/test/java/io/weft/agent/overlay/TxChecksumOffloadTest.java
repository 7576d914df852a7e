package io.weft.agent.overlay;

import io.weft.agent.lease.Lease;
import io.weft.netlink.Netlink;
import io.weft.netlink.ethtool.Ethtool;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.weft.agent.overlay.KernelView.lease;
import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TX checksum offload of {@code weft.1} as the setting keeps it, against the real kernel: read back with
 * {@code ETHTOOL_GTXCSUM}. A VXLAN device starts with it on, so every device the reconciler makes (again)
 * has to be corrected, and so has one someone changed by hand.
 */
class TxChecksumOffloadTest {
    private static final Lease SELF = lease("node-1", "10.42.1.0/24", "192.0.2.1", "0e:00:00:00:00:01");
    private static final Lease PEER = lease("node-2", "10.42.2.0/24", "198.51.100.2", "0e:00:00:00:00:02");
    private static final List<Lease> LEASES = List.of(SELF, PEER);
    private static final String BUGGY_KERNEL = "5.4.0-26-generic";
    private static final String FIXED_KERNEL = "5.4.41";

    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private Netlink netlink;
    private Ethtool ethtool;
    private VxlanOverlay overlay;

    @BeforeEach
    void createNode() {
        node = sandbox.namespace();
        netlink = Netlink.open(node);
        ethtool = Ethtool.in(node);
        netlink.links().add(LinkSpec.veth("eth0", "eth0p", null));
        ip(node, "addr", "add", "192.0.2.1/24", "dev", "eth0");
        ip(node, "link", "set", "eth0", "up");
    }

    @AfterEach
    void cleanUp() {
        if (overlay != null) {
            overlay.close();
        }
        netlink.close();
        sandbox.close();
    }

    private VxlanOverlay overlay(TxChecksumOffload setting, String kernelRelease) {
        overlay = new VxlanOverlay(netlink, Underlay.of(netlink, "eth0"), OverlaySettings.defaults().withTxChecksumOffload(setting),
                SELF.vtepMac(), kernelRelease);
        return overlay;
    }

    private boolean offload() {
        return ethtool.txChecksumOffload("weft.1");
    }

    @Test
    void offTurnsItOffOnTheNewDeviceAndAgainOnTheDeviceMadeAfterADeletion() {
        overlay(TxChecksumOffload.OFF, FIXED_KERNEL);

        ReconcileResult first = overlay.reconcile(SELF, LEASES);

        assertThat(offload()).isFalse();
        assertThat(first.replaced()).as("the offload of the device just made").isEqualTo(1);

        ip(node, "link", "del", "weft.1");
        ReconcileResult again = overlay.reconcile(SELF, LEASES);

        assertThat(offload()).isFalse();
        assertThat(again.added()).as("device, address, neighbour, fdb entry, route").isEqualTo(5);
        assertThat(again.replaced()).isEqualTo(1);
    }

    @Test
    void offTurnsItOffAgainWhenSomeoneTurnedItBackOnAndThenChangesNothing() {
        overlay(TxChecksumOffload.OFF, FIXED_KERNEL).reconcile(SELF, LEASES);
        ethtool.setTxChecksumOffload("weft.1", true);

        ReconcileResult repair = overlay.reconcile(SELF, LEASES);
        ReconcileResult quiet = overlay.reconcile(SELF, LEASES);

        assertThat(offload()).isFalse();
        assertThat(repair.changes()).isEqualTo(1);
        assertThat(quiet.changes()).isZero();
    }

    @Test
    void offFollowsADeviceMadeAgainForAWrongFixedSetting() {
        ip(node, "link", "add", "weft.1", "type", "vxlan", "id", "2", "dstport", "8472", "dev", "eth0", "local", "192.0.2.1");

        overlay(TxChecksumOffload.OFF, FIXED_KERNEL).reconcile(SELF, LEASES);

        assertThat(offload()).isFalse();
    }

    @Test
    void onLeavesTheKernelsDefaultOnAndTurnsItBackOnWhenFoundOff() {
        ReconcileResult first = overlay(TxChecksumOffload.ON, BUGGY_KERNEL).reconcile(SELF, LEASES);

        assertThat(offload()).isTrue();
        assertThat(first.replaced()).as("a new device has it on already").isZero();

        ethtool.setTxChecksumOffload("weft.1", false);
        overlay.reconcile(SELF, LEASES);

        assertThat(offload()).isTrue();
    }

    @Test
    void autoTurnsItOffOnAKernelWithTheChecksumBug() {
        overlay(TxChecksumOffload.AUTO, BUGGY_KERNEL).reconcile(SELF, LEASES);

        assertThat(offload()).isFalse();
    }

    @Test
    void autoLeavesItAsItIsOnAKernelWithTheFix() {
        overlay(TxChecksumOffload.AUTO, FIXED_KERNEL).reconcile(SELF, LEASES);
        assertThat(offload()).as("the kernel's default").isTrue();

        ethtool.setTxChecksumOffload("weft.1", false);
        ReconcileResult pass = overlay.reconcile(SELF, LEASES);

        assertThat(offload()).as("an administrator's choice").isFalse();
        assertThat(pass.changes()).isZero();
    }

    @Test
    void autoLeavesItAsItIsWhenTheKernelReleaseIsNoVersion() {
        overlay(TxChecksumOffload.AUTO, "linux").reconcile(SELF, LEASES);

        assertThat(offload()).isTrue();
    }
}
