package io.weft.lab;

import io.weft.netlink.sys.AtomicFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A lab as {@code weft lab up} left it, kept in {@code DIR/lab.json}: what {@code lab status},
 * {@code lab exec}, {@code lab down}, {@code weft trace} and {@code weft doctor} read to find its
 * namespaces, directories and processes. {@code lab up} rewrites the file (atomically) after every
 * step, so a run that died half-way still tells {@code lab down} what it made.
 *
 * @param prefix      the first part of every namespace name of the lab ({@code PREFIX-node1}, …)
 * @param dir         the lab's directory: this file, the local store, each node's directories and log
 * @param options     what the lab was asked to be
 * @param state       {@code STARTING} until {@code lab up} has finished
 * @param fabricNetns the namespace of the switch (and of etcd)
 * @param routerNetns the router's namespace, with {@code --subnets split}
 * @param etcd        the lab's etcd, with {@code --store etcd}, once started
 * @param nodes       the nodes made so far, in order
 * @param pods        the pods attached so far, in order
 * @param agentPids   the process id of each node's agent, by node name
 */
public record Lab(String prefix, Path dir, LabOptions options, State state, String fabricNetns, Optional<String> routerNetns,
                  Optional<LabEtcd> etcd, List<LabNode> nodes, List<LabPod> pods, Map<String, Long> agentPids) {
    /** Where a lab lives unless told otherwise. */
    public static final String DEFAULT_DIR_NAME = "/run/weft-lab";
    /** {@link #DEFAULT_DIR_NAME} as a path. */
    public static final Path DEFAULT_DIR = Path.of(DEFAULT_DIR_NAME);
    /** The namespace prefix unless told otherwise. */
    public static final String DEFAULT_PREFIX = "weftlab";
    /** The description's file name in the lab's directory. */
    public static final String FILE = "lab.json";

    /** Whether {@code lab up} finished, or is still at work (or died at work). */
    public enum State { STARTING, UP }

    public Lab {
        nodes = List.copyOf(nodes);
        pods = List.copyOf(pods);
        agentPids = Map.copyOf(agentPids);
    }

    /**
     * Reads {@code dir/lab.json}.
     *
     * @throws NoSuchFileException when there is no lab in {@code dir}
     * @throws IOException         when the file cannot be read or is not a lab description; the message names the field
     */
    public static Lab load(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no lab here (weft lab up makes one)");
        }
        return LabFile.decode(file, content);
    }

    /** Replaces {@code dir/lab.json} with this description, whole. */
    public void save() throws IOException {
        AtomicFile.replace(dir.resolve(FILE), LabFile.encode(this));
    }

    /** The node named {@code name}. */
    public Optional<LabNode> node(String name) {
        return nodes.stream().filter(node -> node.name().equals(name)).findFirst();
    }

    /** The pod named {@code nameOrIp}, or whose address it is. */
    public Optional<LabPod> pod(String nameOrIp) {
        return pods.stream().filter(pod -> pod.name().equals(nameOrIp) || pod.ip().equals(nameOrIp)).findFirst();
    }

    /**
     * The namespace {@code lab exec} enters for {@code target}: a node's by its name, a pod's by its name or
     * address, or {@code fabric} or {@code router}.
     */
    public Optional<String> namespaceOf(String target) {
        if (target.equals("fabric")) {
            return Optional.of(fabricNetns);
        }
        if (target.equals("router")) {
            return routerNetns;
        }
        return node(target).map(LabNode::netns).or(() -> pod(target).map(LabPod::netns));
    }

    /** The pods on the node named {@code node}, in order. */
    public List<LabPod> podsOn(String node) {
        return pods.stream().filter(pod -> pod.node().equals(node)).toList();
    }

    /** The local store all agents share, with {@code --store local}: {@code DIR/store}. */
    public Path storeDir() {
        return dir.resolve("store");
    }

    /** The agent's output: {@code DIR/NODE/agent.log}. */
    public Path agentLog(LabNode node) {
        return nodeDir(dir, node.name()).resolve("agent.log");
    }

    /** Every namespace of the lab, pods last. */
    public List<String> namespaces() {
        List<String> names = new ArrayList<>();
        names.add(fabricNetns);
        routerNetns.ifPresent(names::add);
        Stream.concat(nodes.stream().map(LabNode::netns), pods.stream().map(LabPod::netns)).forEach(names::add);
        return names;
    }

    Lab withState(State newState) {
        return new Lab(prefix, dir, options, newState, fabricNetns, routerNetns, etcd, nodes, pods, agentPids);
    }

    Lab withEtcd(LabEtcd started) {
        return new Lab(prefix, dir, options, state, fabricNetns, routerNetns, Optional.of(started), nodes, pods, agentPids);
    }

    Lab withNode(LabNode node) {
        List<LabNode> more = new ArrayList<>(nodes);
        more.add(node);
        return new Lab(prefix, dir, options, state, fabricNetns, routerNetns, etcd, more, pods, agentPids);
    }

    Lab withAgent(String node, long pid) {
        Map<String, Long> more = new java.util.HashMap<>(agentPids);
        more.put(node, pid);
        return new Lab(prefix, dir, options, state, fabricNetns, routerNetns, etcd, nodes, pods, more);
    }

    Lab withPod(LabPod pod) {
        List<LabPod> more = new ArrayList<>(pods);
        more.add(pod);
        return new Lab(prefix, dir, options, state, fabricNetns, routerNetns, etcd, nodes, more, agentPids);
    }

    /** {@code DIR/NODE}: the node's run, state and CNI directories and its agent's log. */
    static Path nodeDir(Path dir, String node) {
        return dir.resolve(node);
    }
}
