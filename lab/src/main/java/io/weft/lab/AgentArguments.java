package io.weft.lab;

import io.weft.lab.topology.Topology;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code weft agent} command line of a lab node: the cluster NIC as {@code --iface} (with
 * {@code --two-nics} the default route leaves through the other one), the lab's store, the node's own
 * directories, the plugin installed into the node's CNI dirs, and the JVM of a small node.
 */
final class AgentArguments {
    /**
     * The JVM the {@code weft} launcher gives an agent on a small node (its {@code agent_java_opts};
     * a test holds the two together), so a lab runs its agents as a node would: Serial GC, a 16 MiB
     * heap, C1 only, small stacks, freed native memory handed back.
     */
    static final List<String> SMALL_NODE_JVM = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx16m", "-Xss256k",
            "-XX:TieredStopAtLevel=1", "-XX:TrimNativeHeapInterval=5000");
    /** Each node has a loopback of its own, so every agent listens on the same port. */
    static final int HTTP_PORT = 9472;

    private AgentArguments() {}

    /**
     * @param storeDir     the local store shared by all agents ({@code --store local})
     * @param etcdEndpoint the lab's etcd ({@code --store etcd})
     */
    static List<String> of(LabNode node, LabOptions.Store store, Path storeDir, Optional<String> etcdEndpoint) {
        List<String> args = new ArrayList<>(List.of("agent", "--node-name", node.name(), "--iface", Topology.CLUSTER_NIC));
        switch (store) {
            case LOCAL -> args.addAll(List.of("--store", "local", "--store-dir", storeDir.toString()));
            case ETCD -> args.addAll(List.of("--store", "etcd", "--etcd-endpoints", etcdEndpoint.orElseThrow(
                    () -> new IllegalStateException("--store etcd without the lab's etcd")), "--network", "10.42.0.0/16"));
        }
        args.addAll(List.of("--run-dir", node.runDir().toString(), "--state-dir", node.stateDir().toString(),
                "--install-cni", "--cni-bin-dir", node.cniBinDir().toString(), "--cni-conf-dir", node.cniConfDir().toString(),
                "--in-place", "--no-aot-cache", "--http-address", "127.0.0.1:" + HTTP_PORT));
        return args;
    }
}
