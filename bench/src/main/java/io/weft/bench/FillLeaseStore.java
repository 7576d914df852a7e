package io.weft.bench;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.local.LocalLeaseStore;
import io.weft.netlink.IpPrefix;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.weft.bench.FakePeers.option;

/**
 * Driver of bench/agent-scale.sh: fills a local lease store with N fake peers, each claiming its
 * subnet through {@link LocalLeaseStore#acquire} as an agent does, and writes one line per lease,
 * {@code SUBNET VTEP-MAC PUBLIC-IP}, for the script's {@code ip -batch} reference to program the
 * same objects. Prints how long the claims took, and how long {@link LocalLeaseStore#list} of them takes
 * once warm (the median of {@code --list-rounds}): every reconcile pass of an agent on this store starts with it.
 */
public final class FillLeaseStore {
    private FillLeaseStore() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(option(args, "--store-dir"));
        ClusterNetwork network = FakePeers.network(args);
        int peers = Integer.parseInt(option(args, "--peers"));
        int listRounds = Integer.parseInt(option(args, "--list-rounds"));
        Path list = Path.of(option(args, "--peers-file"));
        long start = System.nanoTime();
        try (LocalLeaseStore store = new LocalLeaseStore(dir, network);
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(list))) {
            for (int i = 0; i < peers; i++) {
                Lease lease = store.acquire(FakePeers.claim("peer", i));
                out.println(lease.subnet() + " " + lease.vtepMac() + " " + IpPrefix.formatAddress(lease.publicIp()));
            }
            System.out.println("fill_ns=" + (System.nanoTime() - start));
            long[] lists = new long[listRounds];
            for (int round = 0; round < listRounds; round++) {
                long listStart = System.nanoTime();
                int listed = store.list().size();
                lists[round] = System.nanoTime() - listStart;
                if (listed != peers) {
                    throw new IllegalStateException("the store lists " + listed + " leases, not " + peers);
                }
            }
            Arrays.sort(lists);
            System.out.println("list_median_ns=" + lists[listRounds / 2]);
        }
    }
}
