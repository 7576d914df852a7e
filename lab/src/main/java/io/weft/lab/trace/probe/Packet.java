package io.weft.lab.trace.probe;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;

import java.net.InetAddress;
import java.util.Arrays;

import static io.weft.netlink.sys.Kernel.ARPOP_REPLY;
import static io.weft.netlink.sys.Kernel.ARPOP_REQUEST;

/** A captured frame, decoded as far as the probe cares: ARP, a UDP datagram, or one inside VXLAN. */
public sealed interface Packet {
    /** One line, with MACs, addresses and ports. */
    String summary();

    /**
     * An ARP request or reply.
     *
     * @param operation {@code ARPOP_REQUEST} or {@code ARPOP_REPLY}
     */
    record Arp(int operation, MacAddress senderMac, InetAddress senderIp, MacAddress targetMac, InetAddress targetIp) implements Packet {
        public boolean request() {
            return operation == ARPOP_REQUEST;
        }

        public boolean reply() {
            return operation == ARPOP_REPLY;
        }

        @Override
        public String summary() {
            return request() ? "ARP who-has " + IpPrefix.formatAddress(targetIp) + " tell " + IpPrefix.formatAddress(senderIp) + " (from " + senderMac + ")"
                    : reply() ? "ARP reply " + IpPrefix.formatAddress(senderIp) + " is-at " + senderMac
                    : "ARP operation " + operation + " " + IpPrefix.formatAddress(senderIp) + " → " + IpPrefix.formatAddress(targetIp);
        }
    }

    /** An IPv4 UDP datagram in its Ethernet frame. */
    record Datagram(MacAddress sourceMac, MacAddress destinationMac, InetAddress source, InetAddress destination, int sourcePort,
                    int destinationPort, byte[] payload) implements Packet {
        public Datagram {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        boolean carries(byte[] expected) {
            return Arrays.equals(payload, expected);
        }

        @Override
        public String summary() {
            return "UDP " + IpPrefix.formatAddress(source) + ":" + sourcePort + " → " + IpPrefix.formatAddress(destination) + ":"
                    + destinationPort + " (" + sourceMac + " → " + destinationMac + ")";
        }
    }

    /** A frame encapsulated in VXLAN: the outer UDP datagram, the VNI, and the inner frame. */
    record Vxlan(Datagram outer, int vni, Packet inner) implements Packet {
        @Override
        public String summary() {
            return "VXLAN VNI " + vni + " in UDP " + IpPrefix.formatAddress(outer.source()) + ":" + outer.sourcePort() + " → "
                    + IpPrefix.formatAddress(outer.destination()) + ":" + outer.destinationPort() + ", inner "
                    + (inner == null ? "(not decoded)" : inner.summary());
        }
    }
}
