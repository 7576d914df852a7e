package io.weft.agent.lease;

import io.weft.netlink.IpPrefix;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubnetPoolTest {
    private static SubnetPool pool(String network, int subnetLength) {
        return new SubnetPool(new ClusterNetwork(IpPrefix.parse(network), subnetLength));
    }

    private static IpPrefix prefix(String text) {
        return IpPrefix.parse(text);
    }

    @Test
    void cutsTheNetworkIntoSubnetsInAddressOrder() {
        SubnetPool pool = pool("10.42.0.0/16", 24);

        assertThat(pool.size()).isEqualTo(256);
        assertThat(pool.subnet(0)).isEqualTo(prefix("10.42.0.0/24"));
        assertThat(pool.subnet(1)).isEqualTo(prefix("10.42.1.0/24"));
        assertThat(pool.subnet(255)).isEqualTo(prefix("10.42.255.0/24"));
        assertThat(pool.index(prefix("10.42.7.0/24"))).isEqualTo(7);
        assertThatThrownBy(() -> pool.subnet(256)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void containsOnlyItsOwnSubnetsInNetworkForm() {
        SubnetPool pool = pool("10.42.0.0/16", 24);

        assertThat(pool.contains(prefix("10.42.3.0/24"))).isTrue();
        assertThat(pool.contains(prefix("10.42.3.1/24"))).as("host bits set").isFalse();
        assertThat(pool.contains(prefix("10.42.3.0/25"))).as("other length").isFalse();
        assertThat(pool.contains(prefix("10.43.3.0/24"))).as("outside the network").isFalse();
        assertThatThrownBy(() -> pool.index(prefix("10.43.3.0/24")))
                .hasMessage("subnet 10.43.3.0/24 is not one of the /24 subnets of network 10.42.0.0/16");
    }

    @Test
    void picksTheLowestSubnetNotTaken() {
        SubnetPool pool = pool("10.42.0.0/16", 24);

        IpPrefix free = pool.lowestFree(Set.of(prefix("10.42.0.0/24"), prefix("10.42.1.0/24"), prefix("10.42.3.0/24")));

        assertThat(free).isEqualTo(prefix("10.42.2.0/24"));
    }

    @Test
    void exhaustedNetworkNamesNetworkAndSubnetLength() {
        SubnetPool pool = pool("10.42.0.0/29", 30);

        assertThatThrownBy(() -> pool.lowestFree(Set.of(prefix("10.42.0.0/30"), prefix("10.42.0.4/30"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no free subnet in network 10.42.0.0/29 with subnetLen 30: all 2 subnets are leased");
    }

    @Test
    void namesSubnetsAsFlannelDoesAndReadsBackOnlyExactNames() {
        SubnetPool pool = pool("10.42.0.0/16", 24);

        assertThat(SubnetPool.key(prefix("10.42.1.0/24"))).isEqualTo("10.42.1.0-24");
        assertThat(pool.subnetOfKey("10.42.1.0-24")).contains(prefix("10.42.1.0/24"));
        assertThat(pool.subnetOfKey("10.42.01.0-24")).as("leading zero").isEmpty();
        assertThat(pool.subnetOfKey("10.42.1.1-24")).as("host bits").isEmpty();
        assertThat(pool.subnetOfKey("10.42.1.0-25")).as("other length").isEmpty();
        assertThat(pool.subnetOfKey("10.99.1.0-24")).as("other network").isEmpty();
        assertThat(pool.subnetOfKey("10.42.1.300-24")).isEmpty();
        assertThat(pool.subnetOfKey(".weft-1234.tmp")).isEmpty();
        assertThat(pool.subnetOfKey("lock")).isEmpty();
    }

    @Test
    void everySubnetOfRandomNetworksIsInsideDistinctAndNamedReversibly() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            int networkLength = 8 + random.nextInt(21);
            int subnetLength = networkLength + 1 + random.nextInt(Math.min(30 - networkLength, 8));
            byte[] address = new byte[4];
            random.nextBytes(address);
            IpPrefix network = new IpPrefix(IpPrefix.parseAddress((address[0] & 0xff) + "." + (address[1] & 0xff) + "."
                    + (address[2] & 0xff) + "." + (address[3] & 0xff)), networkLength).network();
            SubnetPool pool = new SubnetPool(new ClusterNetwork(network, subnetLength));
            String context = "seed " + seed + ", round " + round + ": " + network + " /" + subnetLength;

            Map<Integer, IpPrefix> byIndex = new HashMap<>();
            for (int sample = 0; sample < 20; sample++) {
                int index = sample == 0 ? pool.size() - 1 : random.nextInt(pool.size());
                IpPrefix subnet = pool.subnet(index);
                assertThat(network.contains(subnet.address())).as(context).isTrue();
                assertThat(pool.contains(subnet)).as(context).isTrue();
                assertThat(pool.index(subnet)).as(context).isEqualTo(index);
                assertThat(pool.subnetOfKey(SubnetPool.key(subnet))).as(context).contains(subnet);
                byIndex.put(index, subnet);
            }
            assertThat(new HashSet<>(byIndex.values())).as(context).hasSameSizeAs(byIndex.keySet());
        }
    }
}
