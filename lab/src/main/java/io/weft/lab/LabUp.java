package io.weft.lab;

import io.weft.lab.cni.CniRuntime;
import io.weft.lab.process.HttpProbe;
import io.weft.lab.process.InNamespace;
import io.weft.lab.topology.Topology;
import io.weft.lab.topology.Wiring;
import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code weft lab up}: the namespaces and links of the {@link Topology}, etcd when asked for, one real
 * {@code weft agent} process per node, and the pods attached through each node's installed plugin as a
 * runtime would. {@code lab.json} is rewritten after every step, so a run that dies half-way leaves
 * {@code weft lab down} all it needs; a run that fails removes what it made itself.
 */
public final class LabUp {
    private static final Duration AGENT_READY = Duration.ofSeconds(120);
    private static final Duration CONVERGED = Duration.ofSeconds(60);
    private static final Duration PLUGIN_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String prefix;
    private final WeftLauncher weft;
    private final Consumer<String> progress;

    /**
     * @param dir      the lab's directory; must not exist, or be empty
     * @param prefix   the first part of the lab's namespace names
     * @param weft     how to run {@code weft agent}
     * @param progress receives a line per step
     */
    public LabUp(Path dir, String prefix, WeftLauncher weft, Consumer<String> progress) {
        this.dir = dir.toAbsolutePath().normalize();
        this.prefix = prefix;
        this.weft = weft;
        this.progress = progress;
    }

    /**
     * Brings the lab up and returns it; on failure everything made is removed again.
     *
     * @throws LabException         when it cannot start (a lab is up already, not root) or a step failed, saying which and why
     * @throws InterruptedException when interrupted: it stops where it is (a plugin it runs is killed) and leaves
     *                              what it made, as {@code lab.json} records it, to {@link LabDown}, which the caller
     *                              runs once nothing is being made any more (and where a second signal cannot cut it short)
     */
    public Lab up(LabOptions options) throws LabException, InterruptedException {
        Topology topology = new Topology(prefix, options);
        refuseIfTaken(topology);
        Lab lab = new Lab(prefix, dir, options, Lab.State.STARTING, topology.fabric(), topology.router(), Optional.empty(),
                List.of(), List.of(), Map.of());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(LabDown.MARKER), prefix + "\n");
            lab.save();
            new Wiring(topology, progress).build();
            lab = startAgents(topology, lab);
            awaitConverged(lab);
            lab = attachPods(topology, lab);
            lab = lab.withState(Lab.State.UP);
            lab.save();
            progress.accept("lab " + prefix + " is up: " + count(options.nodes(), "node") + ", " + count(lab.pods().size(), "pod") + ", in " + dir);
            return lab;
        } catch (IOException | RuntimeException | LabException e) {
            if (Thread.interrupted()) { // the failure is the interrupt's (ClosedByInterruptException, say): not a step's
                InterruptedException interrupted = new InterruptedException("interrupted while bringing the lab up");
                interrupted.initCause(e);
                throw interrupted;
            }
            String why = e instanceof LabException || e instanceof IOException ? e.getMessage() : e.toString();
            progress.accept("lab up failed: " + why.lines().findFirst().orElse("") + "; removing what was made");
            try {
                new LabDown(dir, prefix, progress).down();
            } catch (LabException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new LabException("lab up failed: " + why, e);
        }
    }

    private void refuseIfTaken(Topology topology) throws LabException {
        Root.require("weft lab up");
        if (Files.exists(dir.resolve(Lab.FILE))) {
            throw new LabException("a lab is already up in " + dir + " (" + Lab.FILE + " is there): weft lab status shows it,"
                    + " weft lab down --dir " + dir + " removes it");
        }
        List<String> taken = LabDown.namespacesOf(prefix);
        if (!taken.isEmpty()) {
            throw new LabException("namespaces of prefix " + prefix + " exist (" + String.join(", ", taken.subList(0, Math.min(3, taken.size())))
                    + (taken.size() > 3 ? ", …" : "") + "): a lab with this prefix is up or was not cleaned up;"
                    + " weft lab down --prefix " + prefix + " removes it, or choose another --prefix");
        }
        try (var entries = Files.exists(dir) ? Files.list(dir) : java.util.stream.Stream.<Path>empty()) {
            if (entries.findAny().isPresent()) {
                throw new LabException("--dir " + dir + " is not empty: a lab needs a directory of its own (it is removed by weft lab down)");
            }
        } catch (IOException e) {
            throw new LabException("--dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /** etcd first when asked for; then every agent started before any is waited for, so their JVMs start side by side. */
    private Lab startAgents(Topology topology, Lab lab) throws IOException, InterruptedException, LabException {
        Optional<String> etcdEndpoint = Optional.empty();
        if (lab.options().store() == LabOptions.Store.ETCD) {
            LabEtcd etcd = LabEtcdServer.start(topology, dir);
            lab = lab.withEtcd(etcd);
            lab.save();
            etcdEndpoint = Optional.of(etcd.endpoint());
            progress.accept("etcd (pid " + etcd.pid() + ") in " + etcd.netns() + " at " + etcd.endpoint());
        }
        Path storeDir = lab.storeDir();
        Map<LabNode, Process> agents = new LinkedHashMap<>();
        for (Topology.NodePlan plan : topology.nodes()) {
            Path nodeDir = Lab.nodeDir(dir, plan.name());
            LabNode node = new LabNode(plan.name(), plan.netns(), plan.underlayIp(), nodeDir.resolve("run"), nodeDir.resolve("state"),
                    nodeDir.resolve("cni/bin"), nodeDir.resolve("cni/net.d"));
            Files.createDirectories(nodeDir);
            lab = lab.withNode(node);
            Process agent = InNamespace.startDaemon(node.netns(),
                    weft.command(AgentArguments.SMALL_NODE_JVM, AgentArguments.of(node, lab.options().store(), storeDir, etcdEndpoint)),
                    lab.agentLog(node));
            agents.put(node, agent);
            lab = lab.withAgent(node.name(), agent.pid());
            lab.save();
            progress.accept("agent of " + node.name() + " started (pid " + agent.pid() + "), log " + lab.agentLog(node));
        }
        awaitReady(lab, agents);
        return lab;
    }

    /** Polls every agent's {@code /readyz} inside its node; an agent that exits or takes too long fails the lab with its log. */
    private void awaitReady(Lab lab, Map<LabNode, Process> agents) throws InterruptedException, LabException {
        long deadline = System.nanoTime() + AGENT_READY.toNanos();
        List<LabNode> waiting = new ArrayList<>(agents.keySet());
        while (!waiting.isEmpty()) {
            for (var nodes = waiting.iterator(); nodes.hasNext(); ) {
                LabNode node = nodes.next();
                Process agent = agents.get(node);
                if (!agent.isAlive()) {
                    throw new LabException("the agent of " + node.name() + " exited with " + agent.exitValue() + " before it was ready:\n"
                            + LogTail.of(lab.agentLog(node)));
                }
                if (HttpProbe.get(node.netns(), "127.0.0.1", AgentArguments.HTTP_PORT, "/readyz").filter(a -> a.status() == 200).isPresent()) {
                    nodes.remove();
                    progress.accept("agent of " + node.name() + " is ready");
                }
            }
            if (!waiting.isEmpty() && System.nanoTime() > deadline) {
                LabNode node = waiting.getFirst();
                String reason = HttpProbe.get(node.netns(), "127.0.0.1", AgentArguments.HTTP_PORT, "/readyz")
                        .map(HttpProbe.Answer::body).orElse("no answer on /readyz");
                throw new LabException("the agent of " + node.name() + " was not ready within " + AGENT_READY.toSeconds() + " s ("
                        + reason + "):\n" + LogTail.of(lab.agentLog(node)));
            }
            Thread.sleep(200);
        }
    }

    /** Until every node has a route to every other node's pods (through VXLAN or directly): then pods can talk. */
    private void awaitConverged(Lab lab) throws InterruptedException, LabException {
        int peers = lab.nodes().size() - 1;
        long deadline = System.nanoTime() + CONVERGED.toNanos();
        while (true) {
            List<LabInspector.NodeView> views = LabInspector.inspect(lab);
            Optional<LabInspector.NodeView> behind = views.stream().filter(view -> view.peers().size() < peers).findFirst();
            if (behind.isEmpty()) {
                progress.accept("overlay converged: every node routes to its " + peers + " peer" + (peers == 1 ? "" : "s"));
                return;
            }
            if (System.nanoTime() > deadline) {
                LabInspector.NodeView view = behind.get();
                throw new LabException(view.name() + " routes to " + view.peers().keySet() + " but not to all " + peers
                        + " peers after " + CONVERGED.toSeconds() + " s:\n" + LogTail.of(lab.agentLog(lab.node(view.name()).orElseThrow())));
            }
            Thread.sleep(200);
        }
    }

    private Lab attachPods(Topology topology, Lab lab) throws IOException, InterruptedException {
        for (LabNode node : lab.nodes()) {
            CniRuntime runtime = runtime(lab, node);
            for (int j = 1; j <= lab.options().podsPerNode(); j++) {
                String name = Topology.podName(node.name(), j);
                String netns = topology.podNetns(node.name(), j);
                NetNamespace.create(netns).close();
                String ip = runtime.add(name, NetNamespace.NAMED_DIR.resolve(netns));
                lab = lab.withPod(new LabPod(name, node.name(), netns, ip));
                lab.save();
                progress.accept("pod " + name + " on " + node.name() + ": " + ip + " (" + netns + ")");
            }
        }
        return lab;
    }

    private static String count(int n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    /**
     * The CNI side of a runtime on {@code node}, results cached in the node's directory. The loopback
     * config names the node's agent socket: on a real node it is at the default path the forwarder
     * tries, here each node's is in its own run dir (without it, loopback would start a JVM per pod).
     */
    static CniRuntime runtime(Lab lab, LabNode node) {
        return new CniRuntime(node.netns(), node.cniBinDir(), node.cniConfDir(), Lab.nodeDir(lab.dir(), node.name()).resolve("cni/results"),
                PLUGIN_TIMEOUT, Map.of("socket", node.runDir().resolve("cni.sock").toString()));
    }
}
