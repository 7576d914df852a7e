package io.weft.agent.lease.etcd;

import io.etcd.jetcd.ByteSequence;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayoutTest {
    private static final ClusterNetwork NETWORK = new ClusterNetwork(IpPrefix.parse("10.42.0.0/28"), 30);
    private final Layout layout = new Layout("/weft", NETWORK);

    @Test
    void namesEachSubnetsKeyAndReadsItBack() {
        SubnetRange range = layout.subnets();

        assertThat(range.size()).isEqualTo(4);
        assertThat(layout.key(range.get(3)).toString(UTF_8)).isEqualTo("/weft/subnets/10.42.0.12-30");
        for (long index = 0; index < range.size(); index++) {
            IpPrefix subnet = range.get(index);
            assertThat(layout.subnet(layout.key(subnet))).isEqualTo(subnet);
            assertThat(range.index(subnet)).isEqualTo(index);
        }
    }

    @Test
    void ignoresKeysThatNameNoSubnetOfTheNetwork() {
        for (String key : List.of("/weft/subnets/junk", "/weft/subnets/10.42.0.4-29", "/weft/subnets/10.42.0.5-30",
                "/weft/subnets/10.43.0.0-30", "/weft/config", "/other/subnets/10.42.0.0-30")) {
            assertThat(layout.subnet(ByteSequence.from(key, UTF_8))).as(key).isNull();
        }
    }

    @Test
    void findsTheLowestFreeSubnetOrNoneWhenAllAreTaken() {
        SubnetRange range = layout.subnets();

        assertThat(range.lowestFree(Set.of(range.get(0), range.get(2)))).contains(range.get(1));
        assertThat(range.lowestFree(Set.of(range.get(0), range.get(1), range.get(2), range.get(3)))).isEmpty();
    }

    @Test
    void refusesAConfigWithoutASubnetLength() {
        assertThatThrownBy(() -> Layout.network(ByteSequence.from("{\"network\":\"10.42.0.0/16\"}", UTF_8)))
                .hasMessageContaining("\"subnetLen\" is missing");
        assertThat(Layout.network(Layout.networkValue(NETWORK))).isEqualTo(NETWORK);
    }

    @Test
    void configTrimsThePrefixAndRefusesHalfATlsIdentityOrATooShortTtl() {
        List<URI> endpoints = List.of(URI.create("http://127.0.0.1:2379"));

        assertThat(new EtcdConfig(endpoints, "/weft/", null, null, null, EtcdConfig.DEFAULT_TTL).prefix()).isEqualTo("/weft");
        assertThatThrownBy(() -> new EtcdConfig(endpoints, "/weft", null, Path.of("/etc/weft/etcd.crt"), null, EtcdConfig.DEFAULT_TTL))
                .hasMessageContaining("certificate /etc/weft/etcd.crt given without a key");
        assertThatThrownBy(() -> new EtcdConfig(endpoints, "/weft", null, null, null, Duration.ofSeconds(1)))
                .hasMessageContaining("at least 2 s");
        assertThatThrownBy(() -> new EtcdConfig(endpoints, "weft", null, null, null, EtcdConfig.DEFAULT_TTL))
                .hasMessageContaining("absolute key path");
    }
}
