package io.weft.netlink.sys;

/** Kernel constants, generated from the UAPI headers by netlink/tools/gen-constants.sh. Do not edit. */
public final class Kernel {
    private Kernel() {}

    // sys/socket.h
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int AF_BRIDGE = 7;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 524288;
    public static final int SOL_SOCKET = 1;
    public static final int SOL_NETLINK = 270;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_RCVTIMEO = 20;
    public static final int MSG_TRUNC = 32;
    public static final int MSG_PEEK = 2;
    public static final int AF_PACKET = 17;

    // errno.h
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EBUSY = 16;
    public static final int ENOBUFS = 105;
    public static final int EOPNOTSUPP = 95;
    public static final int ENETUNREACH = 101;
    public static final int EADDRNOTAVAIL = 99;

    // fcntl.h, sched.h, sys/file.h, sys/mount.h
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 64;
    public static final int O_EXCL = 128;
    public static final int O_CLOEXEC = 524288;
    public static final int O_TRUNC = 512;
    public static final int AT_FDCWD = -100;
    public static final int CLONE_NEWNET = 1073741824;
    public static final int LOCK_SH = 1;
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    public static final int LOCK_UN = 8;
    public static final int MS_BIND = 4096;
    public static final int MS_REC = 16384;
    public static final int MS_SHARED = 1048576;
    public static final int MNT_DETACH = 2;

    // linux/limits.h
    public static final int NAME_MAX = 255;

    // linux/netlink.h
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;
    public static final int NLM_F_REQUEST = 1;
    public static final int NLM_F_MULTI = 2;
    public static final int NLM_F_ACK = 4;
    public static final int NLM_F_ECHO = 8;
    public static final int NLM_F_DUMP_INTR = 16;
    public static final int NLM_F_ROOT = 256;
    public static final int NLM_F_MATCH = 512;
    public static final int NLM_F_DUMP = 768;
    public static final int NLM_F_REPLACE = 256;
    public static final int NLM_F_EXCL = 512;
    public static final int NLM_F_CREATE = 1024;
    public static final int NLM_F_APPEND = 2048;
    public static final int NLM_F_CAPPED = 256;
    public static final int NLM_F_ACK_TLVS = 512;
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;
    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLMSGERR_ATTR_OFFS = 2;
    public static final int NLA_F_NESTED = 32768;
    public static final int NLA_F_NET_BYTEORDER = 16384;
    public static final int NLA_TYPE_MASK = -49153;
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLA_HDRLEN = 4;
    public static final int NLMSG_ALIGNTO = 4;
    public static final int NLA_ALIGNTO = 4;

    // linux/rtnetlink.h: message types
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;

    // linux/rtnetlink.h: multicast groups
    public static final int RTNLGRP_LINK = 1;
    public static final int RTNLGRP_NEIGH = 3;
    public static final int RTNLGRP_IPV4_IFADDR = 5;
    public static final int RTNLGRP_IPV4_ROUTE = 7;
    public static final int RTNLGRP_IPV6_IFADDR = 9;
    public static final int RTNLGRP_IPV6_ROUTE = 11;

    // linux/rtnetlink.h: routes
    public static final int RTN_UNSPEC = 0;
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;
    public static final int RTN_ANYCAST = 4;
    public static final int RTN_MULTICAST = 5;
    public static final int RTN_BLACKHOLE = 6;
    public static final int RTN_UNREACHABLE = 7;
    public static final int RTN_PROHIBIT = 8;
    public static final int RTPROT_UNSPEC = 0;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_SITE = 200;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;
    public static final int RT_SCOPE_NOWHERE = 255;
    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_DEFAULT = 253;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;
    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_IIF = 3;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_METRICS = 8;
    public static final int RTA_MULTIPATH = 9;
    public static final int RTA_FLOW = 11;
    public static final int RTA_TABLE = 15;
    public static final int RTA_MARK = 16;
    public static final int RTA_UID = 25;
    public static final int RTNH_F_DEAD = 1;
    public static final int RTNH_F_ONLINK = 4;
    public static final int RTNH_F_LINKDOWN = 16;
    public static final int RTM_F_NOTIFY = 256;
    public static final int RTM_F_CLONED = 512;
    public static final int RTM_F_LOOKUP_TABLE = 4096;
    public static final int RTM_F_FIB_MATCH = 8192;

    // linux/if.h
    public static final int IFF_UP = 1;
    public static final int IFF_BROADCAST = 2;
    public static final int IFF_LOOPBACK = 8;
    public static final int IFF_POINTOPOINT = 16;
    public static final int IFF_RUNNING = 64;
    public static final int IFF_NOARP = 128;
    public static final int IFF_PROMISC = 256;
    public static final int IFF_MULTICAST = 4096;
    public static final int IFF_LOWER_UP = 65536;
    public static final int IFNAMSIZ = 16;

    // linux/if_link.h
    public static final int IFLA_UNSPEC = 0;
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_NET_NS_PID = 19;
    public static final int IFLA_NET_NS_FD = 28;
    public static final int IFLA_PROTINFO = 12;
    public static final int IFLA_LINK_NETNSID = 37;
    public static final int IFLA_TXQLEN = 13;
    public static final int IFLA_GROUP = 27;
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int IFLA_INFO_SLAVE_KIND = 4;
    public static final int IFLA_INFO_SLAVE_DATA = 5;
    public static final int IFLA_BRPORT_MODE = 4;
    public static final int IFLA_BRPORT_LEARNING = 8;
    public static final int IFLA_VXLAN_ID = 1;
    public static final int IFLA_VXLAN_GROUP = 2;
    public static final int IFLA_VXLAN_LINK = 3;
    public static final int IFLA_VXLAN_LOCAL = 4;
    public static final int IFLA_VXLAN_TTL = 5;
    public static final int IFLA_VXLAN_LEARNING = 7;
    public static final int IFLA_VXLAN_PORT = 15;
    public static final int IFLA_VXLAN_GROUP6 = 16;
    public static final int IFLA_VXLAN_LOCAL6 = 17;
    public static final int IFLA_VXLAN_UDP_CSUM = 18;
    public static final int VETH_INFO_PEER = 1;
    public static final int IF_OPER_UNKNOWN = 0;
    public static final int IF_OPER_DOWN = 2;
    public static final int IF_OPER_LOWERLAYERDOWN = 3;
    public static final int IF_OPER_UP = 6;

    // netinet/in.h, linux/if_arp.h, linux/if_ether.h, linux/if_packet.h
    public static final int IPPROTO_UDP = 17;
    public static final int ARPOP_REQUEST = 1;
    public static final int ARPOP_REPLY = 2;
    public static final int ETH_P_ALL = 3;
    public static final int ETH_P_IP = 2048;
    public static final int ETH_P_ARP = 2054;
    public static final int ETH_HLEN = 14;
    public static final int ETH_ALEN = 6;
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;

    // linux/if_addr.h
    public static final int IFA_UNSPEC = 0;
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_FLAGS = 8;
    public static final int IFA_F_SECONDARY = 1;
    public static final int IFA_F_NODAD = 2;
    public static final int IFA_F_PERMANENT = 128;
    public static final int IFA_F_NOPREFIXROUTE = 512;

    // linux/neighbour.h
    public static final int NDA_UNSPEC = 0;
    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;
    public static final int NDA_VLAN = 5;
    public static final int NDA_PORT = 6;
    public static final int NDA_VNI = 7;
    public static final int NDA_IFINDEX = 8;
    public static final int NDA_MASTER = 9;
    public static final int NTF_USE = 1;
    public static final int NTF_SELF = 2;
    public static final int NTF_MASTER = 4;
    public static final int NTF_PROXY = 8;
    public static final int NTF_EXT_LEARNED = 16;
    public static final int NTF_ROUTER = 128;
    public static final int NUD_INCOMPLETE = 1;
    public static final int NUD_REACHABLE = 2;
    public static final int NUD_STALE = 4;
    public static final int NUD_DELAY = 8;
    public static final int NUD_PROBE = 16;
    public static final int NUD_FAILED = 32;
    public static final int NUD_NOARP = 64;
    public static final int NUD_PERMANENT = 128;
    public static final int NUD_NONE = 0;

    // linux/sockios.h, linux/ethtool.h: the SIOCETHTOOL ioctl
    public static final int SIOCETHTOOL = 35142;
    public static final int ETHTOOL_GTXCSUM = 22;
    public static final int ETHTOOL_STXCSUM = 23;

    // struct sizes
    public static final int SIZEOF_NLMSGHDR = 16;
    public static final int SIZEOF_NLMSGERR = 20;
    public static final int SIZEOF_IFINFOMSG = 16;
    public static final int SIZEOF_IFADDRMSG = 8;
    public static final int SIZEOF_RTMSG = 12;
    public static final int SIZEOF_NDMSG = 12;
    public static final int SIZEOF_SOCKADDR_NL = 12;
    public static final int SIZEOF_IFREQ = 40;
    public static final int OFFSETOF_IFREQ_DATA = 16;
    public static final int SIZEOF_ETHTOOL_VALUE = 8;
    public static final int OFFSETOF_ETHTOOL_VALUE_DATA = 4;
    public static final int SIZEOF_SOCKADDR_LL = 20;
    public static final int OFFSETOF_SLL_FAMILY = 0;
    public static final int OFFSETOF_SLL_PROTOCOL = 2;
    public static final int OFFSETOF_SLL_IFINDEX = 4;
    public static final int OFFSETOF_SLL_PKTTYPE = 10;
    public static final int SIZEOF_TIMEVAL = 16;
    public static final int OFFSETOF_TV_USEC = 8;
}
