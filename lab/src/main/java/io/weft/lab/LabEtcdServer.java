package io.weft.lab;

import io.weft.lab.process.HttpProbe;
import io.weft.lab.process.InNamespace;
import io.weft.lab.topology.Topology;
import io.weft.netlink.IpPrefix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The etcd of a lab with {@code --store etcd}: the Debian {@code etcd} binary, a single member in the
 * fabric namespace (nothing in the root namespace), its clients served on the fabric's underlay
 * address, its peer port on the fabric's own loopback, its data in the lab's directory.
 */
final class LabEtcdServer {
    static final Path BINARY = Path.of("/usr/bin/etcd");
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private LabEtcdServer() {}

    /** Starts etcd and returns once {@code /health} says true; a failure quotes its log. */
    static LabEtcd start(Topology topology, Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IOException("--store etcd needs " + BINARY + " (Debian: apt-get install etcd-server)");
        }
        Path etcdDir = Files.createDirectories(dir.resolve("etcd"));
        Path log = etcdDir.resolve("etcd.log");
        String client = topology.etcdEndpoint();
        String peer = "http://127.0.0.1:2380";
        Process process = InNamespace.startDaemon(topology.fabric(), List.of(BINARY.toString(),
                "--name", "weft-lab", "--data-dir", etcdDir.resolve("data").toString(),
                "--listen-client-urls", client + ",http://127.0.0.1:" + Topology.ETCD_PORT, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "weft-lab=" + peer,
                "--logger=zap", "--log-outputs=stderr"), log);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!healthy(topology)) {
            if (!process.isAlive()) {
                throw new IOException("etcd exited with " + process.exitValue() + ":\n" + LogTail.of(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("etcd was not healthy within " + STARTUP.toSeconds() + " s:\n" + LogTail.of(log));
            }
            Thread.sleep(100);
        }
        return new LabEtcd(topology.fabric(), client, process.pid());
    }

    private static boolean healthy(Topology topology) {
        return HttpProbe.get(topology.fabric(), IpPrefix.formatAddress(Topology.FABRIC_ADDRESS.address()), Topology.ETCD_PORT, "/health")
                .filter(answer -> answer.status() == 200 && answer.body().replace(" ", "").contains("\"health\":\"true\""))
                .isPresent();
    }
}
