package io.weft.cni.ipam;

import io.weft.netlink.IpPrefix;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * The process {@link IpAllocatorCrashTest} kills: allocates for attachments {@code <prefix>-0, -1, ...} in an
 * endless loop, holding at most {@code window} of them (it releases the oldest), and reports each step on
 * stdout: {@code A <id> <address>} after an allocation, {@code r <id>} before a release, {@code R <id>} after.
 * Arguments: directory, subnet, prefix, window.
 */
public final class AllocatingChild {
    private AllocatingChild() {}

    public static void main(String[] args) {
        IpAllocator allocator = new IpAllocator(Path.of(args[0]), IpPrefix.parse(args[1]));
        String prefix = args[2];
        int window = Integer.parseInt(args[3]);
        PrintStream out = System.out;
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            InetAddress address = allocator.allocate(new Attachment(id, "eth0"));
            out.println("A " + id + " " + address.getHostAddress());
            out.flush();
            if (i >= window) {
                String old = prefix + "-" + (i - window);
                out.println("r " + old);
                out.flush();
                allocator.release(new Attachment(old, "eth0"));
                out.println("R " + old);
                out.flush();
            }
        }
    }
}
