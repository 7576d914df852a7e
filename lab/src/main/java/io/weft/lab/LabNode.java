package io.weft.lab;

import java.nio.file.Path;

/**
 * One node of a lab: a network namespace (named, under {@code /run/netns}) running one {@code weft agent}.
 *
 * @param name       the node's name, as the agent's {@code --node-name} ({@code node1}, …)
 * @param netns      the name of its network namespace
 * @param underlayIp the address of its cluster NIC, the agent's {@code --iface}
 * @param runDir     the agent's {@code --run-dir} ({@code subnet.env}, {@code cni.sock})
 * @param stateDir   the agent's {@code --state-dir} ({@code vtep-mac}, {@code ipam/})
 * @param cniBinDir  where the agent installed the plugin ({@code --cni-bin-dir})
 * @param cniConfDir where the agent installed the conflist ({@code --cni-conf-dir})
 */
public record LabNode(String name, String netns, String underlayIp, Path runDir, Path stateDir, Path cniBinDir, Path cniConfDir) {
}
