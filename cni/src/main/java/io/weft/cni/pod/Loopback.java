package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.cni.CniRequest;
import io.weft.cni.result.CniResult;
import io.weft.netlink.MacAddress;
import io.weft.netlink.addr.Address;
import io.weft.netlink.link.Link;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The plugin as {@code loopback} (containerd's CRI runs one beside the primary plugin), behaving as
 * the reference loopback plugin: ADD brings {@code lo} up in the pod and reports its loopback
 * addresses (or passes {@code prevResult} through), CHECK wants it up, DEL takes it down and is
 * content when the namespace is gone.
 */
public final class Loopback {
    private static final String LO = "lo";
    private static final MacAddress NO_MAC = new MacAddress(new byte[6]);

    private Loopback() {}

    public static ObjectNode add(CniRequest request) {
        try (PodNamespace pod = PodNamespace.open(request.netns())) {
            pod.netlink().links().setUp(LO);
            List<Address> addresses = loopbackAddresses(pod);
            if (request.prevResult().isPresent()) {
                return CniResult.inVersion(request.prevResult().get(), request.version());
            }
            List<CniResult.IpConfig> ips = new ArrayList<>();
            first(addresses, true).ifPresent(a -> ips.add(new CniResult.IpConfig(a.prefix(), null, 0)));
            first(addresses, false).ifPresent(a -> ips.add(new CniResult.IpConfig(a.prefix(), null, 0)));
            CniResult result = new CniResult(List.of(new CniResult.Interface(LO, NO_MAC, request.netns())), ips, List.of(), null);
            return result.toJson(request.version());
        }
    }

    public static void check(CniRequest request) {
        try (PodNamespace pod = PodNamespace.open(request.netns())) {
            if (!pod.netlink().links().get(LO).up()) {
                throw new CniException(CniException.CHECK_FAILED, "lo is down in " + request.netns());
            }
            loopbackAddresses(pod);
        }
    }

    public static void delete(CniRequest request) {
        Optional<PodNamespace> present = PodNamespace.openIfPresent(request.netns());
        if (present.isEmpty()) {
            return;
        }
        try (PodNamespace pod = present.get()) {
            pod.netlink().links().setDown(LO);
        }
    }

    /** lo's addresses; an error when one is not a loopback address (someone misused lo). */
    private static List<Address> loopbackAddresses(PodNamespace pod) {
        Link lo = pod.netlink().links().get(LO);
        List<Address> addresses = pod.netlink().addresses().list(lo.index());
        for (Address address : addresses) {
            if (!address.prefix().address().isLoopbackAddress()) {
                throw new CniException(CniException.CHECK_FAILED, "lo in " + pod.path()
                        + " has the non-loopback address " + address.prefix());
            }
        }
        return addresses;
    }

    private static Optional<Address> first(List<Address> addresses, boolean ipv4) {
        return addresses.stream().filter(a -> a.prefix().isIpv4() == ipv4).findFirst();
    }
}
