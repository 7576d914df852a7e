package io.weft.cni;

/**
 * A CNI error: the spec's error object ({@code code}, {@code msg}, {@code details}) as an exception, so
 * that any step can fail with the code the runtime must see. Codes below 100 are the spec's; 100 and
 * above are Weft's own, documented in {@code docs/cni.md}.
 */
public final class CniException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int INCOMPATIBLE_VERSION = 1;
    public static final int UNSUPPORTED_FIELD = 2;
    public static final int UNKNOWN_CONTAINER = 3;
    public static final int INVALID_ENVIRONMENT = 4;
    public static final int IO_FAILURE = 5;
    public static final int DECODE_FAILURE = 6;
    public static final int INVALID_CONFIG = 7;
    public static final int TRY_AGAIN_LATER = 11;
    public static final int UNAVAILABLE = 50;
    /** The node's pod subnet has no free address. */
    public static final int ADDRESSES_EXHAUSTED = 100;
    /** {@code CNI_IFNAME} already exists in the pod, or the host end of its veth already exists. */
    public static final int INTERFACE_EXISTS = 101;
    /** The kernel refused a netlink request; the message is the {@code NetlinkException}'s. */
    public static final int KERNEL_REFUSED = 102;
    /** {@code CNI_NETNS} cannot be opened as a network namespace (ADD, CHECK). */
    public static final int NAMESPACE_UNAVAILABLE = 103;
    /** The forwarder and the agent could not understand each other (framing). */
    public static final int AGENT_PROTOCOL = 104;
    /** CHECK found the pod's network other than its ADD result says. */
    public static final int CHECK_FAILED = 105;
    /** A failure Weft did not anticipate (a bug); the Go skel reports these as 999 too. */
    public static final int INTERNAL = 999;

    private final int code;
    private final String details;

    public CniException(int code, String message) {
        this(code, message, "");
    }

    public CniException(int code, String message, String details) {
        super(message);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public CniException(int code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = "";
    }

    public int code() {
        return code;
    }

    /** The spec's {@code details}: longer context for the message, often empty. */
    public String details() {
        return details;
    }
}
