package io.weft.lab.trace;

/**
 * Ids of the elements of a drawn topology, shared by the steps of a trace and the SVG that draws it:
 * {@code dev--node1--cni0}, {@code pod--node1-pod1--eth0}, {@code wire--node1--node3}. Characters other
 * than letters, digits, {@code .}, {@code _} and {@code -} become {@code _}, so every id is a valid XML name.
 */
public final class ElementId {
    private ElementId() {}

    public static String node(String node) {
        return "node--" + clean(node);
    }

    /** An interface in a node's namespace: its bridge, VXLAN device, underlay NIC or a pod's veth end. */
    public static String device(String node, String interfaceName) {
        return "dev--" + clean(node) + "--" + clean(interfaceName);
    }

    public static String pod(String pod) {
        return "pod--" + clean(pod);
    }

    /** An interface inside a pod, its {@code eth0}. */
    public static String podInterface(String pod, String interfaceName) {
        return "pod--" + clean(pod) + "--" + clean(interfaceName);
    }

    /** The underlay between two nodes, as a packet crosses it from {@code from} to {@code to}. */
    public static String wire(String from, String to) {
        return "wire--" + clean(from) + "--" + clean(to);
    }

    private static String clean(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
