package io.weft.agent;

import io.weft.agent.AgentConfig.CniInstall;
import io.weft.agent.AgentConfig.DirectRouting;
import io.weft.agent.AgentConfig.Store;
import io.weft.agent.AgentConfig.TxChecksumOffload;
import io.weft.agent.lease.ClusterNetwork;
import io.weft.agent.underlay.UnderlayCriteria;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** A valid configuration for tests, each field changeable before {@link #build}. */
final class TestConfig {
    String nodeName = "node-1";
    UnderlayCriteria underlay = UnderlayCriteria.defaultRoute();
    Optional<InetAddress> publicIp = Optional.empty();
    Store store = new Store.Local(Path.of("/var/lib/weft/leases"));
    Optional<ClusterNetwork> network = Optional.of(AgentConfig.DEFAULT_NETWORK);
    DirectRouting directRouting = DirectRouting.AUTO;
    TxChecksumOffload txChecksumOffload = TxChecksumOffload.AUTO;
    boolean masquerade = true;
    Path runDir = AgentConfig.DEFAULT_RUN_DIR;
    Path stateDir = AgentConfig.DEFAULT_STATE_DIR;
    Optional<CniInstall> installCni = Optional.empty();
    Optional<InetSocketAddress> httpAddress = Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Duration reconcileInterval = AgentConfig.DEFAULT_RECONCILE_INTERVAL;

    AgentConfig build() {
        return new AgentConfig(nodeName, underlay, publicIp, store, network, directRouting, txChecksumOffload, masquerade, runDir, stateDir,
                installCni, httpAddress, reconcileInterval);
    }
}
