package io.weft.netlink;

import static io.weft.netlink.sys.Kernel.RTNLGRP_IPV4_IFADDR;
import static io.weft.netlink.sys.Kernel.RTNLGRP_IPV4_ROUTE;
import static io.weft.netlink.sys.Kernel.RTNLGRP_IPV6_IFADDR;
import static io.weft.netlink.sys.Kernel.RTNLGRP_IPV6_ROUTE;
import static io.weft.netlink.sys.Kernel.RTNLGRP_LINK;
import static io.weft.netlink.sys.Kernel.RTNLGRP_NEIGH;

/** The rtnetlink multicast groups a {@link Subscription} can join, named as the kernel names them. */
public enum Group {
    LINK(RTNLGRP_LINK),
    NEIGH(RTNLGRP_NEIGH),
    IPV4_IFADDR(RTNLGRP_IPV4_IFADDR),
    IPV4_ROUTE(RTNLGRP_IPV4_ROUTE),
    IPV6_IFADDR(RTNLGRP_IPV6_IFADDR),
    IPV6_ROUTE(RTNLGRP_IPV6_ROUTE);

    private final int number;

    Group(int number) {
        this.number = number;
    }

    /** The kernel's {@code RTNLGRP_*} number, as given to {@code NETLINK_ADD_MEMBERSHIP}. */
    public int number() {
        return number;
    }
}
