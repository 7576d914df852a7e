package io.weft.agent;

import io.weft.agent.lease.LeaseStore;

/**
 * Opens the store {@link AgentConfig#store()} names. The cli wires the real stores; tests give a
 * double. Failing here (an unreachable store, a bad kubeconfig) fails {@link Agent#start} before
 * anything on the node is touched.
 */
@FunctionalInterface
public interface LeaseStoreFactory {
    LeaseStore open(AgentConfig config);
}
