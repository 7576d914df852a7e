package io.weft.netlink.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls Weft needs, all through one FFM downcall: libc's {@code long syscall(long nr, ...)}
 * with six long arguments and errno captured. One call shape means one generated stub, which keeps
 * the JVM's start-up cost to a single downcall handle (each new shape costs 8–13 ms cold).
 */
public final class Syscalls {
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL;
    private static final SyscallNumbers NR = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> SyscallNumbers.X86_64;
        case "aarch64" -> SyscallNumbers.AARCH64;
        default -> throw new ExceptionInInitializerError("unsupported architecture " + System.getProperty("os.arch")
                + ": Weft's netlink library knows the syscall numbers of x86_64 and aarch64");
    };
    private static final ThreadLocal<MemorySegment> CAPTURED =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    static {
        Linker linker = Linker.nativeLinker();
        SYSCALL = linker.downcallHandle(
                linker.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1),
                Linker.Option.captureCallState("errno"));
    }

    private Syscalls() {}

    private static long call(String name, Object object, long nr, long a, long b, long c, long d, long e, long f) {
        MemorySegment captured = CAPTURED.get();
        long result;
        try {
            result = (long) SYSCALL.invokeExact(captured, nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new IllegalStateException("syscall " + name + " could not be invoked", t);
        }
        if (result == -1) {
            throw new SyscallException(name, object instanceof Integer fd ? "fd " + fd : String.valueOf(object),
                    (int) ERRNO.get(captured, 0L));
        }
        return result;
    }

    public static int socket(int domain, int type, int protocol) {
        return (int) call("socket", domain + "," + type + "," + protocol, NR.socket(), domain, type, protocol, 0, 0, 0);
    }

    public static void bind(int fd, MemorySegment address) {
        call("bind", fd, NR.bind(), fd, address.address(), address.byteSize(), 0, 0, 0);
    }

    public static void getsockname(int fd, MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) address.byteSize());
            call("getsockname", fd, NR.getsockname(), fd, address.address(), length.address(), 0, 0, 0);
        }
    }

    public static void setsockopt(int fd, int level, int option, MemorySegment value) {
        call("setsockopt", fd, NR.setsockopt(), fd, level, option, value.address(), value.byteSize(), 0);
    }

    public static void setsockoptInt(int fd, int level, int option, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(JAVA_INT);
            segment.set(JAVA_INT, 0, value);
            setsockopt(fd, level, option, segment);
        }
    }

    /** Sends {@code length} bytes from {@code buffer} to the netlink peer {@code address}. */
    public static long sendto(int fd, MemorySegment buffer, long length, int flags, MemorySegment address) {
        return call("sendto", fd, NR.sendto(), fd, buffer.address(), length, flags, address.address(), address.byteSize());
    }

    /** Receives one datagram into {@code buffer}; returns its length (may exceed the buffer with MSG_TRUNC). */
    public static long recv(int fd, MemorySegment buffer, int flags) {
        return call("recvfrom", fd, NR.recvfrom(), fd, buffer.address(), buffer.byteSize(), flags, 0, 0);
    }

    /**
     * Receives one datagram into {@code buffer} and the sender's address into {@code address} (e.g. a
     * packet socket's {@code sockaddr_ll}); returns its length (may exceed the buffer with MSG_TRUNC).
     */
    public static long recvfrom(int fd, MemorySegment buffer, int flags, MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) address.byteSize());
            return call("recvfrom", fd, NR.recvfrom(), fd, buffer.address(), buffer.byteSize(), flags,
                    address.address(), length.address());
        }
    }

    public static void close(int fd) {
        call("close", fd, NR.close(), fd, 0, 0, 0, 0, 0);
    }

    /** Moves the calling thread into the namespace {@code fd} refers to. */
    public static void setns(int fd, int nstype, String what) {
        call("setns", what, NR.setns(), fd, nstype, 0, 0, 0, 0);
    }

    public static void unshare(int flags) {
        call("unshare", "flags " + flags, NR.unshare(), flags, 0, 0, 0, 0, 0);
    }

    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            return (int) call("open", path, NR.openat(), AT_FDCWD, cPath.address(), flags, mode, 0, 0);
        }
    }

    public static void flock(int fd, int operation, String what) {
        call("flock", what, NR.flock(), fd, operation, 0, 0, 0, 0);
    }

    public static void mount(String source, String target, String fsType, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            long src = source == null ? 0 : arena.allocateFrom(source).address();
            long type = fsType == null ? 0 : arena.allocateFrom(fsType).address();
            call("mount", target, NR.mount(), src, arena.allocateFrom(target).address(), type, flags, 0, 0);
        }
    }

    public static void umount2(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            call("umount2", target, NR.umount2(), arena.allocateFrom(target).address(), flags, 0, 0, 0, 0);
        }
    }

    /** {@code ioctl(fd, request, argument)}; {@code what} names the object for the error message. */
    public static int ioctl(int fd, long request, MemorySegment argument, String what) {
        return (int) call("ioctl", what, NR.ioctl(), fd, request, argument.address(), 0, 0, 0);
    }

    public static int gettid() {
        return (int) call("gettid", "", NR.gettid(), 0, 0, 0, 0, 0, 0);
    }

    private static final int AT_FDCWD = Kernel.AT_FDCWD;
}
