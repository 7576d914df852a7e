package io.weft.bench;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.LeaseClaim;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The nodes the agent benchmarks pretend exist: each claims a lease like an agent would, but no agent
 * runs for it. Their public IPs (198.18.0.0/15, the benchmarking range) are on no underlay, so every
 * running agent reaches them through VXLAN: neighbour, FDB entry and route.
 */
final class FakePeers {
    private FakePeers() {}

    /** Fake node {@code i}: {@code PREFIX-i}, public IP 198.18.0.0 + i + 2, VTEP MAC 0e:00:00:HH:MM:LL. */
    static LeaseClaim claim(String prefix, int i) {
        int u = i + 2;
        try {
            InetAddress publicIp = InetAddress.getByAddress(new byte[] {(byte) 198, (byte) (18 + u / 65536), (byte) (u / 256), (byte) u});
            MacAddress vtep = new MacAddress(new byte[] {0x0e, 0, 0, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
            return new LeaseClaim(prefix + "-" + i, publicIp, vtep);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code --network CIDR --subnet-len BITS}, as the agents were given them: the store's config must match. */
    static ClusterNetwork network(String[] args) {
        return new ClusterNetwork(IpPrefix.parse(option(args, "--network")), Integer.parseInt(option(args, "--subnet-len")));
    }

    static String option(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing " + name + " VALUE");
    }
}
