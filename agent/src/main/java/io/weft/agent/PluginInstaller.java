package io.weft.agent;

import java.io.IOException;

/**
 * Installs the CNI plugin and conflist for {@code --install-cni} (what {@code weft install} does; it
 * lives in the cli, beside the distribution it copies from).
 */
@FunctionalInterface
public interface PluginInstaller {
    void install(AgentConfig config) throws IOException;

    /** For agents started without {@code --install-cni}: installing is then a mistake. */
    static PluginInstaller none() {
        return config -> {
            throw new IllegalStateException("no CNI installer was given to the agent");
        };
    }
}
