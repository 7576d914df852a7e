package io.weft.lab;

import io.weft.agent.AgentConfig;
import io.weft.agent.lease.Lease;
import io.weft.agent.StoreModules;
import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/** The leases a lab's agents hold, read from the lab's store the way its agents read it, changing nothing. */
public final class LabLeases {
    private LabLeases() {
    }

    /**
     * Every lease in the lab's store. The lab's etcd listens inside the fabric namespace, so its client is
     * made on a thread inside that namespace: the threads it starts (and their sockets) are born there.
     *
     * @throws IOException when the store is missing or cannot be read
     */
    public static List<Lease> of(Lab lab) throws IOException {
        return switch (lab.options().store()) {
            case LOCAL -> local(lab);
            case ETCD -> etcd(lab);
        };
    }

    private static List<Lease> local(Lab lab) throws IOException {
        if (!Files.isRegularFile(lab.storeDir().resolve("config"))) {
            throw new IOException("the lab has no local store in " + lab.storeDir());
        }
        AgentConfig.Store store = new AgentConfig.Store.Local(lab.storeDir());
        return StoreModules.of(store).read(store, AgentConfig.DEFAULT_NETWORK);
    }

    private static List<Lease> etcd(Lab lab) throws IOException {
        LabEtcd etcd = lab.etcd().orElseThrow(() -> new IOException("the lab's etcd was never started"));
        AgentConfig.Store store = new AgentConfig.Store.Etcd(List.of(URI.create(etcd.endpoint())), AgentConfig.DEFAULT_ETCD_PREFIX, Optional.empty());
        try (NetNamespace fabric = NetNamespace.open(etcd.netns())) {
            return fabric.call(() -> StoreModules.of(store).read(store, AgentConfig.DEFAULT_NETWORK));
        }
    }
}
