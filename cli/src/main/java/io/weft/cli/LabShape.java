package io.weft.cli;

import io.weft.lab.LabOptions;
import picocli.CommandLine.Option;

/** The flags that say what lab to build, shared by {@code weft lab up} and {@code weft demo}. */
final class LabShape {
    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "Nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--pods", paramLabel = "M", defaultValue = "2", description = "Pods per node (default: ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--store", paramLabel = "local|etcd", defaultValue = "local",
            description = "The agents' store: a directory in DIR, or a real etcd started in the fabric (default: ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--two-nics", description = "Give each node a management NIC too, carrying its default route; the agent is told --iface eth0.")
    boolean twoNics;

    @Option(names = "--subnets", paramLabel = "same|split", defaultValue = "split",
            description = "same: one underlay /24 (direct routing); split: a /24 per node behind a router (VXLAN) (default: ${DEFAULT-VALUE}).")
    String subnets;

    /** The flags as lab options; an {@link IllegalArgumentException} names the flag at fault. */
    LabOptions options() {
        LabOptions.Store parsedStore = LabOptions.Store.parse("--store", store);
        LabOptions.Subnets parsedSubnets = LabOptions.Subnets.parse("--subnets", subnets);
        try {
            return new LabOptions(nodes, pods, parsedStore, twoNics, parsedSubnets);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage()); // "nodes: …" names the flag without its dashes
        }
    }
}
