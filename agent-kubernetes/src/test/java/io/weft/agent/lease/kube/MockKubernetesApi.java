package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * fabric8's mock Kubernetes API server in CRUD mode, and a client of it, for each test; register it
 * with {@code @RegisterExtension}. The Kubernetes API is the one part of Weft's world that cannot run
 * for real here.
 *
 * <p>A node's status subresource behaves as on a real API server, and so do lists of nodes with a
 * {@code limit} ({@link CrudApiServer}).
 *
 * <p>It replaces {@code @EnableKubernetesMockClient} also because the mock server of fabric8 8.0.0
 * can deadlock when a watch is closed by its client while the server is sending it an event (the
 * event loop waits in {@code WatchEventsListener.onClosed} for the sending thread, which waits for the
 * event loop to finish its write; thread dumps taken here show both). Its shutdown then gives up
 * after 10 s with "Unable to close MockWebServer", failing a test whose assertions all passed (5 in
 * 150 runs of one watch test on a loaded machine, and once in CI). Every watch test closes its watch
 * right after its last change, so the race cannot be designed out of the tests; this extension closes
 * the client, then the server, and reports that one failure of the mock's own shutdown as a warning.
 * The deadlock ends by itself when the sending thread's write times out.
 */
public final class MockKubernetesApi implements BeforeEachCallback, AfterEachCallback {
    private static final Logger LOG = Logger.getLogger(MockKubernetesApi.class.getName());

    private KubernetesMockServer server;
    private KubernetesClient client;

    @Override
    public void beforeEach(ExtensionContext context) {
        server = CrudApiServer.start();
        client = server.createClient();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            client.close();
        } finally {
            try {
                server.destroy();
            } catch (IllegalStateException stuck) {
                // the stuck event loop also keeps Vert.x from closing, when the server got that far
                if (!"Unable to close MockWebServer".equals(stuck.getMessage()) && !"Unable to close Vertx".equals(stuck.getMessage())) {
                    throw stuck;
                }
                LOG.warning(() -> context.getRequiredTestMethod().getName() + " (" + context.getDisplayName() + "): the mock API server did not stop within 10 s"
                        + " (the watch-close deadlock of fabric8's mock server 8.0.0); going on");
            }
        }
    }

    public KubernetesClient client() {
        return client;
    }

    /** Writes a kubeconfig for this server to {@code file} (the mock checks no token). */
    public Path kubeconfig(Path file) throws IOException {
        return CrudApiServer.kubeconfig(file, client.getMasterUrl().toString());
    }

    /** Writes a kubeconfig for this server reached at 127.0.0.1:{@code port}, e.g. through a relay in a node's namespace. */
    public Path kubeconfig(Path file, int port) throws IOException {
        return CrudApiServer.kubeconfig(file, client.getMasterUrl().getProtocol() + "://127.0.0.1:" + port);
    }

    public KubernetesMockServer server() {
        return server;
    }
}
