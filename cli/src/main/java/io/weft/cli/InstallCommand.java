package io.weft.cli;

import io.weft.agent.AgentConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code weft install}: puts Weft's runtime on the node and the CNI plugin and its network config
 * where a container runtime looks.
 */
@Command(name = "install", header = "Install Weft's runtime, CNI plugin and conflist on this node.",
        sortOptions = false,
        description = "Install Weft on this node: into the runtime dir a Java runtime of its own (jlinked from this JDK the first time, only the modules Weft uses) and the jars, so the node needs no JDK; into the bin dir weft (a small forwarder to the agent's socket), weft-java (the Java plugin it falls back to when no agent runs, on that runtime, with an AOT cache trained now) and loopback (the same program answering as loopback, unless another loopback is there); into the conf dir 10-weft.conflist (cniVersion 1.0.0). Everything is replaced by rename; running it again is harmless.")
final class InstallCommand implements Callable<Integer> {
    static final String DEFAULT_RUNTIME_DIR = "/opt/weft";

    @Option(names = "--cni-bin-dir", required = true, paramLabel = "DIR", description = "Where the runtime finds plugins, e.g. /opt/cni/bin.")
    Path binDir;

    @Option(names = "--cni-conf-dir", required = true, paramLabel = "DIR", description = "Where the runtime finds networks, e.g. /etc/cni/net.d.")
    Path confDir;

    @Option(names = "--runtime-dir", paramLabel = "DIR", defaultValue = DEFAULT_RUNTIME_DIR,
            description = "Where Weft's Java runtime and jars go (default: ${DEFAULT-VALUE}).")
    Path runtimeDir;

    @Option(names = "--in-place",
            description = "Copy no runtime: weft-java runs this JVM and these jars where they are (a lab, a development machine).")
    boolean inPlace;

    @Option(names = "--network-name", paramLabel = "NAME", defaultValue = "weft", description = "The network's name (default: ${DEFAULT-VALUE}).")
    String networkName;

    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = AgentConfig.DEFAULT_RUN_DIR_NAME,
            description = "The agent's --run-dir, where the plugin finds cni.sock and subnet.env (default: ${DEFAULT-VALUE}).")
    Path runDir;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = AgentConfig.DEFAULT_STATE_DIR_NAME,
            description = "The agent's --state-dir, where the plugin keeps ipam/ (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--socket", paramLabel = "PATH", description = "The agent's socket, when not RUN_DIR/cni.sock.")
    String socket;

    @Option(names = "--no-aot-cache", description = "Do not train an AOT cache for weft-java (faster install, slower fallback).")
    boolean noAotCache;

    @Spec
    CommandSpec spec;

    private final CniInstaller.Factory installers;

    InstallCommand() {
        this(CniInstaller::onThisNode);
    }

    InstallCommand(CniInstaller.Factory installers) {
        this.installers = installers;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Path run = runDir.toAbsolutePath();
            Path state = stateDir.toAbsolutePath();
            CniInstaller.PluginPaths paths = new CniInstaller.PluginPaths(
                    Optional.ofNullable(socket).or(() -> unlessDefault(run.resolve("cni.sock"), AgentConfig.DEFAULT_RUN_DIR.resolve("cni.sock"))),
                    unlessDefault(run.resolve("subnet.env"), AgentConfig.DEFAULT_RUN_DIR.resolve("subnet.env")),
                    unlessDefault(state.resolve("ipam"), AgentConfig.DEFAULT_STATE_DIR.resolve("ipam")));
            CniInstaller.conflist(networkName, paths); // refuses bad values before anything is written
            Consumer<String> report = line -> {
                out.println(line);
                out.flush();
            };
            CniInstaller installer = inPlace ? CniInstaller.inPlace(!noAotCache, report) : installers.create(runtimeDir, !noAotCache, report);
            installer.install(binDir, confDir, networkName, paths);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("weft install: " + e.getMessage());
            return 1;
        }
    }

    /** A path written into the conflist only when it is not the plugin's default. */
    static Optional<String> unlessDefault(Path path, Path fallback) {
        return path.equals(fallback) ? Optional.empty() : Optional.of(path.toString());
    }
}
