/*
 * Prints the Java source of io.weft.netlink.sys.Kernel: every kernel constant the netlink module
 * uses, read from the UAPI headers (linux-libc-dev) and glibc. Run through gen-constants.sh;
 * KernelConstantsTest checks that the committed file still matches what this prints.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <linux/limits.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <stddef.h>

#define C(name) printf("    public static final int %s = %d;\n", #name, (int) (name))
#define SECTION(title) printf("\n    // %s\n", title)

int main(void) {
    printf("package io.weft.netlink.sys;\n\n");
    printf("/** Kernel constants, generated from the UAPI headers by netlink/tools/gen-constants.sh. Do not edit. */\n");
    printf("public final class Kernel {\n    private Kernel() {}\n");

    SECTION("sys/socket.h");
    C(AF_UNSPEC); C(AF_INET); C(AF_INET6); C(AF_NETLINK); C(AF_BRIDGE);
    C(SOCK_RAW); C(SOCK_DGRAM); C(SOCK_CLOEXEC); C(SOL_SOCKET); C(SOL_NETLINK);
    C(SO_RCVBUF); C(SO_SNDBUF); C(SO_RCVBUFFORCE); C(SO_RCVTIMEO);
    C(MSG_TRUNC); C(MSG_PEEK);
    C(AF_PACKET);

    SECTION("errno.h");
    C(EPERM); C(ENOENT); C(ESRCH); C(EINTR); C(EAGAIN); C(EEXIST); C(ENODEV); C(EINVAL); C(EBUSY); C(ENOBUFS);
    C(EOPNOTSUPP); C(ENETUNREACH); C(EADDRNOTAVAIL);

    SECTION("fcntl.h, sched.h, sys/file.h, sys/mount.h");
    C(O_RDONLY); C(O_WRONLY); C(O_RDWR); C(O_CREAT); C(O_EXCL); C(O_CLOEXEC); C(O_TRUNC); C(AT_FDCWD);
    C(CLONE_NEWNET); C(LOCK_SH); C(LOCK_EX); C(LOCK_NB); C(LOCK_UN);
    C(MS_BIND); C(MS_REC); C(MS_SHARED); C(MNT_DETACH);

    SECTION("linux/limits.h");
    C(NAME_MAX);

    SECTION("linux/netlink.h");
    C(NETLINK_ROUTE); C(NETLINK_ADD_MEMBERSHIP); C(NETLINK_DROP_MEMBERSHIP);
    C(NETLINK_CAP_ACK); C(NETLINK_EXT_ACK); C(NETLINK_GET_STRICT_CHK);
    C(NLM_F_REQUEST); C(NLM_F_MULTI); C(NLM_F_ACK); C(NLM_F_ECHO); C(NLM_F_DUMP_INTR);
    C(NLM_F_ROOT); C(NLM_F_MATCH); C(NLM_F_DUMP);
    C(NLM_F_REPLACE); C(NLM_F_EXCL); C(NLM_F_CREATE); C(NLM_F_APPEND);
    C(NLM_F_CAPPED); C(NLM_F_ACK_TLVS);
    C(NLMSG_NOOP); C(NLMSG_ERROR); C(NLMSG_DONE); C(NLMSG_OVERRUN);
    C(NLMSGERR_ATTR_MSG); C(NLMSGERR_ATTR_OFFS);
    C(NLA_F_NESTED); C(NLA_F_NET_BYTEORDER); C(NLA_TYPE_MASK);
    C(NLMSG_HDRLEN); C(NLA_HDRLEN); C(NLMSG_ALIGNTO); C(NLA_ALIGNTO);

    SECTION("linux/rtnetlink.h: message types");
    C(RTM_NEWLINK); C(RTM_DELLINK); C(RTM_GETLINK); C(RTM_SETLINK);
    C(RTM_NEWADDR); C(RTM_DELADDR); C(RTM_GETADDR);
    C(RTM_NEWROUTE); C(RTM_DELROUTE); C(RTM_GETROUTE);
    C(RTM_NEWNEIGH); C(RTM_DELNEIGH); C(RTM_GETNEIGH);

    SECTION("linux/rtnetlink.h: multicast groups");
    C(RTNLGRP_LINK); C(RTNLGRP_NEIGH); C(RTNLGRP_IPV4_IFADDR); C(RTNLGRP_IPV4_ROUTE);
    C(RTNLGRP_IPV6_IFADDR); C(RTNLGRP_IPV6_ROUTE);

    SECTION("linux/rtnetlink.h: routes");
    C(RTN_UNSPEC); C(RTN_UNICAST); C(RTN_LOCAL); C(RTN_BROADCAST); C(RTN_ANYCAST); C(RTN_MULTICAST);
    C(RTN_BLACKHOLE); C(RTN_UNREACHABLE); C(RTN_PROHIBIT);
    C(RTPROT_UNSPEC); C(RTPROT_KERNEL); C(RTPROT_BOOT); C(RTPROT_STATIC);
    C(RT_SCOPE_UNIVERSE); C(RT_SCOPE_SITE); C(RT_SCOPE_LINK); C(RT_SCOPE_HOST); C(RT_SCOPE_NOWHERE);
    C(RT_TABLE_UNSPEC); C(RT_TABLE_DEFAULT); C(RT_TABLE_MAIN); C(RT_TABLE_LOCAL);
    C(RTA_DST); C(RTA_SRC); C(RTA_IIF); C(RTA_OIF); C(RTA_GATEWAY); C(RTA_PRIORITY); C(RTA_PREFSRC);
    C(RTA_METRICS); C(RTA_MULTIPATH); C(RTA_FLOW); C(RTA_TABLE); C(RTA_MARK); C(RTA_UID);
    C(RTNH_F_DEAD); C(RTNH_F_ONLINK); C(RTNH_F_LINKDOWN);
    C(RTM_F_NOTIFY); C(RTM_F_CLONED); C(RTM_F_LOOKUP_TABLE); C(RTM_F_FIB_MATCH);

    SECTION("linux/if.h");
    C(IFF_UP); C(IFF_BROADCAST); C(IFF_LOOPBACK); C(IFF_POINTOPOINT); C(IFF_RUNNING); C(IFF_NOARP);
    C(IFF_PROMISC); C(IFF_MULTICAST); C(IFF_LOWER_UP);
    C(IFNAMSIZ);

    SECTION("linux/if_link.h");
    C(IFLA_UNSPEC); C(IFLA_ADDRESS); C(IFLA_BROADCAST); C(IFLA_IFNAME); C(IFLA_MTU); C(IFLA_LINK);
    C(IFLA_MASTER); C(IFLA_OPERSTATE); C(IFLA_LINKINFO); C(IFLA_NET_NS_PID); C(IFLA_NET_NS_FD);
    C(IFLA_PROTINFO); C(IFLA_LINK_NETNSID); C(IFLA_TXQLEN); C(IFLA_GROUP);
    C(IFLA_INFO_KIND); C(IFLA_INFO_DATA); C(IFLA_INFO_SLAVE_KIND); C(IFLA_INFO_SLAVE_DATA);
    C(IFLA_BRPORT_MODE); C(IFLA_BRPORT_LEARNING);
    C(IFLA_VXLAN_ID); C(IFLA_VXLAN_GROUP); C(IFLA_VXLAN_LINK); C(IFLA_VXLAN_LOCAL); C(IFLA_VXLAN_TTL);
    C(IFLA_VXLAN_LEARNING); C(IFLA_VXLAN_PORT); C(IFLA_VXLAN_GROUP6); C(IFLA_VXLAN_LOCAL6);
    C(IFLA_VXLAN_UDP_CSUM);
    C(VETH_INFO_PEER);
    C(IF_OPER_UNKNOWN); C(IF_OPER_DOWN); C(IF_OPER_LOWERLAYERDOWN); C(IF_OPER_UP);

    SECTION("netinet/in.h, linux/if_arp.h, linux/if_ether.h, linux/if_packet.h");
    C(IPPROTO_UDP); C(ARPOP_REQUEST); C(ARPOP_REPLY);
    C(ETH_P_ALL); C(ETH_P_IP); C(ETH_P_ARP); C(ETH_HLEN); C(ETH_ALEN);
    C(PACKET_HOST); C(PACKET_BROADCAST); C(PACKET_MULTICAST); C(PACKET_OTHERHOST); C(PACKET_OUTGOING);

    SECTION("linux/if_addr.h");
    C(IFA_UNSPEC); C(IFA_ADDRESS); C(IFA_LOCAL); C(IFA_LABEL); C(IFA_BROADCAST); C(IFA_FLAGS);
    C(IFA_F_SECONDARY); C(IFA_F_NODAD); C(IFA_F_PERMANENT); C(IFA_F_NOPREFIXROUTE);

    SECTION("linux/neighbour.h");
    C(NDA_UNSPEC); C(NDA_DST); C(NDA_LLADDR); C(NDA_VLAN); C(NDA_PORT); C(NDA_VNI); C(NDA_IFINDEX);
    C(NDA_MASTER);
    C(NTF_USE); C(NTF_SELF); C(NTF_MASTER); C(NTF_PROXY); C(NTF_EXT_LEARNED); C(NTF_ROUTER);
    C(NUD_INCOMPLETE); C(NUD_REACHABLE); C(NUD_STALE); C(NUD_DELAY); C(NUD_PROBE); C(NUD_FAILED);
    C(NUD_NOARP); C(NUD_PERMANENT); C(NUD_NONE);

    SECTION("linux/sockios.h, linux/ethtool.h: the SIOCETHTOOL ioctl");
    C(SIOCETHTOOL); C(ETHTOOL_GTXCSUM); C(ETHTOOL_STXCSUM);

    SECTION("struct sizes");
    printf("    public static final int SIZEOF_NLMSGHDR = %zu;\n", sizeof(struct nlmsghdr));
    printf("    public static final int SIZEOF_NLMSGERR = %zu;\n", sizeof(struct nlmsgerr));
    printf("    public static final int SIZEOF_IFINFOMSG = %zu;\n", sizeof(struct ifinfomsg));
    printf("    public static final int SIZEOF_IFADDRMSG = %zu;\n", sizeof(struct ifaddrmsg));
    printf("    public static final int SIZEOF_RTMSG = %zu;\n", sizeof(struct rtmsg));
    printf("    public static final int SIZEOF_NDMSG = %zu;\n", sizeof(struct ndmsg));
    printf("    public static final int SIZEOF_SOCKADDR_NL = %zu;\n", sizeof(struct sockaddr_nl));
    printf("    public static final int SIZEOF_IFREQ = %zu;\n", sizeof(struct ifreq));
    printf("    public static final int OFFSETOF_IFREQ_DATA = %zu;\n", offsetof(struct ifreq, ifr_data));
    printf("    public static final int SIZEOF_ETHTOOL_VALUE = %zu;\n", sizeof(struct ethtool_value));
    printf("    public static final int OFFSETOF_ETHTOOL_VALUE_DATA = %zu;\n", offsetof(struct ethtool_value, data));
    printf("    public static final int SIZEOF_SOCKADDR_LL = %zu;\n", sizeof(struct sockaddr_ll));
    printf("    public static final int OFFSETOF_SLL_FAMILY = %zu;\n", offsetof(struct sockaddr_ll, sll_family));
    printf("    public static final int OFFSETOF_SLL_PROTOCOL = %zu;\n", offsetof(struct sockaddr_ll, sll_protocol));
    printf("    public static final int OFFSETOF_SLL_IFINDEX = %zu;\n", offsetof(struct sockaddr_ll, sll_ifindex));
    printf("    public static final int OFFSETOF_SLL_PKTTYPE = %zu;\n", offsetof(struct sockaddr_ll, sll_pkttype));
    printf("    public static final int SIZEOF_TIMEVAL = %zu;\n", sizeof(struct timeval));
    printf("    public static final int OFFSETOF_TV_USEC = %zu;\n", offsetof(struct timeval, tv_usec));
    printf("}\n");
    return 0;
}
