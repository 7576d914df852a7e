package io.weft.netlink.sys;

/** A system call failed; the message names the call, its object and the errno, e.g. {@code setns(/run/netns/a): EINVAL (Invalid argument)}. */
public final class SyscallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public SyscallException(String call, String object, int errno) {
        super(call + "(" + object + "): " + describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return name(errno);
    }

    /** {@code EEXIST}, or {@code errno 200} for a number glibc does not name. */
    public static String name(int errno) {
        String[] entry = errno > 0 && errno < Errno.TABLE.length ? Errno.TABLE[errno] : null;
        return entry == null ? "errno " + errno : entry[0];
    }

    /** {@code EEXIST (File exists)}. */
    public static String describe(int errno) {
        String[] entry = errno > 0 && errno < Errno.TABLE.length ? Errno.TABLE[errno] : null;
        return entry == null ? "errno " + errno : entry[0] + " (" + entry[1] + ")";
    }
}
