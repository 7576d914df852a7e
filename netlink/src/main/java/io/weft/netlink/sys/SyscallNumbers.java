package io.weft.netlink.sys;

/** Syscall numbers, generated from asm/unistd_64.h (x86_64) and asm-generic/unistd.h (aarch64) by netlink/tools/gen-constants.sh. Do not edit. */
record SyscallNumbers(
        long socket,
        long bind,
        long sendto,
        long recvfrom,
        long close,
        long setns,
        long openat,
        long flock,
        long unshare,
        long mount,
        long umount2,
        long setsockopt,
        long getsockopt,
        long getsockname,
        long gettid,
        long ioctl) {
    static final SyscallNumbers X86_64 = new SyscallNumbers(41, 49, 44, 45, 3, 308, 257, 73, 272, 165, 166, 54, 55, 51, 186, 16);
    static final SyscallNumbers AARCH64 = new SyscallNumbers(198, 200, 206, 207, 57, 268, 56, 32, 97, 40, 39, 208, 209, 204, 178, 29);
}
