package io.weft.netlink;

import io.weft.netlink.sys.SyscallException;

/**
 * The kernel refused a netlink request. The message names the operation, the object, the errno and
 * the kernel's own extended-ACK text when it sent one, e.g.
 * {@code RTM_NEWLINK weft.1: EEXIST (File exists)} or
 * {@code RTM_NEWLINK x0: EOPNOTSUPP (Operation not supported): Unknown device type}.
 */
public final class NetlinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String operation;
    private final String object;
    private final int errno;
    private final String kernelMessage;

    public NetlinkException(String operation, String object, int errno, String kernelMessage) {
        super(operation + " " + object + ": " + SyscallException.describe(errno)
                + (kernelMessage == null || kernelMessage.isEmpty() ? "" : ": " + kernelMessage));
        this.operation = operation;
        this.object = object;
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    /** The request type, e.g. {@code RTM_NEWLINK}. */
    public String operation() {
        return operation;
    }

    /** What the request was about, e.g. an interface name or a route. */
    public String object() {
        return object;
    }

    public int errno() {
        return errno;
    }

    /** e.g. {@code EEXIST}. */
    public String errnoName() {
        return SyscallException.name(errno);
    }

    /** The kernel's extended-ACK message, or null. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
