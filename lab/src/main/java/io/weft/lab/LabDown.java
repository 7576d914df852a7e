package io.weft.lab;

import io.weft.lab.process.LabProcesses;
import io.weft.lab.topology.Topology;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.sys.FileTree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code weft lab down}: removes a lab, whole, also after a {@code lab up} or an agent that died. With
 * {@code lab.json} it detaches the pods (CNI DEL, as a runtime would) while their agents run; then,
 * with or without it, ends every process of the lab (the recorded agents and etcd, and anything found
 * inside a namespace of the prefix), deletes every namespace of the prefix and the lab's directory.
 * Running it again finds nothing and says so.
 */
public final class LabDown {
    /** The file that marks a directory as a lab's, so that {@code down} never removes a directory it did not make. */
    static final String MARKER = ".weft-lab";
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final Path dir;
    private final String prefix;
    private final Consumer<String> progress;

    /**
     * @param dir    the lab's directory
     * @param prefix the namespace prefix to clean up when neither {@code lab.json} nor the marker says it
     */
    public LabDown(Path dir, String prefix, Consumer<String> progress) {
        this.dir = dir.toAbsolutePath().normalize();
        this.prefix = prefix;
        this.progress = progress;
    }

    /** The namespaces under {@code /run/netns} of a lab with {@code prefix}. */
    public static List<String> namespacesOf(String prefix) {
        String start = Topology.namespacePrefix(prefix);
        return NetNamespace.listNamed().stream().filter(name -> name.startsWith(start)).toList();
    }

    /**
     * What a {@code down} removed.
     *
     * @param processes  how many processes it ended
     * @param namespaces the namespaces it deleted
     * @param directory  the lab directory it removed, if it did
     */
    public record Removal(int processes, List<String> namespaces, Optional<Path> directory) {
        public Removal {
            namespaces = List.copyOf(namespaces);
        }

        /** E.g. {@code 2 processes ended, 5 namespaces deleted, /run/weft-lab removed}. */
        public String summary() {
            return processes + " process" + (processes == 1 ? "" : "es") + " ended, " + namespaces.size() + " namespace"
                    + (namespaces.size() == 1 ? "" : "s") + " deleted" + directory.map(dir -> ", " + dir + " removed").orElse("");
        }
    }

    /**
     * Removes the lab.
     *
     * @return what it removed; nothing at all when there was no lab
     */
    public Removal down() throws LabException, InterruptedException {
        Root.require("weft lab down");
        Optional<Lab> lab = load();
        String labPrefix = lab.map(Lab::prefix).or(this::markedPrefix).orElse(prefix);
        if (lab.isEmpty() && (Files.exists(dir.resolve(Lab.FILE)) || Files.exists(dir.resolve(MARKER)))) {
            progress.accept("cleaning up by prefix " + labPrefix);
        }
        lab.ifPresent(this::detachPods);

        Set<String> namespaces = new LinkedHashSet<>();
        lab.ifPresent(found -> namespaces.addAll(found.namespaces()));
        namespaces.addAll(namespacesOf(labPrefix));
        namespaces.removeIf(name -> !NetNamespace.exists(name));
        if (lab.isEmpty() && !Files.exists(dir.resolve(MARKER))) {
            refuseAnotherLabs(namespaces, labPrefix);
        }

        int stopped = stopProcesses(lab, namespaces);
        List<String> deleted = deleteNamespaces(namespaces);
        Removal removal = new Removal(stopped, deleted, removeDirectory() ? Optional.of(dir) : Optional.empty());
        boolean anything = lab.isPresent() || stopped > 0 || !deleted.isEmpty() || removal.directory().isPresent();
        progress.accept(anything
                ? "lab down: " + removal.summary()
                : "lab down: nothing to remove (no " + Lab.FILE + " in " + dir + ", no namespace " + Topology.namespacePrefix(labPrefix) + "*)");
        return removal;
    }

    /** The prefix {@code lab up} wrote into the marker, for a lab whose {@code lab.json} is lost. */
    private Optional<String> markedPrefix() {
        try {
            String marked = Files.readString(dir.resolve(MARKER)).strip();
            return marked.isEmpty() ? Optional.empty() : Optional.of(marked);
        } catch (IOException none) {
            return Optional.empty();
        }
    }

    /**
     * With neither {@code lab.json} nor the marker, only the prefix says which namespaces are the lab's;
     * a wrong {@code --dir} must not take down another lab of that prefix that is alive and described:
     * its agents name their directory in their command line.
     */
    private void refuseAnotherLabs(Set<String> namespaces, String labPrefix) throws LabException {
        for (ProcessHandle process : LabProcesses.inNamespaces(namespaces)) {
            Optional<Path> otherLab = LabProcesses.agentLabDir(process.pid()).filter(other -> !other.equals(dir))
                    .filter(other -> Files.exists(other.resolve(Lab.FILE)));
            if (otherLab.isPresent()) {
                throw new LabException("the namespaces " + Topology.namespacePrefix(labPrefix) + "* belong to the lab in " + otherLab.get()
                        + " (its agent, pid " + process.pid() + ", runs from there), not to " + dir + ": weft lab down --dir " + otherLab.get());
            }
        }
    }

    private Optional<Lab> load() {
        try {
            return Optional.of(Lab.load(dir));
        } catch (NoSuchFileException none) {
            return Optional.empty();
        } catch (IOException damaged) {
            progress.accept(Lab.FILE + " cannot be used (" + damaged.getMessage() + ")");
            return Optional.empty();
        }
    }

    /** CNI DEL for each pod whose node's agent still runs (a dead agent's pods go with their namespaces). */
    private void detachPods(Lab lab) {
        for (LabPod pod : lab.pods().reversed()) {
            Optional<LabNode> node = lab.node(pod.node());
            if (node.isEmpty() || !agentAlive(lab, node.get()) || !NetNamespace.exists(pod.netns())) {
                continue;
            }
            try {
                LabUp.runtime(lab, node.get()).del(pod.name(), NetNamespace.NAMED_DIR.resolve(pod.netns()));
                progress.accept("pod " + pod.name() + " detached (CNI DEL)");
            } catch (IOException e) {
                progress.accept("pod " + pod.name() + ": CNI DEL failed, its namespace goes anyway: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean agentAlive(Lab lab, LabNode node) {
        Long pid = lab.agentPids().get(node.name());
        return pid != null && LabProcesses.recorded(pid, lab.dir().toString()).isPresent();
    }

    /** The recorded agents and etcd (while they still look like the lab's), and every process inside a lab namespace. */
    private int stopProcesses(Optional<Lab> lab, Set<String> namespaces) throws InterruptedException {
        Set<ProcessHandle> processes = new LinkedHashSet<>();
        lab.ifPresent(found -> {
            found.agentPids().values().forEach(pid -> LabProcesses.recorded(pid, found.dir().toString()).ifPresent(processes::add));
            found.etcd().ifPresent(etcd -> LabProcesses.recorded(etcd.pid(), found.dir().toString()).ifPresent(processes::add));
        });
        processes.addAll(LabProcesses.inNamespaces(namespaces));
        for (ProcessHandle process : processes) {
            progress.accept("ending pid " + process.pid() + " (" + process.info().command().map(c -> Path.of(c).getFileName().toString())
                    .orElse("?") + ")");
        }
        return LabProcesses.stop(processes, GRACE);
    }

    /** Pods first, then nodes, router and fabric: the reverse of the order they were made in. */
    private List<String> deleteNamespaces(Set<String> namespaces) throws LabException {
        List<String> ordered = new ArrayList<>(namespaces);
        ordered.sort((a, b) -> Integer.compare(rank(b), rank(a)));
        List<String> deleted = new ArrayList<>();
        for (String name : ordered) {
            try {
                if (NetNamespace.delete(name)) {
                    deleted.add(name);
                }
            } catch (RuntimeException e) {
                throw new LabException("cannot delete namespace " + name + ": " + e.getMessage(), e);
            }
        }
        if (!deleted.isEmpty()) {
            progress.accept("deleted namespaces " + String.join(", ", deleted));
        }
        return deleted;
    }

    private static int rank(String netns) {
        if (netns.matches(".*-node[0-9]+-pod[0-9]+")) {
            return 3;
        }
        return netns.endsWith("-fabric") ? 0 : netns.endsWith("-router") ? 1 : 2;
    }

    /** The lab's directory, only when it carries the marker {@code lab up} wrote. */
    private boolean removeDirectory() throws LabException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        if (!Files.exists(dir.resolve(MARKER))) {
            progress.accept("left " + dir + " alone: it has no " + MARKER + " marker, so it is not a lab's directory");
            return false;
        }
        try {
            FileTree.delete(dir);
            return true;
        } catch (IOException e) {
            throw new LabException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
