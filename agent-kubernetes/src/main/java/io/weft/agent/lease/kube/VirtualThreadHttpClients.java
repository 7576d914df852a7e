package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

import java.net.http.HttpClient;
import java.util.concurrent.Executor;

/**
 * fabric8's client on the JDK's HTTP client, as by default, but with the HTTP client's work on
 * {@code executor} instead of a cached pool of platform threads of its own.
 */
final class VirtualThreadHttpClients extends JdkHttpClientFactory {
    private final Executor executor;

    VirtualThreadHttpClients(Executor executor) {
        this.executor = executor;
    }

    @Override
    protected HttpClient.Builder createNewHttpClientBuilder() {
        return HttpClient.newBuilder().executor(executor);
    }
}
