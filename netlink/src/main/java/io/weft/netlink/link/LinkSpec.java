package io.weft.netlink.link;

import io.weft.netlink.MacAddress;
import io.weft.netlink.ns.NetNamespace;

import static io.weft.netlink.sys.Kernel.IFNAMSIZ;

/**
 * What to create with {@link Links#add}: a name, a kind, and optional MTU and MAC (0 and null leave
 * them to the kernel). A veth also names its peer, optionally created directly in another namespace.
 */
public record LinkSpec(String name, LinkKind kind, int mtu, MacAddress mac, VethPeer peer) {
    /** The far end of a veth pair. {@code namespace} null means the same namespace as the near end. */
    public record VethPeer(String name, NetNamespace namespace, MacAddress mac) {
        public VethPeer {
            checkName(name);
        }
    }

    public LinkSpec {
        checkName(name);
        if (mtu < 0) {
            throw new IllegalArgumentException("MTU " + mtu + " of " + name + " is negative");
        }
        if ((kind instanceof LinkKind.Veth) != (peer != null)) {
            throw new IllegalArgumentException(name + ": a veth needs a peer, and only a veth has one");
        }
    }

    public static LinkSpec bridge(String name) {
        return new LinkSpec(name, new LinkKind.Bridge(), 0, null, null);
    }

    /** A veth pair {@code name} ↔ {@code peerName}, the peer created inside {@code peerNamespace} (null: here). */
    public static LinkSpec veth(String name, String peerName, NetNamespace peerNamespace) {
        return new LinkSpec(name, new LinkKind.Veth(), 0, null, new VethPeer(peerName, peerNamespace, null));
    }

    public static LinkSpec vxlan(String name, LinkKind.Vxlan settings) {
        return new LinkSpec(name, settings, 0, null, null);
    }

    /** A link of any other kind, by the kernel's kind name (e.g. {@code ifb}). */
    public static LinkSpec of(String name, String kind) {
        return new LinkSpec(name, new LinkKind.Other(kind), 0, null, null);
    }

    public LinkSpec withMtu(int mtu) {
        return new LinkSpec(name, kind, mtu, mac, peer);
    }

    public LinkSpec withMac(MacAddress mac) {
        return new LinkSpec(name, kind, mtu, mac, peer);
    }

    /** Sets the peer's MAC (veth only). */
    public LinkSpec withPeerMac(MacAddress peerMac) {
        return new LinkSpec(name, kind, mtu, mac, new VethPeer(peer.name(), peer.namespace(), peerMac));
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() >= IFNAMSIZ || name.contains("/")
                || name.chars().anyMatch(Character::isWhitespace) || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid interface name \"" + name + "\": 1 to " + (IFNAMSIZ - 1)
                    + " characters, no '/' or whitespace");
        }
    }
}
