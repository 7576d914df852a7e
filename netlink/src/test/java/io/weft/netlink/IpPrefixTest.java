package io.weft.netlink;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpPrefixTest {
    private static String format(String literal) {
        return IpPrefix.formatAddress(IpPrefix.parseAddress(literal));
    }

    @Test
    void formatsIpv6InTheShortFormIpPrints() {
        assertThat(format("2001:db8:0:0:0:0:0:2")).isEqualTo("2001:db8::2");
        assertThat(format("0:0:0:0:0:0:0:0")).isEqualTo("::");
        assertThat(format("0:0:0:0:0:0:0:1")).isEqualTo("::1");
        assertThat(format("fe80:0:0:0:0:0:0:0")).isEqualTo("fe80::");
        assertThat(format("2001:DB8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1"); // one zero group stays
        assertThat(format("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1"); // the longest run shrinks
        assertThat(format("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1"); // the first of equal runs
        assertThat(format("192.0.2.2")).isEqualTo("192.0.2.2");
        assertThat(IpPrefix.parse("fd00:0:0:0:0:0:0:0/64").toString()).isEqualTo("fd00::/64");
    }

    @Test
    void shortFormParsesBackToTheSameAddress() throws UnknownHostException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 10_000; round++) {
            byte[] bytes = new byte[16];
            for (int group = 0; group < 8; group++) {
                if (random.nextInt(3) != 0) { // many zero groups, so that runs of every length occur
                    bytes[2 * group] = (byte) random.nextInt(256);
                    bytes[2 * group + 1] = (byte) random.nextInt(256);
                }
            }
            InetAddress address = InetAddress.getByAddress(bytes);
            String text = IpPrefix.formatAddress(address);

            String context = "seed " + seed + ", " + address.getHostAddress() + " -> " + text;
            assertThat(IpPrefix.parseAddress(text).getAddress()).as(context).isEqualTo(bytes);
            assertThat(text.indexOf("::")).as(context).isEqualTo(text.lastIndexOf("::"));
            assertThat(text).as(context).doesNotContainPattern("(^|:)0[0-9a-f]");
            int shortened = text.contains("::") ? 8 - groupsShown(text) : 0;
            int longestLeft = longestZeroRun(text);
            assertThat(shortened).as(context).isNotEqualTo(1);
            assertThat(longestLeft).as(context).isLessThanOrEqualTo(Math.max(shortened, 1));
        }
    }

    private static int groupsShown(String text) {
        return (int) java.util.Arrays.stream(text.split(":")).filter(group -> !group.isEmpty()).count();
    }

    private static int longestZeroRun(String text) {
        int longest = 0;
        for (String part : text.split("::", -1)) {
            int run = 0;
            for (String group : part.split(":")) {
                run = group.equals("0") ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
        }
        return longest;
    }

    @Test
    void equalWhenAddressAndLengthAreEqualAsARecordWouldBe() {
        IpPrefix prefix = IpPrefix.parse("10.42.1.0/24");
        IpPrefix same = IpPrefix.parse("10.42.1.0/24");
        assertThat(same).isNotSameAs(prefix).isEqualTo(prefix).hasSameHashCodeAs(prefix);
        assertThat(IpPrefix.parse("fd00::/64")).isEqualTo(IpPrefix.parse("fd00:0::0/64"));
        assertThat(IpPrefix.parse("10.42.1.0/25")).isNotEqualTo(prefix);
        assertThat(IpPrefix.parse("10.42.2.0/24")).isNotEqualTo(prefix);
        assertThat(IpPrefix.parse("::/0")).isNotEqualTo(IpPrefix.parse("0.0.0.0/0"));
        assertThat(prefix).isNotEqualTo("10.42.1.0/24").isNotEqualTo(null);
    }

    @Test
    void parsesOnlyLiteralsNeverHostNames() {
        assertThat(IpPrefix.parseAddress("10.42.1.1").getHostAddress()).isEqualTo("10.42.1.1");
        assertThat(IpPrefix.parse("fd00::1/64").length()).isEqualTo(64);
        for (String bad : new String[] {"abc", "cafe", "localhost", "999.1.1.1", "1.2.3", "1.2.3.4.5", "", "fd00::zz", "10.0.0.1 "}) {
            assertThatThrownBy(() -> IpPrefix.parseAddress(bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an IP address");
        }
    }

    @Test
    void networkAndContainsAgreeWithPrefixArithmetic() throws UnknownHostException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 10_000; round++) {
            int size = random.nextBoolean() ? 4 : 16;
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            int length = random.nextInt(size * 8 + 1);
            IpPrefix prefix = new IpPrefix(InetAddress.getByAddress(bytes), length);
            byte[] other = bytes.clone();
            if (random.nextBoolean()) { // flip one bit, inside or outside the prefix
                int bit = random.nextInt(size * 8);
                other[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            }
            BigInteger mask = BigInteger.ONE.shiftLeft(size * 8).subtract(BigInteger.ONE)
                    .shiftRight(length).not();
            BigInteger network = new BigInteger(1, bytes).and(mask);

            String context = "seed " + seed + ", " + prefix + ", other " + InetAddress.getByAddress(other).getHostAddress();
            IpPrefix masked = prefix.network();
            assertThat(new BigInteger(1, masked.address().getAddress())).as(context).isEqualTo(network);
            assertThat(masked.length()).as(context).isEqualTo(length);
            assertThat(masked.network()).as(context).isSameAs(masked); // a network is its own: nothing allocated
            assertThat(prefix.contains(InetAddress.getByAddress(other))).as(context)
                    .isEqualTo(new BigInteger(1, other).and(mask).equals(network));
            assertThat(prefix.contains(InetAddress.getByAddress(new byte[20 - size]))).as(context).isFalse(); // other family
        }
    }
}
