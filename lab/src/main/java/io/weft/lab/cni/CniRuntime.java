package io.weft.lab.cni;

import io.weft.cni.json.Json;
import io.weft.lab.process.InNamespace;
import io.weft.netlink.sys.AtomicFile;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A container runtime's CNI side, as libcni does it, for one lab node: the installed network list is
 * read from the node's conf dir and each plugin of the chain executed from its bin dir, inside the
 * node's namespace, with the CNI environment and the plugin's config on stdin. The result of ADD is
 * cached in {@code cacheDir} (as libcni keeps {@code /var/lib/cni/results}) and given back to DEL as
 * {@code prevResult}. Like containerd, the pod's loopback is attached first, through the
 * {@code loopback} plugin of the same bin dir, with containerd's network config for it plus
 * {@code loopbackSettings}.
 */
public final class CniRuntime {
    private static final ObjectMapper JSON = Json.mapper();
    private static final String POD_IFNAME = "eth0";

    private final String nodeNetns;
    private final Path binDir;
    private final Path confDir;
    private final Path cacheDir;
    private final Duration timeout;
    private final Map<String, String> loopbackSettings;

    /**
     * @param nodeNetns        the namespace the plugins run in (a runtime runs them in the host's)
     * @param cacheDir         where results are kept between ADD and DEL
     * @param timeout          how long one plugin may take
     * @param loopbackSettings fields added to the loopback plugin's config (Weft's {@code socket}, when
     *                         the agent's is not the default {@code /run/weft/cni.sock})
     */
    public CniRuntime(String nodeNetns, Path binDir, Path confDir, Path cacheDir, Duration timeout, Map<String, String> loopbackSettings) {
        this.nodeNetns = nodeNetns;
        this.binDir = binDir;
        this.confDir = confDir;
        this.cacheDir = cacheDir;
        this.timeout = timeout;
        this.loopbackSettings = Map.copyOf(loopbackSettings);
    }

    /**
     * Attaches the pod: loopback, then the installed chain on {@code eth0}.
     *
     * @return the pod's IPv4 address from the chain's result, without prefix length
     * @throws CniFailure when a plugin fails, with its error code and message
     */
    public String add(String containerId, Path podNetns) throws IOException, InterruptedException {
        NetworkList network = NetworkList.load(confDir);
        run(NetworkList.loopback(network.cniVersion(), loopbackSettings), "ADD", containerId, podNetns, "lo", null);
        JsonNode result = run(network, "ADD", containerId, podNetns, POD_IFNAME, null);
        AtomicFile.replace(cached(network, containerId), JSON.writeValueAsBytes(result));
        return ipv4(result).orElseThrow(() -> new CniFailure(network.file() + ": the result of ADD for " + containerId
                + " has no IPv4 address: " + result));
    }

    /** Detaches the pod: the chain in reverse order with the cached result, then loopback; the cache entry goes. */
    public void del(String containerId, Path podNetns) throws IOException, InterruptedException {
        NetworkList network = NetworkList.load(confDir);
        Path cache = cached(network, containerId);
        JsonNode prevResult;
        try {
            prevResult = JSON.readTree(Files.readAllBytes(cache));
        } catch (NoSuchFileException none) {
            prevResult = null;
        } catch (JacksonException e) {
            throw new IOException(cache + " is not JSON: " + e.getOriginalMessage(), e);
        }
        run(network, "DEL", containerId, podNetns, POD_IFNAME, prevResult);
        run(NetworkList.loopback(network.cniVersion(), loopbackSettings), "DEL", containerId, podNetns, "lo", null);
        Files.deleteIfExists(cache);
    }

    /** Runs the chain: forward for ADD (each plugin's result the next one's prevResult), backward for DEL. */
    private JsonNode run(NetworkList network, String command, String containerId, Path podNetns, String ifname, JsonNode prevResult)
            throws IOException, InterruptedException {
        List<ObjectNode> plugins = new ArrayList<>(network.plugins());
        if (command.equals("DEL")) {
            plugins = plugins.reversed();
        }
        JsonNode result = prevResult;
        for (ObjectNode plugin : plugins) {
            byte[] stdin = network.stdin(plugin, result);
            Map<String, String> env = Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", containerId, "CNI_NETNS", podNetns.toString(),
                    "CNI_IFNAME", ifname, "CNI_PATH", binDir.toString());
            byte[] stdout = exec(NetworkList.type(plugin), env, stdin, network, command, containerId);
            if (command.equals("ADD")) {
                try {
                    result = JSON.readTree(stdout);
                } catch (JacksonException e) {
                    throw new IOException(NetworkList.type(plugin) + " ADD of " + containerId + " printed no JSON result: " + e.getOriginalMessage(), e);
                }
            }
        }
        return result;
    }

    private byte[] exec(String type, Map<String, String> env, byte[] stdin, NetworkList network, String command, String containerId)
            throws IOException, InterruptedException {
        Path plugin = binDir.resolve(type);
        if (!Files.isExecutable(plugin)) {
            throw new CniFailure(network.file() + ": plugin " + type + " is not in " + binDir + " (CNI_PATH)");
        }
        ProcessBuilder builder = new ProcessBuilder(InNamespace.command(nodeNetns, List.of(plugin.toString())));
        builder.environment().keySet().removeIf(name -> name.startsWith("CNI_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<byte[]> stdout = drain(process.getInputStream());
        CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException exited) {
            // it did not read its stdin: its exit code and output say why
        }
        String what = type + " " + command + " of " + containerId + " in " + nodeNetns;
        boolean exited;
        try {
            exited = process.waitFor(timeout);
        } catch (InterruptedException e) {
            process.destroyForcibly(); // a runtime that gives up on a pod does not leave its plugin running
            throw e;
        }
        if (!exited) {
            process.destroyForcibly();
            throw new CniFailure(what + ": no answer within " + timeout.toSeconds() + " s");
        }
        byte[] out = get(stdout);
        if (process.exitValue() != 0) {
            throw new CniFailure(what + " failed (exit " + process.exitValue() + "): " + describeError(out)
                    + stderrTail(get(stderr)));
        }
        return out;
    }

    /** The CNI error object as {@code code N: msg (details)}, or the raw output when it is not one. */
    static String describeError(byte[] stdout) {
        try {
            JsonNode error = JSON.readTree(stdout);
            if (error != null && error.has("msg")) {
                return "code " + error.path("code").asInt(0) + ": " + error.get("msg").asString("")
                        + (error.hasNonNull("details") && !error.get("details").asString("").isEmpty() ? " (" + error.get("details").asString() + ")" : "");
            }
        } catch (JacksonException notJson) {
            // shown raw below
        }
        return new String(stdout, StandardCharsets.UTF_8).strip();
    }

    /** The first IPv4 address of a CNI result's {@code ips}, without prefix length. */
    static Optional<String> ipv4(JsonNode result) {
        for (JsonNode ip : result.path("ips")) {
            String address = ip.path("address").asString("");
            int slash = address.indexOf('/');
            if (slash > 0 && address.indexOf(':') < 0) {
                return Optional.of(address.substring(0, slash));
            }
        }
        return Optional.empty();
    }

    private Path cached(NetworkList network, String containerId) {
        return cacheDir.resolve(network.name() + "-" + containerId + "-" + POD_IFNAME);
    }

    private static String stderrTail(byte[] stderr) {
        String text = new String(stderr, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "";
        }
        return "; stderr: " + (text.length() > 2000 ? "…" + text.substring(text.length() - 2000) : text);
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        CompletableFuture<byte[]> bytes = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                bytes.complete(stream.readAllBytes());
            } catch (IOException e) {
                bytes.completeExceptionally(e);
            }
        });
        return bytes;
    }

    private static byte[] get(CompletableFuture<byte[]> bytes) throws IOException, InterruptedException {
        try {
            return bytes.get();
        } catch (ExecutionException e) {
            throw new IOException("reading a plugin's output: " + e.getCause(), e.getCause());
        }
    }

    /** A plugin failed or could not run; the message names the plugin, the command, the pod and the node. */
    public static final class CniFailure extends IOException {
        private static final long serialVersionUID = 1L;

        CniFailure(String message) {
            super(message);
        }
    }
}
