package io.weft.cli;

import io.weft.agent.Uninstaller;
import io.weft.agent.masquerade.Nft;
import io.weft.netlink.Netlink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code weft uninstall}: removes what the agent put on this node, and with {@code --all} the CNI plugin too. */
@Command(name = "uninstall",
        description = {
                "Remove what weft agent put on this node: weft.1 (with its neighbours, FDB entries and routes),",
                "Weft's routes, the nftables table ip weft, RUN_DIR/subnet.env and RUN_DIR/cni.sock. With --all",
                "also what weft install put in the CNI dirs. cni0 stays (it is the pods' bridge). Stop the agent",
                "first; running it twice is harmless."})
final class UninstallCommand implements Callable<Integer> {
    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = "/run/weft", description = "The agent's --run-dir (default: ${DEFAULT-VALUE}).")
    Path runDir;

    @Option(names = "--all", description = "Also remove the CNI plugin and conflist.")
    boolean all;

    @Option(names = "--cni-bin-dir", paramLabel = "DIR", defaultValue = "/opt/cni/bin", description = "With --all (default: ${DEFAULT-VALUE}).")
    Path binDir;

    @Option(names = "--cni-conf-dir", paramLabel = "DIR", defaultValue = "/etc/cni/net.d", description = "With --all (default: ${DEFAULT-VALUE}).")
    Path confDir;

    @Spec
    CommandSpec spec;

    /** The kernel and run-dir part, in this process's namespace; a test gives its own. */
    @FunctionalInterface
    interface NodeCleanup {
        List<String> uninstall(Path runDir) throws IOException;
    }

    private final NodeCleanup cleanup;

    UninstallCommand() {
        this(runDir -> {
            try (Netlink node = Netlink.open()) {
                return new Uninstaller(node, Nft.here(), AgentWiring.routeProtocol()).uninstall(runDir);
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
            cleanup.uninstall(runDir.toAbsolutePath()).forEach(out::println);
            if (all) {
                CniInstaller.uninstall(binDir, confDir, out::println);
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
