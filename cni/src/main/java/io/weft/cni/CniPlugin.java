package io.weft.cni;

import io.weft.cni.config.NetworkConfig;
import io.weft.cni.pod.Loopback;
import io.weft.cni.pod.PodNetwork;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.sys.SyscallException;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Weft CNI plugin: parses an invocation, dispatches ADD, DEL, CHECK, STATUS, GC and VERSION, and
 * renders the result or the error. Works in the network namespace of the node it is made for, through
 * one netlink handle opened there at construction. Safe for many concurrent invocations (the agent
 * serves each on a platform thread of its own); the runtime never runs two on one container.
 */
public final class CniPlugin implements CniHandler, AutoCloseable {
    /** The name under which the program is the loopback plugin. */
    public static final String LOOPBACK = "loopback";

    private final NetNamespace ownedNode;
    private final Netlink nodeNetlink;
    private final PodNetwork pods;

    private CniPlugin(NetNamespace node, boolean owned) {
        this.ownedNode = owned ? node : null;
        this.nodeNetlink = Netlink.open(node);
        this.pods = new PodNetwork(node, nodeNetlink);
    }

    /** The plugin for the node namespace the calling thread is in (the in-process path, {@code weft cni}). */
    public static CniPlugin forCurrentNamespace() {
        NetNamespace node = NetNamespace.current();
        try {
            return new CniPlugin(node, true);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** The plugin for a given node namespace (the agent of a lab node; tests). The caller keeps {@code node} open. */
    public static CniPlugin forNamespace(NetNamespace node) {
        return new CniPlugin(node, false);
    }

    @Override
    public CniResponse handle(CniInvocation invocation) {
        CniRequest request = null;
        try {
            request = CniRequest.parse(invocation);
            if (request.command() == CniCommand.VERSION) {
                return CniResponse.success(versionInfo(request.version()) + "\n");
            }
            return isLoopback(invocation.programName()) ? loopback(request) : weft(request);
        } catch (RuntimeException | LinkageError e) {
            CniVersion version = request != null ? request.version() : CniRequest.versionToAnswer(invocation.stdin());
            return error(version, asCniException(e));
        }
    }

    private CniResponse weft(CniRequest request) {
        NetworkConfig config = NetworkConfig.parse(request.config());
        return switch (request.command()) {
            case ADD -> CniResponse.success(pods.add(request, config).toJson(request.version()) + "\n");
            case DEL -> silently(() -> pods.delete(request, config));
            case CHECK -> silently(() -> pods.check(request, config));
            case GC -> silently(() -> pods.collectGarbage(request, config));
            case STATUS -> silently(() -> pods.status(config));
            case VERSION -> throw new IllegalStateException("VERSION is answered before dispatch");
        };
    }

    private static CniResponse loopback(CniRequest request) {
        return switch (request.command()) {
            case ADD -> CniResponse.success(Loopback.add(request) + "\n");
            case DEL -> silently(() -> Loopback.delete(request));
            case CHECK -> silently(() -> Loopback.check(request));
            case GC, STATUS -> CniResponse.silentSuccess();
            case VERSION -> throw new IllegalStateException("VERSION is answered before dispatch");
        };
    }

    private static CniResponse silently(Runnable command) {
        command.run();
        return CniResponse.silentSuccess();
    }

    private static boolean isLoopback(String programName) {
        Path name = Path.of(programName).getFileName();
        return name != null && name.toString().equals(LOOPBACK);
    }

    private static ObjectNode versionInfo(CniVersion version) {
        ObjectNode info = JsonNodeFactory.instance.objectNode().put("cniVersion", version.toString());
        ArrayNode supported = info.putArray("supportedVersions");
        CniVersion.SUPPORTED.forEach(each -> supported.add(each.toString()));
        return info;
    }

    private static CniResponse error(CniVersion version, CniException e) {
        ObjectNode json = JsonNodeFactory.instance.objectNode()
                .put("cniVersion", version.toString())
                .put("code", e.code())
                .put("msg", e.getMessage());
        String details = Stream.concat(Stream.of(e.details()).filter(d -> !d.isEmpty()), Arrays.stream(e.getSuppressed())
                .map(s -> "while undoing: " + s.getMessage())).collect(Collectors.joining("; "));
        if (!details.isEmpty()) {
            json.put("details", details);
        }
        return new CniResponse(1, (json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Every failure as the error the runtime sees; nothing escapes {@link #handle}. */
    static CniException asCniException(Throwable failure) {
        CniException mapped = switch (failure) {
            case CniException e -> e;
            case NetlinkException e -> new CniException(CniException.KERNEL_REFUSED, e.getMessage(), e);
            case SyscallException e -> new CniException(CniException.IO_FAILURE, e.getMessage(), e);
            case UncheckedIOException e -> new CniException(CniException.IO_FAILURE, e.getMessage(), e);
            case IOException e -> new CniException(CniException.IO_FAILURE, e.toString(), e);
            case NetNamespace.NamespaceTaskException e when e.getCause() != null -> asCniException(e.getCause());
            default -> {
                failure.printStackTrace(); // a bug: the trace goes to stderr, never to stdout
                yield new CniException(CniException.INTERNAL, "internal error: " + failure, failure);
            }
        };
        if (mapped != failure) {
            Arrays.stream(failure.getSuppressed()).forEach(mapped::addSuppressed);
        }
        return mapped;
    }

    @Override
    public void close() {
        try {
            nodeNetlink.close();
        } finally {
            if (ownedNode != null) {
                ownedNode.close();
            }
        }
    }
}
