package io.weft.cli;

import picocli.CommandLine.Command;

/** {@code weft}: the root command; its subcommands are Weft's entry points. */
@Command(name = "weft",
        mixinStandardHelpOptions = true,
        scope = picocli.CommandLine.ScopeType.INHERIT,
        versionProvider = VersionCommand.Provider.class,
        description = {
                "Weft: a Kubernetes pod network (CNI plugin + node agent, VXLAN overlay)."},
        subcommands = {VersionCommand.class, AgentCommand.class, InstallCommand.class, UninstallCommand.class, ImageCommand.class,
                CniCommand.class, LabCommand.class, DemoCommand.class, TraceCommand.class, DoctorCommand.class})
final class WeftCommand {
}
