package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.cni.CniRequest;
import io.weft.cni.config.NetworkConfig;
import io.weft.cni.ipam.Attachment;
import io.weft.cni.ipam.IpAllocator;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkKind;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * GC (spec 1.1): forgets every attachment the runtime no longer knows, the leftovers of DELs that
 * never came (a crash, a reboot): releases their reservations and deletes their node-side veths. It
 * goes on after a failure and reports all of them at the end.
 */
final class GarbageCollection {
    private final Netlink node;
    private final NetworkConfig config;
    private final IpAllocator allocator;

    GarbageCollection(Netlink node, NetworkConfig config, IpAllocator allocator) {
        this.node = node;
        this.config = config;
        this.allocator = allocator;
    }

    /**
     * {@code cni.dev/valid-attachments}, or the older {@code cni.dev/attachments} the spec-v1.1.0 text
     * named (libcni sends both). Absent is an error: reading it as "none" would detach every pod.
     */
    static Set<Attachment> validAttachments(CniRequest request) {
        String key = request.config().has("cni.dev/valid-attachments") ? "cni.dev/valid-attachments" : "cni.dev/attachments";
        JsonNode list = request.config().path(key);
        if (!list.isArray()) {
            throw new CniException(CniException.INVALID_CONFIG, "cni.dev/valid-attachments "
                    + (list.isMissingNode() ? "is missing" : list + " is not an array") + ": GC needs the attachments to keep");
        }
        Set<Attachment> valid = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            if (!entry.path("containerID").isString() || !entry.path("ifname").isString()) {
                throw new CniException(CniException.INVALID_CONFIG, key + "[" + i + "] " + entry
                        + " is not valid: expected {\"containerID\":…,\"ifname\":…}");
            }
            try {
                valid.add(new Attachment(entry.get("containerID").asString(), entry.get("ifname").asString()));
            } catch (IllegalArgumentException e) {
                throw new CniException(CniException.INVALID_CONFIG, key + "[" + i + "] " + entry + " is not valid: " + e.getMessage());
            }
        }
        return valid;
    }

    void run(Set<Attachment> valid) {
        List<CniException> problems = new ArrayList<>();
        try {
            allocator.retainOnly(valid);
        } catch (RuntimeException e) {
            problems.add(asProblem("releasing reservations", e));
        }
        Set<String> keep = valid.stream().map(a -> HostVeth.name(a.containerId(), a.ifName())).collect(Collectors.toSet());
        for (Link veth : staleVeths(keep)) {
            try {
                PodNetwork.deleteIfPresent(node, veth.name());
            } catch (RuntimeException e) {
                problems.add(asProblem("deleting " + veth.name(), e));
            }
        }
        if (!problems.isEmpty()) {
            throw new CniException(problems.getFirst().code(), "GC left " + problems.size() + " problem(s); the first: "
                    + problems.getFirst().getMessage(), problems.stream().map(Throwable::getMessage).collect(Collectors.joining("; ")));
        }
    }

    /**
     * Weft's veths (by name) on this network's bridge, or on none (their bridge was deleted), that
     * belong to no valid attachment. Veths of another Weft network hang on another bridge and stay.
     */
    private List<Link> staleVeths(Set<String> keep) {
        int bridge = node.links().find(config.bridge()).map(Link::index).orElse(-1);
        return node.links().list().stream()
                .filter(link -> link.kind() instanceof LinkKind.Veth && HostVeth.isWeftName(link.name()))
                .filter(link -> link.masterIndex() == bridge || link.masterIndex() == 0)
                .filter(link -> !keep.contains(link.name()))
                .toList();
    }

    private static CniException asProblem(String what, RuntimeException e) {
        int code = e instanceof NetlinkException ? CniException.KERNEL_REFUSED
                : e instanceof CniException cni ? cni.code() : CniException.IO_FAILURE;
        return new CniException(code, what + ": " + e.getMessage(), e);
    }
}
