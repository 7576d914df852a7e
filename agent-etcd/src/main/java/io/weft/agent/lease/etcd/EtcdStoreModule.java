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
        return EtcdLeaseStore.open(EtcdConfig.of(StoreModule.expect(store, AgentConfig.Store.Etcd.class)), network);
    }

    @Override
    public List<Lease> read(AgentConfig.Store store, ClusterNetwork network) {
        return EtcdLeaseStore.readLeases(EtcdConfig.of(StoreModule.expect(store, AgentConfig.Store.Etcd.class)), network);
    }
}
