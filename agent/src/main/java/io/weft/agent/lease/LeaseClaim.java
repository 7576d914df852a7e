package io.weft.agent.lease;

import io.weft.netlink.MacAddress;

import java.net.InetAddress;

/** What a node asks a store for when it claims or renews its lease. */
public record LeaseClaim(String node, InetAddress publicIp, MacAddress vtepMac) {}
