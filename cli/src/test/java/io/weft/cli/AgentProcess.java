package io.weft.cli;

import io.weft.netlink.ns.NetNamespace;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code weft agent} as a real process, run by {@code nsenter} inside a node's namespace with this
 * JVM's {@code java}, the JVM options the {@code weft} launcher gives the agent (so that the tests prove
 * the agent works within them) and the test class path, its output in a log file of its own. A JVM
 * killed mid-test leaves no agent running: a shutdown hook kills it.
 */
final class AgentProcess implements AutoCloseable {
    /** The HTTP port inside the node's namespace: each node has a loopback of its own. */
    static final int HTTP_PORT = 9472;
    private static final Pattern STATUS_OK = Pattern.compile("HTTP/1\\.[01] 200 ");
    private static final Pattern HOLDS = Pattern.compile("node \\S+ holds (\\S+) \\(public IP \\S+, VTEP MAC (\\S+)\\)");
    private static final Pattern LAUNCHER_OPTIONS = Pattern.compile("(?m)^agent_java_opts=\"([^\"]*)\"$");
    private static final Pattern LAUNCHER_KUBERNETES_HEAP = Pattern.compile("(?m)^agent_kubernetes_heap=\"([^\"]*)\"$");

    private final NetNamespace node;
    private final Process process;
    private final Path log;
    private final Thread killOnExit;

    /** What the agent said it holds: its subnet and the MAC of its VXLAN device. */
    record Holding(String subnet, String vtepMac) {}

    private AgentProcess(NetNamespace node, Process process, Path log) {
        this.node = node;
        this.process = process;
        this.log = log;
        this.killOnExit = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts the agent of {@code name} on the shared local store, with its run and state directories
     * under {@code nodeDir} and its output in {@code log}; the same arguments each time for the same node.
     */
    static AgentProcess start(NetNamespace node, String name, Path storeDir, Path nodeDir, Path log) throws IOException {
        return start(node, name, List.of("--store", "local", "--store-dir", storeDir.toString()), nodeDir, log);
    }

    /** Starts the agent of {@code name} on the store {@code storeArguments} name ({@code --store etcd ...}). */
    static AgentProcess start(NetNamespace node, String name, List<String> storeArguments, Path nodeDir, Path log) throws IOException {
        return start(node, name, System.getProperty("java.class.path"), storeArguments, nodeDir, log);
    }

    /** {@link #start(NetNamespace, String, List, Path, Path)} with the class path {@code classPath}, as {@code -cp} takes it. */
    static AgentProcess start(NetNamespace node, String name, String classPath, List<String> storeArguments, Path nodeDir, Path log)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(launcherOptions(storeArguments.contains("kubernetes")));
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED",
                "-cp", classPath, Main.class.getName(), "agent",
                "--node-name", name, "--iface", "eth0"));
        command.addAll(storeArguments);
        command.addAll(List.of("--run-dir", nodeDir.resolve("run").toString(), "--state-dir", nodeDir.resolve("state").toString(),
                "--http-address", "127.0.0.1:" + HTTP_PORT, "--reconcile-interval", "2s"));
        return start(node, command, log);
    }

    /** Starts {@code command}, a {@code weft agent} serving HTTP on 127.0.0.1:9472, inside {@code node}. */
    static AgentProcess start(NetNamespace node, List<String> command, Path log) throws IOException {
        List<String> inNode = new ArrayList<>(List.of("nsenter", "--net=" + node.path()));
        inNode.addAll(command);
        Process process = new ProcessBuilder(inNode)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        return new AgentProcess(node, process, log);
    }

    /**
     * The JVM options the {@code weft} script at the checkout's root starts the agent with
     * ({@code agent_java_opts}, and {@code agent_kubernetes_heap} after them for the Kubernetes store).
     */
    static List<String> launcherOptions(boolean kubernetes) throws IOException {
        Path launcher = Path.of("..", "weft").toAbsolutePath().normalize();
        String script = Files.readString(launcher);
        List<String> options = new ArrayList<>(List.of(assignment(LAUNCHER_OPTIONS, script, launcher).split(" +")));
        if (kubernetes) {
            options.add(assignment(LAUNCHER_KUBERNETES_HEAP, script, launcher));
        }
        return options;
    }

    private static String assignment(Pattern line, String script, Path launcher) {
        Matcher matcher = line.matcher(script);
        if (!matcher.find()) {
            throw new AssertionError(launcher + " has no line like " + line.pattern());
        }
        return matcher.group(1);
    }

    /** Waits until {@code /readyz} answers 200; fails with the log when the agent exits or the time runs out. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready()) {
            if (!process.isAlive()) {
                throw new AssertionError("the agent exited " + process.exitValue() + " before it was ready:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the agent was not ready within " + timeout.toSeconds() + " s:\n" + log());
            }
            Thread.sleep(100);
        }
    }

    private boolean ready() {
        return node.call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", HTTP_PORT), 1_000);
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /readyz HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                return STATUS_OK.matcher(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).lookingAt();
            } catch (IOException notYet) { // not listening yet, or gone: the caller looks at the process
                return false;
            }
        });
    }

    /** The agent's JVM: {@code nsenter} execs it, entering a network namespace needs no fork. */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The subnet and VTEP MAC this run of the agent claimed, as it logged them. */
    Holding holding() {
        Matcher matcher = HOLDS.matcher(log());
        if (!matcher.find()) {
            throw new AssertionError("the agent logged no lease:\n" + log());
        }
        return new Holding(matcher.group(1), matcher.group(2));
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the agent exits by itself; returns its exit status, or fails with the log when it still runs after {@code timeout}. */
    int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the agent still runs after " + timeout.toSeconds() + " s:\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL, as the OOM killer or a node crash would end it; returns the exit status (137). */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the agent (pid " + process.pid() + ") outlived SIGKILL for 30 s");
        }
        return process.exitValue();
    }

    /** Kills the agent if it still runs. */
    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException exiting) {
            // the JVM is exiting and the hook runs anyway
        }
    }
}
