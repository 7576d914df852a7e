package io.weft.lab.doctor;

import io.weft.netlink.link.Link;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reverse-path filtering in strict mode (1) on {@code weft.1} or the underlay. The kernel filters an
 * interface by the higher of {@code conf/all/rp_filter} and its own value, so {@code all} = 1 makes
 * every interface strict. Loose (2) and off (0) let overlay traffic through.
 */
final class RpFilterCheck implements Check {
    private static final String STRICT = "1";
    private static final String WHY = "strict reverse-path filtering drops a packet when the route back to its source "
            + "leaves through another interface than the one it came in on. Overlay traffic is asymmetric often enough: "
            + "a peer routed to directly one way and through VXLAN the other (direct routing with peers on mixed subnets), "
            + "an underlay that is not the default route's interface (--iface on a second NIC), replies from pods while a "
            + "peer's route is being replaced; the drops are silent (net.ipv4.conf.all.log_martians=1 logs them). "
            + "Loose mode (2) keeps the anti-spoofing check for sources no route knows";

    @Override
    public String name() {
        return "rp-filter";
    }

    @Override
    public CheckResult run(NodeView node) {
        // the keys in slash form: interface names contain dots (weft.1)
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("all", "net/ipv4/conf/all/rp_filter");
        Optional<Link> device = node.overlayDevice();
        device.ifPresent(link -> keys.put(link.name(), "net/ipv4/conf/" + link.name() + "/rp_filter"));
        Optional<Link> underlay = node.underlay();
        underlay.ifPresent(link -> keys.put(link.name(), "net/ipv4/conf/" + link.name() + "/rp_filter"));

        Map<String, String> values = new LinkedHashMap<>();
        keys.forEach((scope, key) -> values.put(scope, node.sysctl(key)));
        boolean allStrict = values.get("all").equals(STRICT);
        List<Finding> findings = new ArrayList<>();
        if (allStrict) {
            List<String> affected = new ArrayList<>(values.keySet().stream().filter(scope -> !scope.equals("all")).toList());
            findings.add(new Finding(
                    "net.ipv4.conf.all.rp_filter is 1 (strict): it makes " + (affected.isEmpty() ? "every interface"
                            : String.join(" and ", affected)) + " strict, whatever their own setting",
                    WHY, "sysctl -w net.ipv4.conf.all.rp_filter=2 (loose), and the same in /etc/sysctl.d/ to keep it"));
        }
        for (Map.Entry<String, String> entry : values.entrySet()) {
            if (!entry.getKey().equals("all") && entry.getValue().equals(STRICT)) {
                String key = keys.get(entry.getKey());
                findings.add(new Finding(
                        key + " is 1 (strict) on " + role(entry.getKey(), device, underlay),
                        WHY, "sysctl -w " + key + "=2 (loose; the slash form because the name has a dot)"));
            }
        }
        return CheckResult.of(name(), "no strict mode: " + describe(values), findings);
    }

    private static String role(String name, Optional<Link> device, Optional<Link> underlay) {
        if (device.isPresent() && device.get().name().equals(name)) {
            return name + ", the VXLAN device";
        }
        return underlay.isPresent() && underlay.get().name().equals(name) ? name + ", the underlay" : name;
    }

    private static String describe(Map<String, String> values) {
        List<String> parts = new ArrayList<>();
        values.forEach((scope, value) -> parts.add(scope + "=" + value));
        return String.join(", ", parts) + " (0 off, 2 loose)";
    }
}
