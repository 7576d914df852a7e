package io.weft.agent.lease.kube;

import io.weft.agent.AgentConfig;
import io.weft.agent.StoreModule;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseStore;

import java.util.List;

/** The Kubernetes store, as {@code io.weft.agent.StoreModules} loads it for {@code --store kubernetes}. */
public final class KubeStoreModule implements StoreModule {
    @Override
    public LeaseStore open(AgentConfig.Store store, String nodeName, ClusterNetwork network) {
        return KubeLeaseStore.connect(StoreModule.expect(store, AgentConfig.Store.Kubernetes.class).kubeconfig(), nodeName, network);
    }

    /** The nodes' leases: connecting writes nothing (the node's annotations are written when its lease is acquired). */
    @Override
    public List<Lease> read(AgentConfig.Store store, ClusterNetwork network) {
        try (LeaseStore leases = open(store, "", network)) {
            return leases.list();
        }
    }
}
