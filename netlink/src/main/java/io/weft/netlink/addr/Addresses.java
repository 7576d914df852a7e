package io.weft.netlink.addr;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.wire.Attributes;
import io.weft.netlink.wire.Message;
import io.weft.netlink.wire.MessageWriter;
import io.weft.netlink.wire.NetlinkSocket;

import java.net.InetAddress;
import java.util.List;

import static io.weft.netlink.sys.Kernel.*;

/**
 * IPv4 and IPv6 addresses of one namespace: add, delete, list. Obtain through {@code Netlink.addresses()}.
 * Links are named by index; errors name the address and the link, e.g. {@code 10.42.1.1/24 dev 4}.
 */
public final class Addresses {
    private final NetlinkSocket socket;

    public Addresses(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Assigns {@code prefix} to the link; EEXIST when the link already has it. An IPv6 address is
     * added without duplicate address detection ({@code IFA_F_NODAD}): it is usable at once, and
     * Weft's addresses are allocated, not guessed, so there is nothing to detect.
     */
    public void add(int linkIndex, IpPrefix prefix) {
        socket.execute(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, describe(linkIndex, prefix), w -> {
            if (prefix.isIpv4()) {
                encode(w, linkIndex, prefix, 0);
            } else {
                encode(w, linkIndex, prefix, IFA_F_NODAD);
                w.attributeU32(IFA_FLAGS, IFA_F_NODAD);
            }
        });
    }

    /** Removes {@code prefix} from the link; EADDRNOTAVAIL when the link does not have it. */
    public void delete(int linkIndex, IpPrefix prefix) {
        socket.execute(RTM_DELADDR, 0, describe(linkIndex, prefix), w -> encode(w, linkIndex, prefix, 0));
    }

    /** Every IPv4 and IPv6 address of every link, the kernel's own (such as IPv6 link-local) included. */
    public List<Address> list() {
        return socket.dump(RTM_GETADDR, "all addresses", w -> w.ifaddrmsg(AF_UNSPEC, 0, 0, 0, 0),
                message -> isIp(message) ? decode(message) : null);
    }

    /** The addresses of one link. */
    public List<Address> list(int linkIndex) {
        return list().stream().filter(address -> address.linkIndex() == linkIndex).toList();
    }

    /**
     * The header and address attributes shared by add and delete. IPv4 has a local address and a
     * peer address, equal except on point-to-point links; the kernel matches on both, as ip does.
     */
    private static void encode(MessageWriter w, int linkIndex, IpPrefix prefix, int flags) {
        boolean ipv4 = prefix.isIpv4();
        w.ifaddrmsg(ipv4 ? AF_INET : AF_INET6, prefix.length(), flags, scope(prefix), linkIndex);
        if (ipv4) {
            w.attribute(IFA_LOCAL, prefix.address().getAddress());
        }
        w.attribute(IFA_ADDRESS, prefix.address().getAddress());
    }

    /** The scope ip gives an address: host for IPv4 loopback, else universe (IPv6 ignores it). */
    private static int scope(IpPrefix prefix) {
        return prefix.address().isLoopbackAddress() ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
    }

    private static String describe(int linkIndex, IpPrefix prefix) {
        return prefix + " dev " + linkIndex;
    }

    private static boolean isIp(Message message) {
        int family = message.u8(0);
        return family == AF_INET || family == AF_INET6;
    }

    /** Decodes an {@code RTM_NEWADDR} message of family {@code AF_INET} or {@code AF_INET6}. */
    public static Address decode(Message message) {
        if (!isIp(message)) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address message: family " + message.u8(0));
        }
        int prefixLength = message.u8(1);
        int headerFlags = message.u8(2);
        int scope = message.u8(3);
        int linkIndex = message.u32(4);
        Attributes attributes = message.attributes(SIZEOF_IFADDRMSG);
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
        InetAddress address = attributes.has(IFA_LOCAL) ? attributes.address(IFA_LOCAL) : attributes.address(IFA_ADDRESS);
        return new Address(linkIndex, new IpPrefix(address, prefixLength), scope,
                attributes.u32(IFA_FLAGS, headerFlags), attributes.string(IFA_LABEL));
    }
}
