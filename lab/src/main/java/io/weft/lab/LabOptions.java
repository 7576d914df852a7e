package io.weft.lab;

import java.util.Locale;

/**
 * The shape of a lab, as {@code weft lab up} and {@code weft demo} are asked for it.
 *
 * @param nodes       how many node namespaces, each with one agent
 * @param podsPerNode how many pods on each node, attached through the node's installed CNI plugin
 * @param store       where the agents keep their leases
 * @param twoNics     whether each node also has a management NIC, which carries its default route
 * @param subnets     whether the nodes share one underlay subnet or each has its own behind a router
 */
public record LabOptions(int nodes, int podsPerNode, Store store, boolean twoNics, Subnets subnets) {
    /** The node count's bound: node i is {@code 10.200.0.i} (same) or {@code 10.200.i.1} (split). */
    public static final int MAX_NODES = 200;
    /** Pods per node: a node's /24 of the pod network holds 253 addresses; a lab needs far fewer. */
    public static final int MAX_PODS_PER_NODE = 100;

    public LabOptions {
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("nodes: " + nodes + " is not in 1.." + MAX_NODES);
        }
        if (podsPerNode < 0 || podsPerNode > MAX_PODS_PER_NODE) {
            throw new IllegalArgumentException("pods: " + podsPerNode + " is not in 0.." + MAX_PODS_PER_NODE);
        }
        if (store == null) {
            throw new IllegalArgumentException("store: missing (local or etcd)");
        }
        if (subnets == null) {
            throw new IllegalArgumentException("subnets: missing (same or split)");
        }
    }

    /** The agents' lease store: the embedded one in the lab's directory, or a real etcd started for the lab. */
    public enum Store {
        LOCAL, ETCD;

        /** {@code local} or {@code etcd}, as the flag and {@code lab.json} spell it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Store parse(String field, String text) {
            return switch (text) {
                case "local" -> LOCAL;
                case "etcd" -> ETCD;
                case null, default -> throw new IllegalArgumentException(field + ": \"" + text + "\" is not local or etcd");
            };
        }
    }

    /**
     * {@code SAME}: every node's cluster NIC on one /24 and one switch, so the agents route to each other
     * directly; {@code SPLIT}: each node on a /24 of its own behind a router, so they need VXLAN.
     */
    public enum Subnets {
        SAME, SPLIT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Subnets parse(String field, String text) {
            return switch (text) {
                case "same" -> SAME;
                case "split" -> SPLIT;
                case null, default -> throw new IllegalArgumentException(field + ": \"" + text + "\" is not same or split");
            };
        }
    }
}
