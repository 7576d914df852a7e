package io.weft.bench;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.Netlink;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.neigh.FdbEntry;
import io.weft.netlink.neigh.Neighbour;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.route.Route;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Driver of bench/netlink-program.sh: programs N peers (permanent neighbour, FDB entry, onlink route
 * each, in the agent's order) onto a freshly created {@code weft.1} in the given namespace, for
 * several rounds, and prints the first (cold JVM) round and the median of the others in nanoseconds.
 * Only the programming is timed; re-creating the device between rounds is not.
 */
public final class ProgramPeers {
    private record Peer(IpPrefix subnet, InetAddress gateway, MacAddress vtep, InetAddress underlay) {}

    private ProgramPeers() {}

    public static void main(String[] args) throws Exception {
        String namespace = option(args, "--netns");
        int peers = Integer.parseInt(option(args, "--peers"));
        int rounds = Integer.parseInt(option(args, "--rounds"));
        List<Peer> all = peers(peers);
        try (NetNamespace ns = NetNamespace.open(namespace); Netlink netlink = Netlink.open(ns)) {
            Link underlay = netlink.links().get("under0");
            long[] times = new long[rounds];
            for (int round = 0; round < rounds; round++) {
                int vxlan = freshDevice(netlink, underlay);
                List<Object[]> objects = new ArrayList<>(peers); // desired state, built before timing
                for (Peer peer : all) {
                    objects.add(new Object[] {Neighbour.permanent(vxlan, peer.gateway(), peer.vtep()),
                            FdbEntry.permanent(vxlan, peer.vtep(), peer.underlay()),
                            Route.to(peer.subnet()).via(peer.gateway()).dev(vxlan).onlink(true)});
                }
                long start = System.nanoTime();
                for (Object[] peer : objects) {
                    netlink.neighbours().add((Neighbour) peer[0]);
                    netlink.fdb().add((FdbEntry) peer[1]);
                    netlink.routes().add((Route) peer[2]);
                }
                times[round] = System.nanoTime() - start;
                check(netlink, vxlan, peers);
            }
            long[] warm = Arrays.copyOfRange(times, Math.min(1, rounds - 1), rounds);
            Arrays.sort(warm);
            System.out.println("cold_round_ns=" + times[0]);
            System.out.println("warm_median_ns=" + warm[warm.length / 2]);
        }
    }

    /** Deletes and re-creates weft.1 (taking its neighbours, FDB entries and routes with it); returns its index. */
    private static int freshDevice(Netlink netlink, Link underlay) throws UnknownHostException {
        netlink.links().find("weft.1").ifPresent(link -> netlink.links().delete("weft.1"));
        var settings = new LinkKind.Vxlan(1, 8472, InetAddress.getByName("192.0.2.1"), underlay.index(), false, 0);
        int index = netlink.links().add(LinkSpec.vxlan("weft.1", settings)).index();
        netlink.links().setUp("weft.1");
        return index;
    }

    private static void check(Netlink netlink, int vxlan, int peers) {
        long neighbours = netlink.neighbours().list(vxlan).stream().filter(Neighbour::permanent).count();
        int fdb = netlink.fdb().list(vxlan).size();
        long routes = netlink.routes().list().stream().filter(r -> r.outputIndex() == vxlan && r.onlink()).count();
        if (neighbours != peers || fdb != peers || routes != peers) {
            throw new IllegalStateException("programmed " + neighbours + " neighbours, " + fdb + " FDB entries, "
                    + routes + " routes; expected " + peers + " of each");
        }
    }

    /** Peer i: subnet 10.(100+i/256).(i%256).0/24, VTEP MAC 0e:00:00:00:HH:LL, underlay 198.18.0.0 + i + 2. */
    private static List<Peer> peers(int count) throws UnknownHostException {
        List<Peer> peers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            InetAddress network = InetAddress.getByAddress(new byte[] {10, (byte) (100 + i / 256), (byte) (i % 256), 0});
            int u = i + 2;
            InetAddress underlay = InetAddress.getByAddress(new byte[] {(byte) 198, (byte) (18 + u / 65536), (byte) (u / 256), (byte) u});
            MacAddress vtep = new MacAddress(new byte[] {0x0e, 0, 0, 0, (byte) (i / 256), (byte) i});
            peers.add(new Peer(new IpPrefix(network, 24), network, vtep, underlay));
        }
        return peers;
    }

    private static String option(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing " + name + " VALUE");
    }
}
