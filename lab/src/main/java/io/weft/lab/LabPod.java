package io.weft.lab;

/**
 * One pod of a lab: a network namespace attached through the node's installed CNI plugin.
 *
 * @param name  the pod's name ({@code node1-pod1}, …), also its CNI container id
 * @param node  the name of the node it runs on
 * @param netns the name of its network namespace
 * @param ip    its address (eth0), without prefix length
 */
public record LabPod(String name, String node, String netns, String ip) {
}
