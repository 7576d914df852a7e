package io.weft.agent.lease.etcd;

import io.weft.agent.AgentConfig;
import io.weft.agent.StoreModule;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseStore;

import java.util.List;

/** The etcd store, as {@code io.weft.agent.StoreModules} loads it for {@code --store etcd}. */
public final class EtcdStoreModule implements StoreModule {
    @Override
    public LeaseStore open(AgentConfig.Store store, String nodeName, ClusterNetwork network) {
        return EtcdLeaseStore.open(EtcdConfig.of(etcd(store)), network);
    }

    @Override
    public List<Lease> read(AgentConfig.Store store, ClusterNetwork network) {
        return EtcdLeaseStore.readLeases(EtcdConfig.of(etcd(store)), network);
    }

    private static AgentConfig.Store.Etcd etcd(AgentConfig.Store store) {
        if (store instanceof AgentConfig.Store.Etcd etcd) {
            return etcd;
        }
        throw new IllegalArgumentException("not an etcd store: --store " + store.kind());
    }
}
