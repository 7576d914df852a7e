package io.weft.cni.config;

import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubnetEnvTest {
    @TempDir
    Path dir;

    @Test
    void readsTheFourKeys() throws Exception {
        Path file = dir.resolve("subnet.env");
        Files.writeString(file, "# written by the agent\nWEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.42.1.1/24\n\nWEFT_MTU=1450\nWEFT_IPMASQ=true\n");

        SubnetEnv subnet = SubnetEnv.read(file);

        assertThat(subnet.network()).isEqualTo(IpPrefix.parse("10.42.0.0/16"));
        assertThat(subnet.subnet()).isEqualTo(IpPrefix.parse("10.42.1.1/24"));
        assertThat(subnet.gateway()).isEqualTo(IpPrefix.parseAddress("10.42.1.1"));
        assertThat(subnet.mtu()).isEqualTo(1450);
        assertThat(subnet.ipMasq()).isTrue();
    }

    @Test
    void writesAtomicallyWhatItReadsBack() throws Exception {
        Path file = dir.resolve("run/weft/subnet.env");
        SubnetEnv first = new SubnetEnv(IpPrefix.parse("10.42.0.0/16"), IpPrefix.parse("10.42.1.1/24"), 1450, true);
        SubnetEnv second = new SubnetEnv(IpPrefix.parse("10.42.0.0/16"), IpPrefix.parse("10.42.7.1/24"), 1400, false);

        first.write(file);
        second.write(file);

        assertThat(SubnetEnv.read(file)).isEqualTo(second);
        assertThat(Files.readString(file)).isEqualTo("WEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.42.7.1/24\nWEFT_MTU=1400\nWEFT_IPMASQ=false\n");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void reportsAMissingFileAsSuch() {
        assertThatThrownBy(() -> SubnetEnv.read(dir.resolve("absent.env"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void namesTheFileAndTheProblem() throws Exception {
        assertRejected("WEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.42.1.1/24\nWEFT_MTU=1450\n", "is missing WEFT_IPMASQ");
        assertRejected("WEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.42.1.1/24\nWEFT_MTU=big\nWEFT_IPMASQ=true\n", "WEFT_MTU=big");
        assertRejected("WEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.42.1.1\nWEFT_MTU=1450\nWEFT_IPMASQ=true\n", "no prefix length");
        assertRejected("WEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.43.1.1/24\nWEFT_MTU=1450\nWEFT_IPMASQ=true\n", "not inside");
        assertRejected("WEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.42.1.0/24\nWEFT_MTU=1450\nWEFT_IPMASQ=true\n", "names the network");
        assertRejected("WEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.42.1.1/31\nWEFT_MTU=1450\nWEFT_IPMASQ=true\n", "too small");
        assertRejected("WEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.42.1.1/24\nWEFT_MTU=1450\nWEFT_IPMASQ=yes\n", "WEFT_IPMASQ=yes");
        assertRejected("WEFT_NETWORK=10.42.0.0/16\ngarbage\n", "line 2");
    }

    private void assertRejected(String content, String messagePart) throws Exception {
        Path file = dir.resolve("subnet.env");
        Files.writeString(file, content);
        assertThatThrownBy(() -> SubnetEnv.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(messagePart);
    }
}
