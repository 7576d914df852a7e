package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Queue;

/**
 * fabric8's mock Kubernetes API server in CRUD mode, over plain HTTP, with a node's status subresource
 * ({@link NodeStatusAsTheApiServer}) and lists of nodes with a {@code limit} ({@link NodeListPagesAsTheApiServer})
 * as a real API server has them. Started apart from any test framework: the tests' {@link MockKubernetesApi}
 * and the benchmark's API server process (bench {@code MockApiServer}) both use it.
 */
public final class CrudApiServer {
    private CrudApiServer() {}

    /** Starts a server on a free port; {@link KubernetesMockServer#destroy()} stops it. */
    public static KubernetesMockServer start() {
        var responses = new HashMap<ServerRequest, Queue<ServerResponse>>();
        var server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
                responses, new NodeStatusAsTheApiServer(
                new NodeListPagesAsTheApiServer(new KubernetesMixedDispatcher(responses))), false);
        server.init();
        return server;
    }

    /** Writes a kubeconfig for the server at {@code url} to {@code file} (the mock checks no token). */
    public static Path kubeconfig(Path file, String url) throws IOException {
        return Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                    insecure-skip-tls-verify: true
                contexts:
                - name: mock
                  context: {cluster: mock, user: test}
                current-context: mock
                users:
                - name: test
                  user: {token: not-checked-by-the-mock}
                """.formatted(url));
    }
}
