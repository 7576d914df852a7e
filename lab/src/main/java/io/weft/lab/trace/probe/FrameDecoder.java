package io.weft.lab.trace.probe;

import io.weft.netlink.MacAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Set;

import static io.weft.netlink.sys.Kernel.ETH_ALEN;
import static io.weft.netlink.sys.Kernel.ETH_HLEN;
import static io.weft.netlink.sys.Kernel.ETH_P_ARP;
import static io.weft.netlink.sys.Kernel.ETH_P_IP;
import static io.weft.netlink.sys.Kernel.IPPROTO_UDP;

/**
 * Decodes Ethernet frames into {@link Packet}s: ARP for IPv4 over Ethernet, IPv4 UDP, and VXLAN
 * (RFC 7348: an 8-byte header, flags then the 24-bit VNI at bytes 4–6) on the given UDP ports. Anything
 * else, or a frame cut short, is null.
 */
final class FrameDecoder {
    private static final int ARP_LENGTH = 28;
    private static final int UDP_HEADER = 8;
    private static final int VXLAN_HEADER = 8;
    private static final int VXLAN_VNI_VALID = 0x08;

    private FrameDecoder() {}

    static Packet decode(byte[] frame, Set<Integer> vxlanPorts) {
        if (frame.length < ETH_HLEN) {
            return null;
        }
        int etherType = u16(frame, 2 * ETH_ALEN);
        if (etherType == ETH_P_ARP) {
            return arp(frame);
        }
        if (etherType == ETH_P_IP) {
            Packet.Datagram datagram = udp(frame);
            if (datagram != null && vxlanPorts.contains(datagram.destinationPort())) {
                return vxlan(datagram, vxlanPorts);
            }
            return datagram;
        }
        return null;
    }

    private static Packet.Arp arp(byte[] frame) {
        int at = ETH_HLEN;
        // hardware type Ethernet (1), protocol IPv4, 6-byte MACs, 4-byte addresses
        if (frame.length < at + ARP_LENGTH || u16(frame, at) != 1 || u16(frame, at + 2) != ETH_P_IP
                || frame[at + 4] != ETH_ALEN || frame[at + 5] != 4) {
            return null;
        }
        return new Packet.Arp(u16(frame, at + 6), mac(frame, at + 8), ip(frame, at + 14), mac(frame, at + 18), ip(frame, at + 24));
    }

    private static Packet.Datagram udp(byte[] frame) {
        int ip = ETH_HLEN;
        if (frame.length < ip + 20 || (frame[ip] >> 4 & 0xf) != 4 || Byte.toUnsignedInt(frame[ip + 9]) != IPPROTO_UDP) {
            return null;
        }
        int headerLength = (frame[ip] & 0xf) * 4;
        int udp = ip + headerLength;
        if (frame.length < udp + UDP_HEADER) {
            return null;
        }
        int end = Math.min(frame.length, udp + u16(frame, udp + 4));
        return new Packet.Datagram(mac(frame, ETH_ALEN), mac(frame, 0), ip(frame, ip + 12), ip(frame, ip + 16),
                u16(frame, udp), u16(frame, udp + 2), Arrays.copyOfRange(frame, udp + UDP_HEADER, Math.max(udp + UDP_HEADER, end)));
    }

    private static Packet.Vxlan vxlan(Packet.Datagram outer, Set<Integer> vxlanPorts) {
        byte[] body = outer.payload();
        if (body.length < VXLAN_HEADER || (body[0] & VXLAN_VNI_VALID) == 0) {
            return null;
        }
        int vni = Byte.toUnsignedInt(body[4]) << 16 | Byte.toUnsignedInt(body[5]) << 8 | Byte.toUnsignedInt(body[6]);
        return new Packet.Vxlan(outer, vni, decode(Arrays.copyOfRange(body, VXLAN_HEADER, body.length), vxlanPorts));
    }

    private static int u16(byte[] bytes, int at) {
        return Byte.toUnsignedInt(bytes[at]) << 8 | Byte.toUnsignedInt(bytes[at + 1]);
    }

    private static MacAddress mac(byte[] bytes, int at) {
        return new MacAddress(Arrays.copyOfRange(bytes, at, at + ETH_ALEN));
    }

    private static InetAddress ip(byte[] bytes, int at) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(bytes, at, at + 4));
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are an IPv4 address", e);
        }
    }
}
