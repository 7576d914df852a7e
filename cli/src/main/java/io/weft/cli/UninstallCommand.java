package io.weft.cli;

import io.weft.agent.AgentConfig;
import io.weft.agent.AgentConfig.CniInstall;
import io.weft.agent.Uninstaller;
import io.weft.agent.masquerade.Nft;
import io.weft.cni.config.NetworkConfig;
import io.weft.netlink.Netlink;
import io.weft.netlink.sys.FileTree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code weft uninstall}: removes what the agent put on this node, and with {@code --all} everything
 * else Weft put there too, so that nothing of it is left (k3s-killall.sh and k3s-uninstall.sh know
 * Flannel's leftovers, not Weft's).
 */
@Command(name = "uninstall", header = "Remove what Weft put on this node.",
        sortOptions = false,
        description = "Remove what weft agent put on this node: weft.1 (with its neighbours, FDB entries and routes), Weft's routes, the nftables table ip weft, RUN_DIR/subnet.env and RUN_DIR/cni.sock. With --all also cni0 with the pods' veths on it (when Weft made it: its MAC is the one Weft pins), what weft install put in the CNI dirs and the runtime dir, STATE_DIR/vtep-mac, ipam/ and leases/, and then the run, state and runtime dirs when nothing else is in them. Only what Weft made is removed; what stays is named. Stop the agent first; running it twice is harmless.")
final class UninstallCommand implements Callable<Integer> {
    /** What the agent and the plugin keep in the state dir: the VTEP MAC, the IP reservations, the local store's default. */
    static final List<String> STATE_ENTRIES = List.of("vtep-mac", "ipam", "leases");

    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = AgentConfig.DEFAULT_RUN_DIR_NAME, description = "The agent's --run-dir (default: ${DEFAULT-VALUE}).")
    Path runDir;

    @Option(names = "--all", description = "Also remove cni0, the CNI plugin and conflist, the runtime dir and the agent's state.")
    boolean all;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = AgentConfig.DEFAULT_STATE_DIR_NAME, description = "With --all: the agent's --state-dir (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--cni-bin-dir", paramLabel = "DIR", defaultValue = CniInstall.DEFAULT_BIN_DIR_NAME, description = "With --all (default: ${DEFAULT-VALUE}).")
    Path binDir;

    @Option(names = "--cni-conf-dir", paramLabel = "DIR", defaultValue = CniInstall.DEFAULT_CONF_DIR_NAME, description = "With --all (default: ${DEFAULT-VALUE}).")
    Path confDir;

    @Option(names = "--runtime-dir", paramLabel = "DIR", defaultValue = InstallCommand.DEFAULT_RUNTIME_DIR,
            description = "With --all: weft install's --runtime-dir (default: ${DEFAULT-VALUE}).")
    Path runtimeDir;

    @Spec
    CommandSpec spec;

    /** The kernel and run-dir part, in this process's namespace; a test gives its own. */
    @FunctionalInterface
    interface NodeCleanup {
        /** @param bridge also the pods' bridge ({@code --all}) */
        List<String> uninstall(Path runDir, boolean bridge) throws IOException;
    }

    private final NodeCleanup cleanup;

    UninstallCommand() {
        this((runDir, bridge) -> {
            try (Netlink node = Netlink.open()) {
                Uninstaller uninstaller = new Uninstaller(node, Nft.here(), AgentWiring.routeProtocol());
                List<String> done = new ArrayList<>(uninstaller.uninstall(runDir));
                if (bridge) {
                    done.addAll(uninstaller.removeBridge(NetworkConfig.DEFAULT_BRIDGE));
                }
                return done;
            }
        });
    }

    UninstallCommand(NodeCleanup cleanup) {
        this.cleanup = cleanup;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Path run = runDir.toAbsolutePath();
            cleanup.uninstall(run, all).forEach(out::println);
            if (all) {
                CniInstaller.uninstall(binDir, confDir, out::println);
                Path state = stateDir.toAbsolutePath();
                for (String entry : STATE_ENTRIES) {
                    Path file = state.resolve(entry);
                    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                        FileTree.delete(file);
                        out.println("removed " + file);
                    }
                }
                FileTrees.removeIfEmpty(state, out::println);
                FileTrees.removeIfEmpty(run, out::println);
                // last: this may be the node's own weft command, running on the runtime it removes
                NodeRuntime.uninstall(runtimeDir.toAbsolutePath(), out::println);
            }
            out.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            out.flush();
            spec.commandLine().getErr().println("weft uninstall: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }
}
