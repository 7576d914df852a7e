package io.weft.netlink.link;

import io.weft.netlink.MacAddress;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.wire.Attributes;
import io.weft.netlink.wire.Message;
import io.weft.netlink.wire.MessageWriter;
import io.weft.netlink.wire.NetlinkSocket;

import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static io.weft.netlink.sys.Kernel.*;

/**
 * Links (network interfaces) of one namespace: list, get, add, delete, and the settings Weft changes.
 * Obtain through {@code Netlink.links()}. Operations name links by name; errors name them too.
 */
public final class Links {
    private final NetlinkSocket socket;

    public Links(NetlinkSocket socket) {
        this.socket = socket;
    }

    public List<Link> list() {
        return socket.dump(RTM_GETLINK, "all links", w -> w.ifinfomsg(AF_UNSPEC, 0, 0, 0), Links::decode);
    }

    /** The link named {@code name}; a {@link NetlinkException} with ENODEV when there is none. */
    public Link get(String name) {
        LinkSpec.checkName(name);
        return socket.query(RTM_GETLINK, 0, name, w -> w.ifinfomsg(AF_UNSPEC, 0, 0, 0).attributeString(IFLA_IFNAME, name),
                Links::decode);
    }

    public Link get(int index) {
        return socket.query(RTM_GETLINK, 0, "index " + index, w -> w.ifinfomsg(AF_UNSPEC, index, 0, 0), Links::decode);
    }

    public Optional<Link> find(String name) {
        try {
            return Optional.of(get(name));
        } catch (NetlinkException e) {
            if (e.errno() == ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates a link; EEXIST when one of that name exists. Returns it as the kernel now reports it. */
    public Link add(LinkSpec spec) {
        socket.execute(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, spec.name(), w -> encode(w, spec));
        return get(spec.name());
    }

    /** Deletes a link (both ends, for a veth). ENODEV when there is none. */
    public void delete(String name) {
        LinkSpec.checkName(name);
        socket.execute(RTM_DELLINK, 0, name, w -> w.ifinfomsg(AF_UNSPEC, 0, 0, 0).attributeString(IFLA_IFNAME, name));
    }

    public void setUp(String name) {
        change(name, w -> w.ifinfomsg(AF_UNSPEC, 0, IFF_UP, IFF_UP));
    }

    public void setDown(String name) {
        change(name, w -> w.ifinfomsg(AF_UNSPEC, 0, 0, IFF_UP));
    }

    public void setMtu(String name, int mtu) {
        change(name, w -> w.ifinfomsg(AF_UNSPEC, 0, 0, 0).attributeU32(IFLA_MTU, mtu));
    }

    public void setMac(String name, MacAddress mac) {
        change(name, w -> w.ifinfomsg(AF_UNSPEC, 0, 0, 0).attribute(IFLA_ADDRESS, mac.bytes()));
    }

    /** Enslaves the link to {@code masterIndex} (a bridge's index). */
    public void setMaster(String name, int masterIndex) {
        change(name, w -> w.ifinfomsg(AF_UNSPEC, 0, 0, 0).attributeU32(IFLA_MASTER, masterIndex));
    }

    public void setNoMaster(String name) {
        setMaster(name, 0);
    }

    /** Moves the link into another namespace, where it keeps its name. */
    public void moveTo(String name, NetNamespace namespace) {
        change(name, w -> w.ifinfomsg(AF_UNSPEC, 0, 0, 0).attributeU32(IFLA_NET_NS_FD, namespace.fd()));
    }

    /** Renames a link; the kernel requires it to be down (EBUSY otherwise). */
    public void rename(String name, String newName) {
        LinkSpec.checkName(newName);
        int index = get(name).index();
        socket.execute(RTM_NEWLINK, 0, name + " -> " + newName,
                w -> w.ifinfomsg(AF_UNSPEC, index, 0, 0).attributeString(IFLA_IFNAME, newName));
    }

    /** Turns hairpin mode of a bridge port on or off (the link must be enslaved to a bridge). */
    public void setHairpin(String name, boolean on) {
        int index = get(name).index();
        socket.execute(RTM_SETLINK, 0, name, w -> {
            w.ifinfomsg(AF_BRIDGE, index, 0, 0);
            int protinfo = w.beginNested(IFLA_PROTINFO | NLA_F_NESTED);
            w.attributeU8(IFLA_BRPORT_MODE, on ? 1 : 0);
            w.endNested(protinfo);
        });
    }

    private void change(String name, Consumer<MessageWriter> header) {
        LinkSpec.checkName(name);
        socket.execute(RTM_NEWLINK, 0, name, w -> {
            header.accept(w);
            w.attributeString(IFLA_IFNAME, name);
        });
    }

    private static void encode(MessageWriter w, LinkSpec spec) {
        w.ifinfomsg(AF_UNSPEC, 0, 0, 0).attributeString(IFLA_IFNAME, spec.name());
        if (spec.mtu() > 0) {
            w.attributeU32(IFLA_MTU, spec.mtu());
        }
        if (spec.mac() != null) {
            w.attribute(IFLA_ADDRESS, spec.mac().bytes());
        }
        int linkInfo = w.beginNested(IFLA_LINKINFO);
        w.attributeString(IFLA_INFO_KIND, spec.kind().typeName());
        switch (spec.kind()) {
            case LinkKind.Veth() -> {
                int data = w.beginNested(IFLA_INFO_DATA);
                int peer = w.beginNested(VETH_INFO_PEER);
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0).attributeString(IFLA_IFNAME, spec.peer().name());
                if (spec.peer().namespace() != null) {
                    w.attributeU32(IFLA_NET_NS_FD, spec.peer().namespace().fd());
                }
                if (spec.mtu() > 0) {
                    w.attributeU32(IFLA_MTU, spec.mtu());
                }
                if (spec.peer().mac() != null) {
                    w.attribute(IFLA_ADDRESS, spec.peer().mac().bytes());
                }
                w.endNested(peer);
                w.endNested(data);
            }
            case LinkKind.Vxlan vxlan -> {
                int data = w.beginNested(IFLA_INFO_DATA);
                w.attributeU32(IFLA_VXLAN_ID, vxlan.vni());
                if (vxlan.local() != null) {
                    w.attribute(vxlan.local() instanceof Inet4Address ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6,
                            vxlan.local().getAddress());
                }
                if (vxlan.underlayIndex() > 0) {
                    w.attributeU32(IFLA_VXLAN_LINK, vxlan.underlayIndex());
                }
                w.attributeU8(IFLA_VXLAN_TTL, vxlan.ttl());
                w.attributeU8(IFLA_VXLAN_LEARNING, vxlan.learning() ? 1 : 0);
                w.attributeU16BigEndian(IFLA_VXLAN_PORT, vxlan.port());
                w.endNested(data);
            }
            case LinkKind.Bridge b -> { }
            case LinkKind.Other o -> { }
        }
        w.endNested(linkInfo);
    }

    /** Decodes an {@code RTM_NEWLINK} message (a dump entry, a query answer or a notification). */
    public static Link decode(Message message) {
        int index = message.u32(4);
        int flags = message.u32(8);
        Attributes attributes = message.attributes(SIZEOF_IFINFOMSG);
        Attributes linkInfo = attributes.nested(IFLA_LINKINFO);
        String kindName = linkInfo.string(IFLA_INFO_KIND);
        LinkKind kind = switch (kindName == null ? "" : kindName) {
            case "bridge" -> new LinkKind.Bridge();
            case "veth" -> new LinkKind.Veth();
            case "vxlan" -> decodeVxlan(linkInfo.nested(IFLA_INFO_DATA));
            default -> new LinkKind.Other(kindName == null ? "" : kindName);
        };
        boolean hairpin = "bridge".equals(linkInfo.string(IFLA_INFO_SLAVE_KIND))
                && linkInfo.nested(IFLA_INFO_SLAVE_DATA).u8(IFLA_BRPORT_MODE, 0) == 1;
        byte[] mac = attributes.bytes(IFLA_ADDRESS);
        return new Link(index, attributes.string(IFLA_IFNAME), kind, attributes.u32(IFLA_MTU, 0),
                mac != null && mac.length == 6 ? new MacAddress(mac) : null, flags,
                attributes.u32(IFLA_MASTER, 0), attributes.u32(IFLA_LINK, 0),
                attributes.u8(IFLA_OPERSTATE, IF_OPER_UNKNOWN), hairpin);
    }

    private static LinkKind.Vxlan decodeVxlan(Attributes data) {
        return new LinkKind.Vxlan(data.u32(IFLA_VXLAN_ID, 0), data.u16BigEndian(IFLA_VXLAN_PORT, 8472),
                data.has(IFLA_VXLAN_LOCAL) ? data.address(IFLA_VXLAN_LOCAL) : data.address(IFLA_VXLAN_LOCAL6),
                data.u32(IFLA_VXLAN_LINK, 0), data.u8(IFLA_VXLAN_LEARNING, 1) == 1, data.u8(IFLA_VXLAN_TTL, 0));
    }
}
