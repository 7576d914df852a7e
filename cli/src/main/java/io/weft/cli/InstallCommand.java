package io.weft.cli;

import io.weft.cni.server.Forwarder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code weft install}: puts the CNI plugin and its network config where a container runtime looks. */
@Command(name = "install",
        description = {
                "Install the Weft CNI plugin: into the bin dir weft (a small forwarder to the agent's socket),",
                "weft-java (the Java plugin it falls back to when no agent runs) and loopback (the same",
                "program answering as loopback, unless another loopback is there); into the conf dir",
                "10-weft.conflist (cniVersion 1.0.0). Files are replaced by rename; running it again is harmless.",
                "weft-java runs this distribution's java and lib dir by absolute path, with an AOT cache",
                "trained now next to the jars; the /opt/weft packaging comes with issue 6."})
final class InstallCommand implements Callable<Integer> {
    @Option(names = "--cni-bin-dir", required = true, paramLabel = "DIR", description = "Where the runtime finds plugins, e.g. /opt/cni/bin.")
    Path binDir;

    @Option(names = "--cni-conf-dir", required = true, paramLabel = "DIR", description = "Where the runtime finds networks, e.g. /etc/cni/net.d.")
    Path confDir;

    @Option(names = "--network-name", paramLabel = "NAME", defaultValue = "weft", description = "The network's name (default: ${DEFAULT-VALUE}).")
    String networkName;

    @Option(names = "--socket", paramLabel = "PATH", description = "The agent's socket, when not /run/weft/cni.sock.")
    String socket;

    @Option(names = "--no-aot-cache", description = "Do not train an AOT cache for weft-java (faster install, slower fallback).")
    boolean noAotCache;

    @Spec
    CommandSpec spec;

    private final CniInstaller.Factory installers;

    InstallCommand() {
        this((train, report) -> new CniInstaller(Distribution.current(), Forwarder.forThisArchitecture(), train, report));
    }

    InstallCommand(CniInstaller.Factory installers) {
        this.installers = installers;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            installers.create(!noAotCache, line -> {
                out.println(line);
                out.flush();
            }).install(binDir, confDir, networkName, CniInstaller.PluginPaths.socketOnly(Optional.ofNullable(socket)));
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("weft install: " + e.getMessage());
            return 1;
        }
    }
}
