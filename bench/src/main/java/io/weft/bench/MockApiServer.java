package io.weft.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.weft.agent.lease.kube.CrudApiServer;
import io.weft.agent.lease.kube.K3sNodes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.weft.bench.FakePeers.option;

/**
 * Driver of bench/agent-kube-scale.sh: the Kubernetes API an agent with {@code --store kubernetes} talks
 * to, fabric8's mock API server in CRUD mode ({@link CrudApiServer}, the agent's tests' own), holding
 * {@code --nodes} N nodes the size of real k3s nodes ({@link K3sNodes}) and one more for the agent.
 * Writes a kubeconfig reaching it on 127.0.0.1 (it runs in the agent's network namespace) and one line
 * per peer, {@code SUBNET VTEP-MAC PUBLIC-IP}, as {@link FillLeaseStore} does; prints the agent's node
 * name and {@code ready}, and serves until its standard input closes. Each {@code list} line read there
 * times its answers to a list of all nodes a page at a time, as the agent's store asks for them (the
 * median of {@value #LIST_ROUNDS}, after {@value #WARM_ROUNDS} rounds warming the client's code, printed as
 * {@code list_median_ns=}): the part of each of the agent's
 * passes that is the mock's, not the agent's.
 */
public final class MockApiServer {
    /** The mock logs a line per request, 20 every pass of the agent: held here, or the level set would be collected. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    /** The agent's store lists nodes 50 at a time (NodePages.PAGE_SIZE). */
    private static final int PAGE = 50;
    private static final int LIST_ROUNDS = 5;
    private static final int WARM_ROUNDS = 3;
    /** The mock's continue token (NodeListPagesAsTheApiServer): the index of the page's first node. */
    private static final Pattern CONTINUE = Pattern.compile("\"continue\":\"(\\d+)\"");

    private MockApiServer() {}

    public static void main(String[] args) throws IOException {
        int nodes = Integer.parseInt(option(args, "--nodes"));
        Path kubeconfig = Path.of(option(args, "--kubeconfig"));
        Path peers = Path.of(option(args, "--peers-file"));
        if (nodes < 1 || nodes > 1023) {
            throw new IllegalArgumentException("--nodes " + nodes + ": 1 to 1023 nodes (and the agent's) fit in " + K3sNodes.NETWORK);
        }
        MOCK_LOG.setLevel(Level.WARNING);
        KubernetesMockServer server = CrudApiServer.start();
        try {
            long start = System.nanoTime();
            try (KubernetesClient client = server.createClient();
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(peers))) {
                K3sNodes.create(client, nodes + 1);   // the last one is the agent's
                for (int i = 0; i < nodes; i++) {
                    out.println(K3sNodes.podCidr(i) + " " + K3sNodes.vtepMac(i) + " " + K3sNodes.publicIp(i));
                }
            }
            CrudApiServer.kubeconfig(kubeconfig, "http://127.0.0.1:" + server.getPort());
            System.out.println("create_ns=" + (System.nanoTime() - start));
            System.out.println("node_json_bytes=" + Serialization.asJson(K3sNodes.node(0)).length());
            System.out.println("node=" + K3sNodes.name(nodes));
            System.out.println("network=" + K3sNodes.NETWORK);
            System.out.println("ready");
            System.out.flush();
            var commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String command; (command = commands.readLine()) != null; ) {   // until the script closes it, or kills us
                if (!command.equals("list")) {
                    throw new IllegalArgumentException("unknown command \"" + command + "\" (list)");
                }
                System.out.println("list_median_ns=" + listMedianNs(server.getPort(), nodes + 1));
                System.out.flush();
            }
        } finally {
            server.destroy();
        }
    }

    /** The median time to fetch all nodes in pages of {@link #PAGE}, by the JDK's HTTP client, unparsed. */
    private static long listMedianNs(int port, int expected) throws IOException {
        long[] times = new long[LIST_ROUNDS];
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int round = -WARM_ROUNDS; round < LIST_ROUNDS; round++) {
                long start = System.nanoTime();
                String next = null;
                int pages = 0;
                do {
                    String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/nodes?limit=" + PAGE
                            + (next == null ? "" : "&continue=" + next))).build(), HttpResponse.BodyHandlers.ofString()).body();
                    Matcher more = CONTINUE.matcher(body);
                    next = more.find() ? more.group(1) : null;
                    pages++;
                } while (next != null);
                if (round >= 0) {
                    times[round] = System.nanoTime() - start;
                }
                if (pages != (expected + PAGE - 1) / PAGE) {
                    throw new IllegalStateException(pages + " pages of " + PAGE + " for " + expected + " nodes");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listing nodes", e);
        }
        Arrays.sort(times);
        return times[LIST_ROUNDS / 2];
    }
}
