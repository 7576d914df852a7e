package io.weft.netlink.ethtool;

import io.weft.netlink.link.LinkKind;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.testing.InFreshNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.weft.netlink.sys.Kernel.ENODEV;
import static io.weft.netlink.testing.Sandbox.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Offload state read from devices whose defaults the kernel fixes: a VXLAN device computes no TX
 * checksum itself ({@code tx-checksum-ip-generic} on), a fresh tap leaves them all to its reader
 * (until {@code TUNSETOFFLOAD}, off). Set, then read back with {@code ETHTOOL_GTXCSUM}, and with
 * {@code ethtool -k} where it is installed.
 */
class EthtoolTest extends InFreshNamespace {
    @Test
    void aVxlanDeviceOffloadsItsTxChecksumsByDefault() {
        netlink.links().add(LinkSpec.vxlan("vx0", new LinkKind.Vxlan(1, 8472, null, 0, false, 0)));

        assertThat(Ethtool.in(node).txChecksumOffload("vx0")).isTrue();
    }

    @Test
    void turnsTxChecksumOffloadOfAVxlanDeviceOffAndOnAgain() {
        netlink.links().add(LinkSpec.vxlan("vx0", new LinkKind.Vxlan(1, 8472, null, 0, false, 0)));
        Ethtool ethtool = Ethtool.in(node);

        ethtool.setTxChecksumOffload("vx0", false);

        assertThat(ethtool.txChecksumOffload("vx0")).isFalse();
        assertThat(ethtoolFeature("vx0", "tx-checksum-ip-generic")).isIn("off", "(ethtool is not installed)");

        ethtool.setTxChecksumOffload("vx0", true);

        assertThat(ethtool.txChecksumOffload("vx0")).isTrue();
        assertThat(ethtoolFeature("vx0", "tx-checksum-ip-generic")).isIn("on", "(ethtool is not installed)");
    }

    @Test
    void settingADeviceOfAnotherNamespaceFailsNamingDeviceAndErrno() {
        assertThatThrownBy(() -> Ethtool.in(node).setTxChecksumOffload("eth0", false))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(ENODEV))
                .hasMessageContaining("SIOCETHTOOL ETHTOOL_STXCSUM off for eth0 in netns wtest-")
                .hasMessageContaining("ENODEV");
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
                .hasMessageContaining("SIOCETHTOOL ETHTOOL_GTXCSUM for eth0 in netns wtest-");
    }

    /** A feature's state as {@code ethtool -k} prints it inside the namespace ({@code on}, {@code off [fixed]}). */
    private String ethtoolFeature(String device, String feature) {
        boolean installed = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "ethtool")));
        if (!installed) {
            return "(ethtool is not installed)";
        }
        String shown = Sandbox.run(List.of("ip", "netns", "exec", node.name(), "ethtool", "-k", device));
        return shown.lines().map(String::strip).filter(line -> line.startsWith(feature + ":"))
                .map(line -> line.substring(feature.length() + 1).strip()).findFirst().orElseThrow();
    }
}
