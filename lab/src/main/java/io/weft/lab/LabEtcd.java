package io.weft.lab;

/**
 * The etcd a lab started for {@code --store etcd}: a real {@code etcd} process in the fabric namespace,
 * its client URL on the fabric's underlay address so that every node reaches it.
 *
 * @param netns    the namespace it runs in
 * @param endpoint the client URL the agents are given ({@code --etcd-endpoints})
 * @param pid      its process id
 */
public record LabEtcd(String netns, String endpoint, long pid) {
}
