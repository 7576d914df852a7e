#!/usr/bin/env bash
# Regenerates the netlink module's kernel constants from the UAPI headers (linux-libc-dev) and glibc:
#   sys/Kernel.java       constants and struct sizes (kernel-constants.c)
#   sys/Errno.java        errno numbers, names and messages (errno-names.c)
#   sys/SyscallNumbers.java  syscall numbers for x86_64 and aarch64 (asm/unistd_64.h, asm-generic/unistd.h)
# Usage: gen-constants.sh [OUTPUT_SOURCE_ROOT]   (default: netlink/src/main/java)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../src/main/java}
pkg=$out/io/weft/netlink
mkdir -p "$pkg/sys"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

gcc -O0 -o "$work/kernel-constants" "$here/kernel-constants.c"
"$work/kernel-constants" > "$pkg/sys/Kernel.java"

gcc -O0 -o "$work/errno-names" "$here/errno-names.c"
{
  echo 'package io.weft.netlink.sys;'
  echo
  echo '/** errno names and messages, generated from glibc by netlink/tools/gen-constants.sh. Do not edit. */'
  echo 'final class Errno {'
  echo '    private Errno() {}'
  echo
  echo '    /** Index: errno number; null where glibc defines none. */'
  echo '    static final String[][] TABLE = new String[134][];'
  echo
  echo '    static {'
  "$work/errno-names" | while IFS=$'\t' read -r number name message; do
    printf '        TABLE[%d] = new String[] {"%s", "%s"};\n' "$number" "$name" "${message//\"/\\\"}"
  done
  echo '    }'
  echo '}'
} > "$pkg/sys/Errno.java"

syscalls="socket bind sendto recvfrom close setns openat flock unshare mount umount2 setsockopt getsockopt getsockname gettid ioctl"
nr() { printf '#include <%s>\n' "$1" | gcc -E -dM -x c - | awk -v n="__NR_$2" '$2==n{print $3}'; }
{
  echo 'package io.weft.netlink.sys;'
  echo
  echo '/** Syscall numbers, generated from asm/unistd_64.h (x86_64) and asm-generic/unistd.h (aarch64) by netlink/tools/gen-constants.sh. Do not edit. */'
  echo 'record SyscallNumbers('
  first=1
  for s in $syscalls; do
    [ $first = 1 ] || echo ','
    printf '        long %s' "$s"; first=0
  done
  echo ') {'
  for arch in x86_64:asm/unistd_64.h aarch64:asm-generic/unistd.h; do
    name=${arch%%:*}; header=${arch#*:}
    printf '    static final SyscallNumbers %s = new SyscallNumbers(' "${name^^}"
    sep=""
    for s in $syscalls; do printf '%s%s' "$sep" "$(nr "$header" "$s")"; sep=", "; done
    echo ');'
  done
  echo '}'
} > "$pkg/sys/SyscallNumbers.java"
