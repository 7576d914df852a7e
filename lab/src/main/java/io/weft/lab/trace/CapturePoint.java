package io.weft.lab.trace;

import java.nio.file.Path;

/**
 * An interface on the path where {@code --probe} listens with a packet socket.
 *
 * @param node      the node (or pod) whose namespace has the interface
 * @param netns     that namespace; null for the one the command runs in
 * @param interfaceName the interface, e.g. {@code eth0}
 * @param index     its index in that namespace
 */
public record CapturePoint(String node, Path netns, String interfaceName, int index) {
    /** {@code node1 eth0}. */
    public String label() {
        return node + " " + interfaceName;
    }
}
