package io.weft.lab;

import io.weft.lab.process.HttpProbe;
import io.weft.lab.process.LabProcesses;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code weft lab status}: the lab as {@code lab.json} describes it, checked against what runs: each
 * agent's process and its {@code /readyz}, etcd's process, and each node's kernel ({@link LabInspector}).
 *
 * @param lab   the description
 * @param nodes one entry per node, in order
 * @param etcd  whether the lab's etcd runs, with {@code --store etcd}
 */
public record LabStatus(Lab lab, List<NodeStatus> nodes, Optional<Boolean> etcd) {
    /**
     * @param node     the node
     * @param agentPid its agent's process id, once started
     * @param running  whether that process runs
     * @param notReady empty when {@code /readyz} answers 200; else what it answered, or that nothing did
     * @param kernel   what the node's kernel has
     */
    public record NodeStatus(LabNode node, Optional<Long> agentPid, boolean running, Optional<String> notReady, LabInspector.NodeView kernel) {}

    public static LabStatus of(Lab lab) {
        Map<String, LabInspector.NodeView> views = LabInspector.inspect(lab).stream()
                .collect(Collectors.toMap(LabInspector.NodeView::name, Function.identity()));
        List<NodeStatus> nodes = new ArrayList<>();
        for (LabNode node : lab.nodes()) {
            Optional<Long> pid = Optional.ofNullable(lab.agentPids().get(node.name()));
            boolean running = pid.flatMap(p -> LabProcesses.recorded(p, lab.dir().toString())).isPresent();
            Optional<HttpProbe.Answer> readyz = HttpProbe.get(node.netns(), "127.0.0.1", AgentArguments.HTTP_PORT, "/readyz");
            Optional<String> notReady = readyz.isEmpty() ? Optional.of("no answer on /readyz")
                    : readyz.get().status() == 200 ? Optional.empty()
                    : Optional.of("/readyz " + readyz.get().status() + ": " + readyz.get().body());
            nodes.add(new NodeStatus(node, pid, running, notReady, views.get(node.name())));
        }
        Optional<Boolean> etcd = lab.etcd().map(e -> LabProcesses.recorded(e.pid(), lab.dir().toString()).isPresent());
        return new LabStatus(lab, nodes, etcd);
    }

    /** Up, every agent running and ready, etcd running if there is one. */
    public boolean healthy() {
        return lab.state() == Lab.State.UP && etcd.orElse(true)
                && nodes.stream().allMatch(node -> node.running() && node.notReady().isEmpty());
    }
}
