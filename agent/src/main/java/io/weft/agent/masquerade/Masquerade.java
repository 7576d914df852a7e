package io.weft.agent.masquerade;

import io.weft.netlink.IpPrefix;

import static java.lang.System.Logger.Level.WARNING;

/**
 * The nftables table {@code ip weft}: pod traffic leaving the pod network is masqueraded (with
 * fully random source ports, against the SNAT port races of many pods behind one address), traffic
 * within the pod network and from outside to pods is left alone, and forwarding to and from the pod
 * network is accepted. The whole table is replaced in one {@code nft -f -} transaction ("add, delete,
 * define" — it exists, it is gone, it is defined again), so no packet ever meets half a rule set and
 * applying twice changes nothing.
 *
 * <p>Not thread-safe: the agent applies and checks from its one reconciling thread.
 */
public final class Masquerade {
    private static final System.Logger LOG = System.getLogger(Masquerade.class.getName());
    public static final String TABLE = "weft";

    private final Nft nft;
    private final IpPrefix network;
    private String applied;

    /** @param network the cluster's pod network */
    public Masquerade(Nft nft, IpPrefix network) {
        if (!network.isIpv4()) {
            throw new IllegalArgumentException("masquerade for " + network + ": table ip " + TABLE + " is IPv4");
        }
        this.nft = nft;
        this.network = network.network();
    }

    /** The transaction: the table replaced by its definition. */
    public String transaction() {
        String pods = network.toString();
        return """
                add table ip weft
                delete table ip weft
                table ip weft {
                	chain postrouting {
                		type nat hook postrouting priority srcnat; policy accept;
                		meta mark & 0x4000 == 0x4000 return comment "kube-proxy masquerades what it marked"
                		ip saddr %1$s ip daddr %1$s return comment "pod to pod"
                		ip saddr %1$s ip daddr 224.0.0.0/4 return comment "multicast"
                		ip saddr %1$s masquerade fully-random comment "pod to outside"
                	}
                	chain forward {
                		type filter hook forward priority filter; policy accept;
                		ip saddr %1$s accept
                		ip daddr %1$s accept
                	}
                }
                """.formatted(pods);
    }

    /** Has the kernel check the transaction without applying it: nft missing, no nf_tables or no NAT fail here. */
    public void check() {
        nft.run(transaction(), "--check", "-f", "-");
    }

    /** Replaces the table, and remembers how the kernel lists it for {@link #ensure}. */
    public void apply() {
        nft.run(transaction(), "-f", "-");
        applied = listing();
    }

    /**
     * Re-applies the table when it is gone or differs from what was applied (someone flushed it,
     * added a rule, another tool rewrote it); returns whether it had to.
     */
    public boolean ensure() {
        String now = listing();
        if (applied != null && applied.equals(now)) {
            return false;
        }
        if (applied != null) {
            LOG.log(WARNING, "nftables table ip " + TABLE + " changed behind Weft's back; applying it again");
        }
        apply();
        return true;
    }

    /** The table as the kernel lists it, or null when it does not exist. */
    private String listing() {
        try {
            return nft.run("", "list", "table", "ip", TABLE);
        } catch (Nft.NftException e) {
            return null;
        }
    }

    /** Deletes the table if it exists (uninstall, masquerade turned off); harmless when it does not. */
    /** Whether the table {@code ip weft} exists. */
    public static boolean exists(Nft nft) {
        return nft.run("", "list", "tables").lines().anyMatch(line -> line.strip().equals("table ip " + TABLE));
    }

    public static void remove(Nft nft) {
        nft.run("add table ip weft\ndelete table ip weft\n", "-f", "-");
    }
}
