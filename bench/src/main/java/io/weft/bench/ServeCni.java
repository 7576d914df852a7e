package io.weft.bench;

import io.weft.cni.CniPlugin;
import io.weft.cni.server.CniServer;

import java.nio.file.Path;

/**
 * Driver of bench/cni-latency.sh: serves the CNI plugin on a socket, warm, in the network namespace it
 * was started in, as the agent will. Runs until killed.
 */
public final class ServeCni {
    private ServeCni() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ServeCni SOCKET");
        }
        try (CniPlugin plugin = CniPlugin.forCurrentNamespace(); CniServer server = CniServer.start(Path.of(args[0]), plugin)) {
            System.err.println("serving CNI on " + server.socket());
            Thread.currentThread().join();
        }
    }
}
