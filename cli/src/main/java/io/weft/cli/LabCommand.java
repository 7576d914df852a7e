package io.weft.cli;

import io.weft.lab.Lab;
import io.weft.lab.LabException;
import io.weft.lab.LabInspector;
import io.weft.lab.LabOptions;
import io.weft.lab.LabPod;
import io.weft.lab.LabStatus;
import io.weft.lab.WeftLauncher;
import io.weft.lab.process.InNamespace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** {@code weft lab}: a whole cluster in network namespaces on this machine, to run, look at and take apart. */
@Command(name = "lab", header = "A cluster in network namespaces on this machine: up, status, exec, down.",
        description = "A cluster on this machine: a fabric namespace with a switch, N node namespaces each running a real weft agent, M pods per node attached through the node's installed CNI plugin. Nothing is made in the root namespace. See docs/lab.md.",
        subcommands = {LabCommand.Up.class, LabCommand.Status.class, LabCommand.Exec.class, LabCommand.Down.class})
final class LabCommand {
    /** How long a signal waits for the lab to go down: its agents get 5 s to stop, then are killed. */
    static final Duration DOWN_WAIT = Duration.ofSeconds(60);
    /** The exit status of a command cut short, as a shell reports SIGINT (the JVM exits with 128 + the signal's number). */
    static final int INTERRUPTED = 130;

    private LabCommand() {}

    /** {@code weft} itself, as the lab runs it for each node's agent: this JVM, its class path, {@link Main}. */
    static WeftLauncher weft() {
        return WeftLauncher.ofThisJvm(Main.class.getName());
    }

    @Command(name = "up", sortOptions = false, description = "Bring a lab up and leave it running: namespaces PREFIX-fabric, PREFIX-nodeI, PREFIX-nodeI-podJ (and PREFIX-router), files in DIR. Refuses when a lab is up there already. Interrupted (Ctrl-C, SIGTERM) or failed half-way, it takes down what it made.")
    static final class Up implements Callable<Integer> {
        @Mixin
        LabShape shape;

        @Mixin
        LabPlace place;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Consumer<String> progress = line -> progress(out, line);
            LabOptions options;
            try {
                options = shape.options();
            } catch (IllegalArgumentException e) {
                err.println("weft lab up: " + e.getMessage());
                return 2;
            }
            try (InterruptOnShutdown shutdown = InterruptOnShutdown.install(DOWN_WAIT,
                    () -> progress.accept("interrupted: taking down what lab up made so far"))) {
                Lab lab;
                try {
                    lab = place.up(progress).up(options);
                } catch (LabException | IllegalArgumentException e) { // it removed what it made, or refused before making anything
                    err.println("weft lab up: " + e.getMessage());
                    return 1;
                } catch (InterruptedException e) { // it stopped where it was and left what it made, as lab.json says, to this
                    shutdown.cleaningUp();
                    err.println(place.down(progress, err, "weft lab up")
                            .map(removal -> "weft lab up: interrupted, took down what it had made: " + removal.summary())
                            .orElse("weft lab up: interrupted, and what it had made is not all gone: weft lab down" + place.dirFlag()
                                    + " --prefix " + place.prefix + " removes the rest"));
                    return INTERRUPTED;
                }
                shutdown.cleaningUp(); // the lab is up: a signal from now on leaves it so
                out.println("explore: weft lab exec" + place.dirFlag() + " " + lab.nodes().getFirst().name() + " -- ip route;  weft lab status"
                        + place.dirFlag() + ";  weft lab down" + place.dirFlag());
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "status", description = "Show the lab: nodes (agent, readiness, VTEP, how each peer is reached) and pods.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = Lab.DEFAULT_DIR_NAME, description = "The lab's files (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Optional<Lab> lab = load(dir, spec, "status");
            if (lab.isEmpty()) {
                return 1;
            }
            LabStatus status = LabStatus.of(lab.get());
            render(status, out);
            out.flush();
            return status.healthy() ? 0 : 1;
        }
    }

    @Command(name = "exec", description = "Run a command inside a lab namespace and exit with its status: a node (node1), a pod (node1-pod1 or its address), fabric or router. Put -- before the command, e.g. weft lab exec node1 -- ip -br addr.")
    static final class Exec implements Callable<Integer> {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = Lab.DEFAULT_DIR_NAME, description = "The lab's files (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Parameters(index = "0", paramLabel = "NODE|POD", description = "Where to run it.")
        String target;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
        List<String> command = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            Optional<Lab> lab = load(dir, spec, "exec");
            if (lab.isEmpty()) {
                return 1;
            }
            Optional<String> netns = lab.get().namespaceOf(target);
            if (netns.isEmpty()) {
                spec.commandLine().getErr().println("weft lab exec: no node or pod " + target + " in the lab (nodes: "
                        + lab.get().nodes().stream().map(node -> node.name()).collect(Collectors.joining(", ")) + "; pods: "
                        + lab.get().pods().stream().map(LabPod::name).collect(Collectors.joining(", ")) + "; fabric"
                        + (lab.get().routerNetns().isPresent() ? ", router" : "") + ")");
                return 2;
            }
            spec.commandLine().getOut().flush();
            try {
                return new ProcessBuilder(InNamespace.command(netns.get(), command)).inheritIO().start().waitFor();
            } catch (IOException e) {
                spec.commandLine().getErr().println("weft lab exec: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "down", description = "Remove the lab: pods detached (CNI DEL), agents and etcd ended, every namespace PREFIX-* deleted, DIR removed. Also cleans up after a lab up or an agent that died; running it twice is harmless. PREFIX counts only when DIR/lab.json and DIR's marker are gone.")
    static final class Down implements Callable<Integer> {
        @Mixin
        LabPlace place;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            return place.down(line -> progress(out, line), spec.commandLine().getErr(), "weft lab down").isPresent() ? 0 : 1;
        }
    }

    static void progress(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }

    private static Optional<Lab> load(Path dir, CommandSpec spec, String command) {
        try {
            return Optional.of(Lab.load(dir));
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("weft lab " + command + ": no lab in " + dir + " (weft lab up makes one)");
        } catch (IOException e) {
            spec.commandLine().getErr().println("weft lab " + command + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    /** The status as tables: a head line, the nodes, the pods. */
    static void render(LabStatus status, PrintWriter out) {
        Lab lab = status.lab();
        LabOptions options = lab.options();
        out.printf("lab %s in %s: %s, %d node%s x %d pod%s, store %s%s, subnets %s%s%n", lab.prefix(), lab.dir(),
                lab.state() == Lab.State.UP ? "up" : "INCOMPLETE (lab up did not finish: weft lab down cleans up)",
                options.nodes(), options.nodes() == 1 ? "" : "s", options.podsPerNode(), options.podsPerNode() == 1 ? "" : "s",
                options.store().label(),
                status.etcd().map(running -> running ? " (etcd running)" : " (etcd NOT running)").orElse(""),
                options.subnets().label(), options.twoNics() ? ", two NICs" : "");
        List<List<String>> nodeRows = new ArrayList<>();
        nodeRows.add(List.of("NODE", "UNDERLAY", "POD SUBNET", "VTEP MAC", "AGENT", "PEERS"));
        for (LabStatus.NodeStatus node : status.nodes()) {
            LabInspector.NodeView kernel = node.kernel();
            String agent = node.agentPid().map(pid -> "pid " + pid).orElse("-") + " "
                    + (!node.running() ? "NOT RUNNING" : node.notReady().map(reason -> "NOT READY (" + reason + ")").orElse("ready"));
            String peers = kernel.peers().entrySet().stream().map(peer -> peer.getKey() + " " + peer.getValue().label())
                    .collect(Collectors.joining(", "));
            nodeRows.add(List.of(node.node().name(), node.node().underlayIp() + " (" + kernel.underlaySubnet() + ")",
                    kernel.podSubnet().orElse("-"), kernel.vtepMac().orElse("-"), agent, peers.isEmpty() ? "-" : peers));
        }
        table(nodeRows, out);
        if (!lab.pods().isEmpty()) {
            List<List<String>> podRows = new ArrayList<>();
            podRows.add(List.of("POD", "NODE", "IP", "NETNS"));
            lab.pods().forEach(pod -> podRows.add(List.of(pod.name(), pod.node(), pod.ip(), pod.netns())));
            out.println();
            table(podRows, out);
        }
    }

    private static void table(List<List<String>> rows, PrintWriter out) {
        int columns = rows.getFirst().size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row.get(i) : String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
