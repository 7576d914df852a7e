package io.weft.agent;

import io.weft.agent.lease.local.LocalStoreModule;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Finds the {@link StoreModule} of a store. etcd's (jetcd, gRPC, Netty, Vert.x: ~43 jars) and Kubernetes'
 * (fabric8: ~30 jars) live in the distribution's {@code lib/etcd} and {@code lib/kubernetes}, off the
 * class path, and are loaded here, each by a class loader of its own, only by a JVM that uses them. The JVM's
 * class loader opens every jar on the class path sooner or later (any lookup of a name no jar holds, such
 * as the JDK's search for logging and HTTP server providers, searches them all) and keeps each one's central
 * directory in the heap: 2.6 MB for all 95 jars, 0.5 MB for the 18 an agent on the local store opens
 * (docs/agent-footprint.md). A build's class path (the tests, an IDE) holds the stores already: they are
 * taken from there.
 */
public final class StoreModules {
    private static final Map<String, StoreModule> LOADED = new ConcurrentHashMap<>();

    private StoreModules() {
    }

    /** The module of {@code store}'s kind, loaded at the first call. */
    public static StoreModule of(AgentConfig.Store store) {
        return switch (store) {
            case AgentConfig.Store.Local _ -> new LocalStoreModule();
            case AgentConfig.Store.Etcd _ -> LOADED.computeIfAbsent(store.kind(), kind -> load(kind, "io.weft.agent.lease.etcd.EtcdStoreModule"));
            case AgentConfig.Store.Kubernetes _ ->
                    LOADED.computeIfAbsent(store.kind(), kind -> load(kind, "io.weft.agent.lease.kube.KubeStoreModule"));
        };
    }

    private static StoreModule load(String kind, String className) {
        ClassLoader agent = StoreModules.class.getClassLoader();
        ClassLoader loader = agent.getResource(className.replace('.', '/') + ".class") != null ? agent : moduleLoader(kind, agent);
        try {
            return (StoreModule) Class.forName(className, true, loader).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new ConfigException("--store", "cannot load the " + kind + " store's module " + className + ": " + e);
        }
    }

    /** A class loader over the jars of {@code lib/KIND}, beside the agent's jar, delegating to the agent's loader first. */
    private static ClassLoader moduleLoader(String kind, ClassLoader parent) {
        Path dir = libDir().resolve(kind);
        List<Path> jars;
        try (Stream<Path> files = Files.list(dir)) {
            jars = files.filter(file -> file.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            jars = List.of();
        }
        if (jars.isEmpty()) {
            throw new ConfigException("--store", "the " + kind + " store's jars are not in " + dir + ": this Weft distribution lacks them");
        }
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException("a file path is a URL: " + jars.get(i), e);
            }
        }
        return new URLClassLoader("weft-" + kind + "-store", urls, parent);
    }

    /** The directory of the jar holding the agent: the distribution's {@code lib}. */
    private static Path libDir() {
        try {
            return Path.of(StoreModules.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the agent's code source is not a file: " + e.getMessage(), e);
        }
    }
}
