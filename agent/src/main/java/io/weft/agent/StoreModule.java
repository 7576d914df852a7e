package io.weft.agent;

import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseStore;

import java.util.List;

/**
 * A lease store as the agent, {@code weft doctor} and {@code weft lab} reach it: the local store is the agent's
 * own, etcd's and Kubernetes' come with their client libraries in modules of their own, found by
 * {@link StoreModules}. An implementation has a public constructor without arguments.
 */
public interface StoreModule {
    /**
     * Opens the store {@code store} describes for the node {@code nodeName}; nothing is claimed until
     * {@link LeaseStore#acquire}.
     *
     * @throws RuntimeException when the store cannot be reached or holds another network (the agent refuses
     *     to start), e.g. {@link IllegalStateException}
     */
    LeaseStore open(AgentConfig.Store store, String nodeName, ClusterNetwork network);

    /** Every lease in the store, read without writing anything to it (no network config, no lease). */
    List<Lease> read(AgentConfig.Store store, ClusterNetwork network);

    /** {@code store} as the kind of store a module serves ({@code kind}); an {@link IllegalArgumentException} for another kind. */
    static <S extends AgentConfig.Store> S expect(AgentConfig.Store store, Class<S> kind) {
        if (kind.isInstance(store)) {
            return kind.cast(store);
        }
        throw new IllegalArgumentException("the " + kind.getSimpleName() + " store's module given --store " + store.kind());
    }
}
