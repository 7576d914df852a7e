package io.weft.cli;

import io.weft.agent.AgentConfig;
import io.weft.agent.ConfigException;
import io.weft.agent.StoreModules;
import io.weft.agent.lease.Lease;
import io.weft.agent.overlay.OverlaySettings;
import io.weft.lab.Lab;
import io.weft.lab.LabLeases;
import io.weft.lab.doctor.Doctor;
import io.weft.lab.doctor.DoctorReport;
import io.weft.lab.doctor.DoctorTarget;
import io.weft.lab.doctor.PodDiscovery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code weft doctor}: checks this node, read only, and names each problem with a fix. It takes the
 * agent's own flags (the same command line works for both), so it looks where the agent works and asks
 * the same store.
 */
@Command(name = "doctor", header = "Check a node (or every lab node) and name each problem with a fix.",
        sortOptions = false,
        description = "Check this node, read only, and name each problem with why and a fix: forwarding, rp_filter, the MTUs along the pod path, the store's peers against the kernel (neighbour, FDB entry, route), the CNI config dir (--cni-conf-dir), other users of the VXLAN port, subnet.env, and the VXLAN checksum bug. Takes weft agent's flags, so the agent's command line works as it is. Exits 1 when it found a problem.")
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--json", description = "The report as JSON: {\"healthy\":…,\"nodes\":[{\"node\":…,\"checks\":[…]}]}.")
    boolean json;

    @Option(names = "--netns", paramLabel = "PATH", defaultValue = "/proc/self/ns/net",
            description = "The node's network namespace (default: this process's, ${DEFAULT-VALUE}).")
    Path netns;

    @Option(names = "--pods-netns-dir", paramLabel = "DIR", defaultValue = "/run/netns",
            description = "Where the runtime mounts pod namespaces, to check their MTU (default: ${DEFAULT-VALUE}).")
    Path podsNetnsDir;

    @Option(names = "--lab-dir", paramLabel = "DIR",
            description = "Check every node of the lab in DIR (weft lab up) instead of this node; the agent flags are then not used.")
    Path labDir;

    @Mixin
    AgentCommand agent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (labDir != null) {
            return examineLab(out, err);
        }
        AgentConfig config;
        OverlaySettings overlay;
        try {
            config = agent.config();
            overlay = AgentWiring.overlaySettings(agent.overlaySettings(), config);
        } catch (ConfigException e) {
            err.println("weft doctor: " + e.getMessage());
            return 2;
        }
        List<Lease> leases;
        try {
            leases = leases(config);
        } catch (ConfigException e) {
            err.println("weft doctor: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("weft doctor: cannot read the leases from the " + config.store().kind() + " store: "
                    + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        }
        Path node = netns.toAbsolutePath();
        DoctorTarget target = new DoctorTarget(config.nodeName(), node, config.runDir(), config.stateDir(),
                agent.cniConfDir.toAbsolutePath(), leases, overlay,
                PodDiscovery.find(node, namespaces(podsNetnsDir)));
        DoctorReport report = Doctor.standard().examine(target);
        out.print(json ? DoctorReport.json(List.of(report)) : report.text());
        out.flush();
        return report.healthy() ? 0 : 1;
    }

    /** Every node of a lab, each with the lab's store for its expected peers. */
    private int examineLab(PrintWriter out, PrintWriter err) {
        Lab lab;
        try {
            lab = Lab.load(labDir);
        } catch (IOException e) {
            err.println("weft doctor: --lab-dir " + labDir + ": " + e.getMessage());
            return 2;
        }
        List<Lease> leases;
        try {
            leases = LabLeases.of(lab);
        } catch (IOException | RuntimeException e) {
            err.println("weft doctor: cannot read the lab's leases: " + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        }
        Doctor doctor = Doctor.standard();
        List<DoctorReport> reports = lab.nodes().stream()
                .map(node -> doctor.examine(DoctorTarget.forLab(node, lab.pods(), leases)))
                .toList();
        if (json) {
            out.print(DoctorReport.json(reports));
        } else {
            reports.forEach(report -> out.print(report.text()));
        }
        out.flush();
        return reports.stream().allMatch(DoctorReport::healthy) ? 0 : 1;
    }

    /**
     * Every lease in the agent's store, read as the doctor reads everything: changing nothing. A local
     * store must exist already (opening one creates it); etcd is read without the network config
     * the agent writes when it finds none.
     */
    private static List<Lease> leases(AgentConfig config) {
        return StoreModules.of(config.store()).read(config.store(), AgentWiring.network(config));
    }

    private static List<Path> namespaces(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
