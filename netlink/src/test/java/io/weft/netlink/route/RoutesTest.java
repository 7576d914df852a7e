package io.weft.netlink.route;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.testing.InFreshNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static io.weft.netlink.IpPrefix.parseAddress;
import static io.weft.netlink.sys.Kernel.AF_INET;
import static io.weft.netlink.sys.Kernel.AF_INET6;
import static io.weft.netlink.sys.Kernel.RTN_LOCAL;
import static io.weft.netlink.sys.Kernel.RTN_UNICAST;
import static io.weft.netlink.sys.Kernel.RTPROT_BOOT;
import static io.weft.netlink.sys.Kernel.RT_SCOPE_HOST;
import static io.weft.netlink.sys.Kernel.RT_SCOPE_LINK;
import static io.weft.netlink.sys.Kernel.RT_SCOPE_UNIVERSE;
import static io.weft.netlink.sys.Kernel.RT_TABLE_MAIN;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Routes against the real kernel, in a namespace with veth0 (10.1.0.1/24, fd00::1/64, its peer veth1
 * alongside) and br0 (10.3.0.1/24), all up. {@code ip -j -d route show table all} is the observer.
 */
class RoutesTest extends InFreshNamespace {
    private static final int WEFT_PROTOCOL = 201;

    private int veth;
    private int bridge;

    @BeforeEach
    void createAddressedLinks() {
        veth = netlink.links().add(LinkSpec.veth("veth0", "veth1", null)).index();
        bridge = netlink.links().add(LinkSpec.bridge("br0")).index();
        for (String name : List.of("veth0", "veth1", "br0")) {
            netlink.links().setUp(name);
        }
        Sandbox.ip(node, "addr", "add", "10.1.0.1/24", "dev", "veth0");
        Sandbox.ip(node, "addr", "add", "fd00::1/64", "dev", "veth0", "nodad");
        Sandbox.ip(node, "addr", "add", "10.3.0.1/24", "dev", "br0");
    }

    private static IpPrefix prefix(String text) {
        return IpPrefix.parse(text);
    }

    // ---- the observer: ip's view of every route, by destination and table ----

    /** Every route ip reports, in every table, tagged with the destination and table number. */
    private List<SeenRoute> routesSeen() {
        List<SeenRoute> seen = new ArrayList<>();
        for (String family : List.of("-4", "-6")) {
            for (JsonNode json : ipJson(node, family, "-d", "route", "show", "table", "all")) {
                seen.add(new SeenRoute(destinationOf(json, family.equals("-4")), tableOf(json), json));
            }
        }
        return seen;
    }

    private record SeenRoute(IpPrefix destination, int table, JsonNode json) {
        String text(String field) {
            return json.path(field).asString(null);
        }
    }

    private List<SeenRoute> seen(IpPrefix destination, int table) {
        return routesSeen().stream().filter(r -> r.destination().equals(destination) && r.table() == table).toList();
    }

    private SeenRoute seenOne(IpPrefix destination, int table) {
        List<SeenRoute> matches = seen(destination, table);
        assertThat(matches).as("routes ip sees to %s in table %d", destination, table).hasSize(1);
        return matches.getFirst();
    }

    private static IpPrefix destinationOf(JsonNode json, boolean ipv4) {
        String dst = json.get("dst").asString();
        return dst.equals("default") ? prefix(ipv4 ? "0.0.0.0/0" : "::/0") : prefix(dst);
    }

    private static int tableOf(JsonNode json) {
        return switch (json.get("table").asString()) {
            case "main" -> RT_TABLE_MAIN;
            case "local" -> 255;
            case "default" -> 253;
            case String number -> Integer.parseInt(number);
        };
    }

    private List<String> routesSeenAsText() {
        return routesSeen().stream()
                .map(r -> r.destination() + " table " + r.table() + " dev " + index(r.text("dev"))).toList();
    }

    private int index(String link) {
        return netlink.links().get(link).index();
    }

    // ---- add ----

    @Test
    void addsRouteViaGatewayWithIpsDefaults() {
        Route route = Route.to(prefix("10.2.0.0/24")).via(parseAddress("10.1.0.2"));

        netlink.routes().add(route);

        SeenRoute seen = seenOne(prefix("10.2.0.0/24"), RT_TABLE_MAIN);
        assertThat(seen.text("gateway")).isEqualTo("10.1.0.2");
        assertThat(seen.text("dev")).isEqualTo("veth0");
        assertThat(seen.text("protocol")).isEqualTo("boot");
        assertThat(seen.text("scope")).isEqualTo("global");
        assertThat(seen.text("type")).isEqualTo("unicast");
        assertThat(netlink.routes().list(AF_INET)).contains(new Route(prefix("10.2.0.0/24"),
                parseAddress("10.1.0.2"), veth, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST, 0, false, null));
    }

    @Test
    void addsDeviceRouteWithLinkScope() {
        Route route = Route.to(prefix("10.4.0.0/24")).dev(bridge);

        netlink.routes().add(route);

        SeenRoute seen = seenOne(prefix("10.4.0.0/24"), RT_TABLE_MAIN);
        assertThat(seen.text("dev")).isEqualTo("br0");
        assertThat(seen.text("scope")).isEqualTo("link");
        assertThat(seen.json().has("gateway")).isFalse();
        assertThat(route.scope()).isEqualTo(RT_SCOPE_LINK);
        assertThat(netlink.routes().list()).contains(route);
    }

    @Test
    void addsRouteViaGatewayOnlink() {
        // Flannel's VXLAN shape: the gateway is the peer's network address, covered by no local address.
        Route route = Route.to(prefix("10.42.2.0/24")).via(parseAddress("10.42.2.0")).dev(veth).onlink(true);

        netlink.routes().add(route);

        SeenRoute seen = seenOne(prefix("10.42.2.0/24"), RT_TABLE_MAIN);
        assertThat(seen.text("gateway")).isEqualTo("10.42.2.0");
        assertThat(seen.text("dev")).isEqualTo("veth0");
        assertThat(seen.json().get("flags").toString()).contains("\"onlink\"");
        assertThat(netlink.routes().list()).contains(route);
        assertThat(route).hasToString("10.42.2.0/24 via 10.42.2.0 dev " + veth + " onlink");
    }

    @Test
    void refusesGatewayOnNoLinkWithoutOnlink() {
        Route ipv4 = Route.to(prefix("10.42.2.0/24")).via(parseAddress("10.42.2.0")).dev(veth);
        Route ipv6 = Route.to(prefix("fd42::/64")).via(parseAddress("fd99::1")).dev(veth);

        assertThatThrownBy(() -> netlink.routes().add(ipv4))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENETUNREACH");
                    assertThat(e.kernelMessage()).isEqualTo("Nexthop has invalid gateway");
                })
                .hasMessage("RTM_NEWROUTE 10.42.2.0/24 via 10.42.2.0 dev " + veth
                        + ": ENETUNREACH (Network is unreachable): Nexthop has invalid gateway");
        assertThatThrownBy(() -> netlink.routes().add(ipv6))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EHOSTUNREACH"))
                .hasMessage("RTM_NEWROUTE " + ipv6 + ": EHOSTUNREACH (No route to host)");
        assertThat(seen(prefix("10.42.2.0/24"), RT_TABLE_MAIN)).isEmpty();
        assertThat(seen(prefix("fd42::/64"), RT_TABLE_MAIN)).isEmpty();
    }

    @Test
    void addsRouteWithTableMetricAndProtocol() {
        // Table 1000 does not fit the header's 8 bits: it travels in RTA_TABLE alone.
        Route route = Route.to(prefix("10.7.0.0/24")).via(parseAddress("10.1.0.2"))
                .table(1000).protocol(WEFT_PROTOCOL).metric(50);

        netlink.routes().add(route);

        SeenRoute seen = seenOne(prefix("10.7.0.0/24"), 1000);
        assertThat(seen.text("gateway")).isEqualTo("10.1.0.2");
        assertThat(seen.text("protocol")).isEqualTo("201");
        assertThat(seen.json().get("metric").asInt()).isEqualTo(50);
        assertThat(seen(prefix("10.7.0.0/24"), RT_TABLE_MAIN)).isEmpty();
        assertThat(netlink.routes().list()).contains(route.dev(veth));
    }

    @Test
    void addsDeviceRouteWithHostScope() {
        Route route = Route.to(prefix("10.8.0.0/24")).dev(veth).scope(RT_SCOPE_HOST);

        netlink.routes().add(route);

        assertThat(seenOne(prefix("10.8.0.0/24"), RT_TABLE_MAIN).text("scope")).isEqualTo("host");
        assertThat(netlink.routes().list()).contains(route);
    }

    @Test
    void addsDefaultRoute() {
        Route route = Route.to(prefix("0.0.0.0/0")).via(parseAddress("10.1.0.254"));

        netlink.routes().add(route);

        assertThat(seenOne(prefix("0.0.0.0/0"), RT_TABLE_MAIN).text("gateway")).isEqualTo("10.1.0.254");
        assertThat(netlink.routes().list()).contains(route.dev(veth));
    }

    @Test
    void addsIpv6RoutesViaGatewayAndDevice() {
        Route viaGateway = Route.to(prefix("fd01::/64")).via(parseAddress("fd00::2"));
        Route viaDevice = Route.to(prefix("fd02::/64")).dev(bridge).metric(10);

        netlink.routes().add(viaGateway);
        netlink.routes().add(viaDevice);

        SeenRoute seenGateway = seenOne(prefix("fd01::/64"), RT_TABLE_MAIN);
        assertThat(parseAddress(seenGateway.text("gateway"))).isEqualTo(parseAddress("fd00::2"));
        assertThat(seenGateway.text("dev")).isEqualTo("veth0");
        assertThat(seenGateway.json().get("metric").asInt()).isEqualTo(1024);
        SeenRoute seenDevice = seenOne(prefix("fd02::/64"), RT_TABLE_MAIN);
        assertThat(seenDevice.text("dev")).isEqualTo("br0");
        assertThat(seenDevice.json().get("metric").asInt()).isEqualTo(10);
        // IPv6 keeps no scope (it reports universe) and fills in its default metric, 1024.
        assertThat(netlink.routes().list(AF_INET6)).contains(
                viaGateway.dev(veth).metric(1024),
                viaDevice.scope(RT_SCOPE_UNIVERSE));
    }

    @Test
    void findsWeftsRoutesByProtocolInEveryTable() {
        Route inMain = Route.to(prefix("10.20.0.0/24")).via(parseAddress("10.1.0.2")).protocol(WEFT_PROTOCOL);
        Route inTable = Route.to(prefix("10.21.0.0/24")).dev(bridge).protocol(WEFT_PROTOCOL).table(100);
        Route notWefts = Route.to(prefix("10.22.0.0/24")).via(parseAddress("10.1.0.2"));
        netlink.routes().add(inMain);
        netlink.routes().add(inTable);
        netlink.routes().add(notWefts);

        List<Route> wefts = netlink.routes().list().stream().filter(r -> r.protocol() == WEFT_PROTOCOL).toList();

        assertThat(wefts).containsExactlyInAnyOrder(inMain.dev(veth), inTable);
        assertThat(ipJson(node, "route", "show", "table", "all", "proto", "201").findValuesAsString("dst"))
                .containsExactlyInAnyOrder("10.20.0.0/24", "10.21.0.0/24");
    }

    // ---- replace, delete ----

    @Test
    void replaceChangesTheGatewayAndCreatesAMissingRoute() {
        Route first = Route.to(prefix("10.2.0.0/24")).via(parseAddress("10.1.0.2"));
        netlink.routes().add(first);

        netlink.routes().replace(first.via(parseAddress("10.1.0.3")));
        netlink.routes().replace(Route.to(prefix("fd01::/64")).via(parseAddress("fd00::3")));

        assertThat(seenOne(prefix("10.2.0.0/24"), RT_TABLE_MAIN).text("gateway")).isEqualTo("10.1.0.3");
        assertThat(parseAddress(seenOne(prefix("fd01::/64"), RT_TABLE_MAIN).text("gateway"))).isEqualTo(parseAddress("fd00::3"));
        assertThat(netlink.routes().list()).filteredOn(r -> r.destination().equals(prefix("10.2.0.0/24")))
                .extracting(Route::gateway).containsExactly(parseAddress("10.1.0.3"));
    }

    @Test
    void deletesRoutesOfBothFamilies() {
        Route ipv4 = Route.to(prefix("10.2.0.0/24")).via(parseAddress("10.1.0.2"));
        Route ipv6 = Route.to(prefix("fd01::/64")).via(parseAddress("fd00::2"));
        netlink.routes().add(ipv4);
        netlink.routes().add(ipv6);

        netlink.routes().delete(ipv4);
        netlink.routes().delete(ipv6);

        assertThat(seen(prefix("10.2.0.0/24"), RT_TABLE_MAIN)).isEmpty();
        assertThat(seen(prefix("fd01::/64"), RT_TABLE_MAIN)).isEmpty();
        assertThat(netlink.routes().list()).extracting(Route::destination)
                .doesNotContain(prefix("10.2.0.0/24"), prefix("fd01::/64"));
    }

    @Test
    void deletesOnlyARouteOfTheSameProtocol() {
        Route wefts = Route.to(prefix("10.20.0.0/24")).via(parseAddress("10.1.0.2")).protocol(WEFT_PROTOCOL);
        netlink.routes().add(wefts);

        assertThatThrownBy(() -> netlink.routes().delete(wefts.protocol(RTPROT_BOOT)))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("ESRCH"));
        assertThat(seen(prefix("10.20.0.0/24"), RT_TABLE_MAIN)).hasSize(1);

        netlink.routes().delete(wefts);
        assertThat(seen(prefix("10.20.0.0/24"), RT_TABLE_MAIN)).isEmpty();
    }

    @Test
    void reportsDeletingAMissingRouteAsEsrch() {
        Route ipv4 = Route.to(prefix("10.6.0.0/24")).dev(veth);
        Route ipv6 = Route.to(prefix("fd06::/64")).via(parseAddress("fd00::2"));

        assertThatThrownBy(() -> netlink.routes().delete(ipv4))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("RTM_DELROUTE 10.6.0.0/24 dev " + veth + ": ESRCH (No such process)");
        assertThatThrownBy(() -> netlink.routes().delete(ipv6))
                .hasMessage("RTM_DELROUTE " + ipv6 + ": ESRCH (No such process)");
    }

    @Test
    void refusesDuplicateRouteWithEexistNamingTheRoute() {
        Route route = Route.to(prefix("10.2.0.0/24")).via(parseAddress("10.1.0.2"));
        netlink.routes().add(route);

        assertThatThrownBy(() -> netlink.routes().add(route.via(parseAddress("10.1.0.3"))))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.operation()).isEqualTo("RTM_NEWROUTE");
                    assertThat(e.object()).isEqualTo("10.2.0.0/24 via 10.1.0.3");
                })
                .hasMessage("RTM_NEWROUTE 10.2.0.0/24 via 10.1.0.3: EEXIST (File exists)");
        assertThat(seenOne(prefix("10.2.0.0/24"), RT_TABLE_MAIN).text("gateway")).isEqualTo("10.1.0.2");
    }

    // ---- lookup ----

    @Test
    void lookupAnswersAsIpRouteGetDoes() {
        netlink.routes().add(Route.to(prefix("10.2.0.0/24")).via(parseAddress("10.1.0.2")));
        netlink.routes().add(Route.to(prefix("fd01::/64")).via(parseAddress("fd00::2")));

        for (String destination : List.of("10.2.0.5", "10.1.0.7", "10.3.0.9", "fd01::5", "fd00::7")) {
            Route found = netlink.routes().lookup(parseAddress(destination));

            JsonNode seen = ipJson(node, "route", "get", destination).get(0);
            assertThat(found.destination()).as(destination).isEqualTo(prefix(destination));
            assertThat(found.outputIndex()).as(destination).isEqualTo(index(seen.get("dev").asString()));
            assertThat(found.gateway()).as(destination)
                    .isEqualTo(seen.has("gateway") ? parseAddress(seen.get("gateway").asString()) : null);
            assertThat(found.preferredSource()).as(destination)
                    .isEqualTo(seen.has("prefsrc") ? parseAddress(seen.get("prefsrc").asString()) : null);
            assertThat(found.table()).as(destination).isEqualTo(RT_TABLE_MAIN);
        }
    }

    @Test
    void reportsLookupOfAnUnreachableDestinationAsEnetunreach() {
        assertThatThrownBy(() -> netlink.routes().lookup(parseAddress("10.77.0.1")))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("RTM_GETROUTE 10.77.0.1: ENETUNREACH (Network is unreachable)");
        assertThatThrownBy(() -> netlink.routes().lookup(parseAddress("fd77::1")))
                .hasMessage("RTM_GETROUTE " + parseAddress("fd77::1").getHostAddress()
                        + ": ENETUNREACH (Network is unreachable)");
    }

    @Test
    void inputLookupAnswersAsIpRouteGetFromIifDoes() {
        node.sysctl().set("net.ipv4.ip_forward", "1");
        netlink.routes().add(Route.to(prefix("10.2.0.0/24")).via(parseAddress("10.3.0.2")));

        for (String destination : List.of("10.3.0.7", "10.2.0.5", "10.3.0.1")) {
            Route found = netlink.routes().lookup(parseAddress(destination), parseAddress("10.1.0.5"), veth);

            JsonNode seen = ipJson(node, "route", "get", destination, "from", "10.1.0.5", "iif", "veth0").get(0);
            assertThat(seen.get("iif").asString()).isEqualTo("veth0");
            assertThat(found.destination()).as(destination).isEqualTo(prefix(destination));
            assertThat(found.outputIndex()).as(destination).isEqualTo(index(seen.get("dev").asString()));
            assertThat(found.gateway()).as(destination)
                    .isEqualTo(seen.has("gateway") ? parseAddress(seen.get("gateway").asString()) : null);
            assertThat(found.type()).as(destination).isEqualTo(seen.has("type") ? RTN_LOCAL : RTN_UNICAST);
            assertThat(found.preferredSource()).as("an input route has no preferred source").isNull();
        }
    }

    @Test
    void inputLookupReportsWhatDropsAForwardedPacketAsIpDoes() {
        InetAddress to = parseAddress("10.3.0.7");

        // a fresh namespace does not forward
        assertThatThrownBy(() -> netlink.routes().lookup(to, parseAddress("10.1.0.5"), veth))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("RTM_GETROUTE 10.3.0.7 from 10.1.0.5 iif " + veth + ": EHOSTUNREACH (No route to host)");
        assertThatThrownBy(() -> ipJson(node, "route", "get", "10.3.0.7", "from", "10.1.0.5", "iif", "veth0"))
                .hasMessageContaining("No route to host");

        // strict reverse-path filtering: nothing routes 10.9.0.5 back out of veth0
        node.sysctl().set("net.ipv4.ip_forward", "1");
        node.sysctl().set("net.ipv4.conf.veth0.rp_filter", "1");
        assertThat(netlink.routes().lookup(to, parseAddress("10.1.0.5"), veth).outputIndex()).isEqualTo(bridge);
        assertThatThrownBy(() -> netlink.routes().lookup(to, parseAddress("10.9.0.5"), veth))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));
        assertThatThrownBy(() -> ipJson(node, "route", "get", "10.3.0.7", "from", "10.9.0.5", "iif", "veth0"))
                .hasMessageContaining("Invalid argument");

        // a policy rule for packets arriving on veth0
        Sandbox.ip(node, "rule", "add", "iif", "veth0", "prohibit", "pref", "100");
        assertThatThrownBy(() -> netlink.routes().lookup(to, parseAddress("10.1.0.5"), veth))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EACCES"));
        assertThatThrownBy(() -> ipJson(node, "route", "get", "10.3.0.7", "from", "10.1.0.5", "iif", "veth0"))
                .hasMessageContaining("Permission denied");
        assertThat(netlink.routes().lookup(to).outputIndex()).as("the rule does not touch what the node sends").isEqualTo(bridge);
    }

    @Test
    void inputLookupRefusesASourceOfAnotherFamilyNamingIt() {
        assertThatThrownBy(() -> netlink.routes().lookup(parseAddress("10.3.0.7"), parseAddress("fd00::5"), veth))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route lookup source fd00::5 is not of the family of its destination 10.3.0.7");
    }

    // ---- list ----

    @Test
    void listsEveryRouteOfEveryTableAsIpDoes() {
        netlink.routes().add(Route.to(prefix("10.2.0.0/24")).via(parseAddress("10.1.0.2")));
        netlink.routes().add(Route.to(prefix("10.21.0.0/24")).dev(bridge).table(100));
        netlink.routes().add(Route.to(prefix("fd01::/64")).via(parseAddress("fd00::2")));

        List<String> before = routesSeenAsText();
        List<Route> listed = netlink.routes().list();
        List<String> after = routesSeenAsText();

        // IPv6 link-local addresses, and their routes, arrive on their own time: some may appear meanwhile.
        List<String> listedText = listed.stream()
                .map(r -> r.destination() + " table " + r.table() + " dev " + r.outputIndex()).toList();
        assertThat(listedText).containsAll(before);
        assertThat(after).containsAll(listedText);
        assertThat(listedText).contains("10.21.0.0/24 table 100 dev " + bridge, "10.1.0.1/32 table 255 dev " + veth);
        assertThat(netlink.routes().list(AF_INET)).allSatisfy(r -> assertThat(r.family()).isEqualTo(AF_INET))
                .isNotEmpty();
        assertThat(netlink.routes().list(AF_INET6)).allSatisfy(r -> assertThat(r.family()).isEqualTo(AF_INET6))
                .isNotEmpty();
    }

    // ---- refused before asking the kernel ----

    @Test
    void refusesDestinationWithHostBitsBeforeAskingTheKernel() {
        assertThatThrownBy(() -> Route.to(prefix("10.2.0.1/24")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route destination 10.2.0.1/24 has host bits set; the network is 10.2.0.0/24");
        assertThatThrownBy(() -> Route.to(prefix("10.2.0.0/24")).via(parseAddress("fd00::2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gateway " + parseAddress("fd00::2").getHostAddress() + " is of the other address family");
        assertThatThrownBy(() -> netlink.routes().list(7)).isInstanceOf(IllegalArgumentException.class);
    }
}
