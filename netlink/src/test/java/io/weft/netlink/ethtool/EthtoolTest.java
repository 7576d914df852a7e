package io.weft.netlink.ethtool;

import io.weft.netlink.Netlink;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.weft.netlink.sys.Kernel.ENODEV;
import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Offload state read from devices whose defaults the kernel fixes: a VXLAN device computes no TX
 * checksum itself ({@code tx-checksum-ip-generic} on), a fresh tap leaves them all to its reader
 * (until {@code TUNSETOFFLOAD}, off).
 */
class EthtoolTest {
    private final Sandbox sandbox = new Sandbox();
    private NetNamespace node;
    private Netlink netlink;

    @BeforeEach
    void openNamespace() {
        node = sandbox.namespace();
        netlink = Netlink.open(node);
    }

    @AfterEach
    void cleanUp() {
        netlink.close();
        sandbox.close();
    }

    @Test
    void aVxlanDeviceOffloadsItsTxChecksumsByDefault() {
        netlink.links().add(LinkSpec.vxlan("vx0", new LinkKind.Vxlan(1, 8472, null, 0, false, 0)));

        assertThat(Ethtool.in(node).txChecksumOffload("vx0")).isTrue();
    }

    @Test
    void aFreshTapDoesNotOffloadTxChecksums() {
        ip(node, "tuntap", "add", "dev", "tap0", "mode", "tap");

        assertThat(Ethtool.in(node).txChecksumOffload("tap0")).isFalse();
    }

    @Test
    void readsTheDeviceOfItsOwnNamespace() {
        assertThatThrownBy(() -> Ethtool.in(node).txChecksumOffload("eth0"))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(ENODEV))
                .hasMessageContaining("SIOCETHTOOL eth0 in netns wtest-");
    }
}
