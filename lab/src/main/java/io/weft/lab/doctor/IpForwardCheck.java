package io.weft.lab.doctor;

import java.util.List;

/** The node must forward IPv4: every pod packet is routed between {@code cni0}, {@code weft.1} and the underlay. */
final class IpForwardCheck implements Check {
    @Override
    public String name() {
        return "ip-forward";
    }

    @Override
    public CheckResult run(NodeView node) {
        String value = node.sysctl("net.ipv4.ip_forward");
        if (value.equals("1")) {
            return CheckResult.ok(name(), "net.ipv4.ip_forward = 1");
        }
        return CheckResult.of(name(), "", List.of(new Finding(
                "net.ipv4.ip_forward is " + value + ": the node does not route IPv4",
                "every packet between a pod and anything outside its node (other nodes' pods, the outside world) is "
                        + "routed by the node; with forwarding off the kernel drops them all, only same-node pod traffic "
                        + "(bridged on cni0) still flows. The agent turns it on at start and every --reconcile-interval, "
                        + "so finding it off means the agent is not running, or something (a sysctl reload, a firewall "
                        + "service) keeps turning it off",
                "sysctl -w net.ipv4.ip_forward=1, and keep it across reboots: "
                        + "echo net.ipv4.ip_forward=1 > /etc/sysctl.d/90-weft.conf")));
    }
}
