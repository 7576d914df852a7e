package io.weft.netlink.testing;

import io.weft.netlink.ns.NetNamespace;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Throwaway network namespaces for one test, named {@code wtest-<pid>-<n>} so that each test run has
 * its own prefix, and removed on close even when the test failed. Namespaces left by a run that died
 * (its pid is gone) are swept the first time a sandbox is made. Also runs {@code ip}/{@code bridge}
 * with {@code -j} as the independent observer of kernel state.
 */
public final class Sandbox implements AutoCloseable {
    private static final String PREFIX = "wtest-" + ProcessHandle.current().pid() + "-";
    private static final Pattern OURS = Pattern.compile("wtest-(\\d+)-.*");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ObjectMapper JSON = JsonMapper.builderWithJackson2Defaults().build();

    static {
        for (String name : NetNamespace.listNamed()) {
            Matcher matcher = OURS.matcher(name);
            if (matcher.matches() && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty()) {
                NetNamespace.delete(name);
            }
        }
    }

    private final List<NetNamespace> namespaces = new ArrayList<>();

    /** A new empty namespace with {@code lo} down, as the kernel makes it. */
    public NetNamespace namespace() {
        NetNamespace namespace = NetNamespace.create(PREFIX + COUNTER.incrementAndGet());
        namespaces.add(namespace);
        return namespace;
    }

    /** Runs {@code ip -j -n NS args…} and parses its JSON output (an empty array when it prints nothing). */
    public static JsonNode ipJson(NetNamespace namespace, String... args) {
        return json(run(command("ip", namespace, true, args)));
    }

    /** Runs {@code bridge -j -n NS args…} and parses its JSON output. */
    public static JsonNode bridgeJson(NetNamespace namespace, String... args) {
        return json(run(command("bridge", namespace, true, args)));
    }

    /** Runs {@code ip -n NS args…}; fails the test when it exits non-zero. */
    public static String ip(NetNamespace namespace, String... args) {
        return run(command("ip", namespace, false, args));
    }

    private static List<String> command(String tool, NetNamespace namespace, boolean json, String... args) {
        List<String> command = new ArrayList<>(List.of(tool));
        if (json) {
            command.add("-j");
        }
        command.addAll(List.of("-n", namespace.name()));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs a command; returns its stdout, or throws with its stderr when it fails. */
    public static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = process.waitFor();
            if (code != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + code + ": " + err.strip());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return text.isBlank() ? JSON.createArrayNode() : JSON.readTree(text);
        } catch (JacksonException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (NetNamespace namespace : namespaces.reversed()) {
            try {
                namespace.close();
                NetNamespace.delete(namespace.name());
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        namespaces.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
