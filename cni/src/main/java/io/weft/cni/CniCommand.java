package io.weft.cni;

import java.util.List;

/**
 * The {@code CNI_COMMAND}s and the environment each one needs (spec 1.1, "Parameters"). {@code CNI_PATH}
 * is never required: Weft delegates to no other plugin, so it has no use for it.
 */
public enum CniCommand {
    ADD(List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"), CniVersion.V0_1_0),
    DEL(List.of("CNI_CONTAINERID", "CNI_IFNAME"), CniVersion.V0_1_0),
    CHECK(List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"), CniVersion.V0_4_0),
    GC(List.of(), CniVersion.V1_1_0),
    STATUS(List.of(), CniVersion.V1_1_0),
    VERSION(List.of(), CniVersion.V0_1_0);

    private final List<String> requiredVariables;
    private final CniVersion introducedIn;

    CniCommand(List<String> requiredVariables, CniVersion introducedIn) {
        this.requiredVariables = requiredVariables;
        this.introducedIn = introducedIn;
    }

    /** The variables besides {@code CNI_COMMAND} that must be set and non-empty. */
    public List<String> requiredVariables() {
        return requiredVariables;
    }

    /** The first spec version with this command: a configuration of an older version may not use it. */
    public CniVersion introducedIn() {
        return introducedIn;
    }
}
