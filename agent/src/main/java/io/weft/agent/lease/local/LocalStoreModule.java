package io.weft.agent.lease.local;

import io.weft.agent.AgentConfig;
import io.weft.agent.ConfigException;
import io.weft.agent.StoreModule;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.lease.Lease;
import io.weft.agent.lease.LeaseStore;

import java.nio.file.Files;
import java.util.List;

/** The local store: lease files in a directory, the agent's own (no library of its own to load). */
public final class LocalStoreModule implements StoreModule {
    @Override
    public LeaseStore open(AgentConfig.Store store, String nodeName, ClusterNetwork network) {
        return new LocalLeaseStore(StoreModule.expect(store, AgentConfig.Store.Local.class).dir(), network);
    }

    /** The leases of an existing store: opening one creates it, so a directory without its config file is refused. */
    @Override
    public List<Lease> read(AgentConfig.Store store, ClusterNetwork network) {
        AgentConfig.Store.Local local = StoreModule.expect(store, AgentConfig.Store.Local.class);
        if (!Files.isRegularFile(local.dir().resolve(ConfigFile.NAME))) {
            throw new ConfigException("--store-dir", "no local store in " + local.dir() + " (no config file): is it the agent's?");
        }
        try (LeaseStore leases = open(store, "", network)) {
            return leases.list();
        }
    }
}
