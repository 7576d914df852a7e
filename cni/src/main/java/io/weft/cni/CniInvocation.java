package io.weft.cni;

import java.util.Map;

/**
 * One execution of the plugin as a container runtime makes it: the environment (only the {@code CNI_*}
 * variables matter), the network configuration on stdin, and the name the program was run under
 * ({@code weft}, or {@code loopback} when installed as the loopback plugin).
 */
public record CniInvocation(Map<String, String> environment, byte[] stdin, String programName) {
    public CniInvocation {
        environment = Map.copyOf(environment);
        stdin = stdin.clone();
    }

    @Override
    public byte[] stdin() {
        return stdin.clone();
    }
}
