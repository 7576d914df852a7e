package io.weft.agent.lease.etcd;

import io.weft.agent.AgentConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach etcd and where Weft's records live in it.
 *
 * <p>The default TTL is 60 s ({@link #DEFAULT_TTL}): a node that dies leaves its peers' routing
 * tables within a minute, and a renewal every 20 s costs etcd nothing. Flannel's 24 h would keep a
 * dead node's routes for a day. An etcd restart does not expire leases whatever the TTL: etcd gives
 * every lease its full TTL again when a leader is elected.
 *
 * @param endpoints etcd client URLs, e.g. {@code http://10.0.0.1:2379} ({@code https} for TLS)
 * @param prefix where the records live: the network config at {@code <prefix>/config}, the leases under
 *     {@code <prefix>/subnets/}; e.g. {@code /weft}
 * @param ca the CA bundle (PEM) that signed etcd's server certificate, or {@code null} (the JDK's trust
 *     store when an endpoint is {@code https})
 * @param cert this agent's client certificate (PEM), or {@code null}; given together with {@code key}
 * @param key the client certificate's private key (PKCS#8 PEM, as Netty reads it), or {@code null}
 * @param ttl how long a lease outlives its last renewal, whole seconds, at least etcd's minimum of 2 s
 */
public record EtcdConfig(List<URI> endpoints, String prefix, Path ca, Path cert, Path key, Duration ttl) {
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

    public EtcdConfig {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd endpoints: at least one is needed, e.g. http://127.0.0.1:2379");
        }
        for (URI endpoint : endpoints) {
            if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("etcd endpoint " + endpoint + ": expected http://HOST:PORT or https://HOST:PORT");
            }
        }
        Objects.requireNonNull(prefix, "prefix");
        String trimmed = prefix.replaceAll("/+$", "");
        if (!trimmed.startsWith("/")) {
            throw new IllegalArgumentException("etcd prefix \"" + prefix + "\": expected an absolute key path such as /weft");
        }
        prefix = trimmed;
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("etcd client certificate and key go together: "
                    + (cert == null ? "key " + key + " given without a certificate" : "certificate " + cert + " given without a key"));
        }
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.toSeconds() < 2) {
            throw new IllegalArgumentException("etcd lease TTL " + ttl.toMillis() + " ms: at least 2 s (etcd's minimum)");
        }
    }

    /** The agent's etcd flags, with the default TTL. */
    public static EtcdConfig of(AgentConfig.Store.Etcd etcd) {
        return new EtcdConfig(etcd.endpoints(), etcd.prefix(),
                etcd.tls().flatMap(AgentConfig.EtcdTls::caFile).orElse(null),
                etcd.tls().flatMap(AgentConfig.EtcdTls::certFile).orElse(null),
                etcd.tls().flatMap(AgentConfig.EtcdTls::keyFile).orElse(null),
                DEFAULT_TTL);
    }

    /** Whether the connection is TLS: any TLS material given or any endpoint is {@code https}. */
    public boolean tls() {
        return ca != null || cert != null || endpoints.stream().anyMatch(e -> "https".equals(e.getScheme()));
    }
}
