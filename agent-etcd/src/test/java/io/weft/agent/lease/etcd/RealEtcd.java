package io.weft.agent.lease.etcd;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One real etcd ({@link EtcdServer}) for a test class, and a plain jetcd client on it to look at or
 * change the keys behind the store's back: register with {@code @RegisterExtension static final RealEtcd
 * ETCD = new RealEtcd()}. The class is skipped where etcd is not installed; its tests share the server,
 * so each works under a key prefix of its own.
 */
public final class RealEtcd implements BeforeAllCallback, AfterAllCallback {
    private EtcdServer server;
    private Client client;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        assumeTrue(Files.isExecutable(EtcdServer.BINARY), "etcd is not installed at " + EtcdServer.BINARY + " (apt-get install etcd-server)");
        server = EtcdServer.start();
        client = Client.builder().endpoints(server.endpoint()).build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    public EtcdServer server() {
        return server;
    }

    public Client client() {
        return client;
    }
}
