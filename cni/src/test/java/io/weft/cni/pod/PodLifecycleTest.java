package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.cni.CniResponse;
import io.weft.cni.ipam.Attachment;
import io.weft.cni.ipam.Reservation;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;


import static io.weft.cni.pod.PodNetworkFixture.assertError;
import static io.weft.cni.pod.PodNetworkFixture.environment;
import static io.weft.cni.pod.PodNetworkFixture.json;
import static io.weft.netlink.testing.Sandbox.ipJson;
import static org.assertj.core.api.Assertions.assertThat;

class PodLifecycleTest {
    @RegisterExtension
    final PodNetworkFixture fixture = new PodNetworkFixture("10.42.1.1/24");
    private NetNamespace pod;

    @BeforeEach
    void createPod() {
        pod = fixture.sandbox.namespace();
    }

    private static JsonNode link(NetNamespace namespace, String name) {
        return ipJson(namespace, "-d", "link", "show", "dev", name).get(0);
    }

    @Test
    void addAttachesThePodAndReportsEveryPart() {
        String dns = ",\"dns\":{\"nameservers\":[\"10.43.0.10\"],\"search\":[\"svc.cluster.local\"]}";
        CniResponse response = fixture.invoke(environment("ADD", "c1", pod, "eth0"), fixture.config("1.0.0", dns));

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        JsonNode result = json(response);
        String hostName = HostVeth.name("c1", "eth0");
        JsonNode bridge = link(fixture.node, "cni0");
        JsonNode hostVeth = link(fixture.node, hostName);
        JsonNode podEth0 = link(pod, "eth0");
        assertThat(result.get("cniVersion").asString()).isEqualTo("1.0.0");
        assertThat(result.get("interfaces").toString()).isEqualTo("[{\"name\":\"cni0\",\"mac\":\"0a:58:0a:2a:01:01\"},"
                + "{\"name\":\"" + hostName + "\",\"mac\":\"" + hostVeth.get("address").asString() + "\"},"
                + "{\"name\":\"eth0\",\"mac\":\"" + podEth0.get("address").asString() + "\",\"sandbox\":\"" + pod.path() + "\"}]");
        result.get("interfaces").forEach(i -> MacAddress.parse(i.get("mac").asString()));
        JsonNode ip = result.get("ips").get(0);
        assertThat(result.get("ips")).hasSize(1);
        IpPrefix address = IpPrefix.parse(ip.get("address").asString());
        assertThat(address.length()).isEqualTo(24);
        assertThat(IpPrefix.parse("10.42.1.0/24").contains(address.address())).isTrue();
        assertThat(address.address().getHostAddress()).isNotIn("10.42.1.0", "10.42.1.1", "10.42.1.255");
        assertThat(ip.get("gateway").asString()).isEqualTo("10.42.1.1");
        assertThat(ip.get("interface").asInt()).isEqualTo(2);
        assertThat(ip.has("version")).isFalse();
        assertThat(result.get("routes").toString()).isEqualTo("[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.42.1.1\"}]");
        assertThat(result.get("dns").toString()).isEqualTo("{\"nameservers\":[\"10.43.0.10\"],\"search\":[\"svc.cluster.local\"]}");

        // the node: the bridge with the gateway, pinned MAC, up; the host end on it, hairpin, MTU, up
        assertThat(bridge.get("linkinfo").get("info_kind").asString()).isEqualTo("bridge");
        assertThat(bridge.get("address").asString()).isEqualTo("0a:58:0a:2a:01:01");
        assertThat(bridge.get("flags").toString()).contains("\"UP\"");
        assertThat(ipJson(fixture.node, "addr", "show", "dev", "cni0").get(0).get("addr_info").findValuesAsString("local"))
                .contains("10.42.1.1");
        assertThat(hostVeth.get("master").asString()).isEqualTo("cni0");
        assertThat(hostVeth.get("mtu").asInt()).isEqualTo(1450);
        assertThat(hostVeth.get("flags").toString()).contains("\"UP\"");
        assertThat(hostVeth.get("linkinfo").get("info_slave_data").get("hairpin").asBoolean()).isTrue();
        assertThat(fixture.node.sysctl().get("net.ipv4.ip_forward")).isEqualTo("1");
        // the pod: eth0 with the address, up, MTU; default route via the gateway; lo up
        assertThat(podEth0.get("mtu").asInt()).isEqualTo(1450);
        assertThat(podEth0.get("flags").toString()).contains("\"UP\"");
        JsonNode podAddress = ipJson(pod, "-4", "addr", "show", "dev", "eth0").get(0).get("addr_info").get(0);
        assertThat(podAddress.get("local").asString() + "/" + podAddress.get("prefixlen").asInt()).isEqualTo(address.toString());
        JsonNode defaultRoute = ipJson(pod, "route", "show", "default").get(0);
        assertThat(defaultRoute.get("gateway").asString()).isEqualTo("10.42.1.1");
        assertThat(defaultRoute.get("dev").asString()).isEqualTo("eth0");
        assertThat(link(pod, "lo").get("flags").toString()).contains("\"UP\"");
        // the reservation
        assertThat(fixture.reservations()).containsExactly(new Reservation(address.address(), new Attachment("c1", "eth0")));
    }

    @Test
    void checkPassesAfterAddAndDeleteRemovesEverything() {
        ObjectNode result = fixture.attach("c1", pod);

        CniResponse check = fixture.withPrevResult("CHECK", "c1", pod, result);
        assertThat(check.exitCode()).as(check.stdoutText()).isZero();
        assertThat(check.stdout()).isEmpty();

        CniResponse delete = fixture.withPrevResult("DEL", "c1", pod, result);
        assertThat(delete.exitCode()).as(delete.stdoutText()).isZero();
        assertThat(delete.stdout()).isEmpty();
        assertThat(fixture.weftVeths()).isEmpty();
        assertThat(ipJson(pod, "link", "show").findValuesAsString("ifname")).containsExactly("lo");
        assertThat(fixture.reservations()).isEmpty();
        assertThat(link(fixture.node, "cni0").get("address").asString()).isEqualTo("0a:58:0a:2a:01:01"); // the bridge stays

        JsonNode error = assertError(fixture.withPrevResult("CHECK", "c1", pod, result), CniException.CHECK_FAILED);
        assertThat(error.get("msg").asString()).isEqualTo("interface eth0 does not exist in " + pod.path());
    }

    @Test
    void deleteSucceedsWhenRepeated() {
        fixture.attach("c1", pod);

        assertThat(fixture.delete("c1", pod).exitCode()).isZero();
        CniResponse again = fixture.delete("c1", pod);

        assertThat(again.exitCode()).as(again.stdoutText()).isZero();
        assertThat(again.stdout()).isEmpty();
        assertThat(fixture.reservations()).isEmpty();
    }

    @Test
    void deleteWithoutNamespaceRemovesVethAndReservation() {
        fixture.attach("c1", pod);

        CniResponse response = fixture.invoke(environment("DEL", "c1", null, "eth0"), fixture.config());

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(fixture.weftVeths()).isEmpty();
        assertThat(ipJson(pod, "link", "show").findValuesAsString("ifname")).containsExactly("lo");
        assertThat(fixture.reservations()).isEmpty();
    }

    @Test
    void deleteSucceedsAfterThePodNamespaceIsGone() {
        fixture.attach("c1", pod);
        pod.close();
        NetNamespace.delete(pod.name());

        CniResponse response = fixture.delete("c1", pod);

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(fixture.weftVeths()).isEmpty();
        assertThat(fixture.reservations()).isEmpty();
    }

    @Test
    void deleteReleasesTheAddressEvenWhenTheSubnetFileIsGone() throws Exception {
        fixture.attach("c1", pod);
        java.nio.file.Files.delete(fixture.subnetFile); // a reboot: /run is empty until the agent is back

        CniResponse response = fixture.delete("c1", pod);

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(fixture.weftVeths()).isEmpty();
        assertThat(fixture.reservations()).isEmpty();
    }

    @Test
    void deleteOfAContainerNeverAddedSucceeds() {
        CniResponse response = fixture.delete("never", pod);

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(response.stdout()).isEmpty();
    }

    @Test
    void checkNamesWhatDiffersFromTheResult() {
        ObjectNode result = fixture.attach("c1", pod);
        String hostName = HostVeth.name("c1", "eth0");

        Sandbox.ip(pod, "route", "del", "default");
        assertThat(assertError(fixture.withPrevResult("CHECK", "c1", pod, result), CniException.CHECK_FAILED).get("msg").asString())
                .isEqualTo("route 0.0.0.0/0 via 10.42.1.1 dev eth0 is missing in " + pod.path());
        Sandbox.ip(pod, "route", "add", "default", "via", "10.42.1.1", "dev", "eth0");

        Sandbox.ip(fixture.node, "link", "set", hostName, "nomaster");
        assertThat(assertError(fixture.withPrevResult("CHECK", "c1", pod, result), CniException.CHECK_FAILED).get("msg").asString())
                .isEqualTo(hostName + " is not a port of bridge cni0");
        Sandbox.ip(fixture.node, "link", "set", hostName, "master", "cni0");
        Sandbox.ip(fixture.node, "link", "set", hostName, "type", "bridge_slave", "hairpin", "on");

        String address = result.get("ips").get(0).get("address").asString();
        Sandbox.ip(pod, "addr", "del", address, "dev", "eth0");
        assertThat(assertError(fixture.withPrevResult("CHECK", "c1", pod, result), CniException.CHECK_FAILED).get("msg").asString())
                .startsWith("eth0 in " + pod.path() + " lacks " + address);
    }

    @Test
    void checkComparesTheMacAndTheReservation() {
        ObjectNode result = fixture.attach("c1", pod);
        ObjectNode otherMac = result.deepCopy();
        ((ObjectNode) otherMac.get("interfaces").get(2)).put("mac", "02:00:00:00:00:99");
        ObjectNode otherAddress = result.deepCopy();
        ((ObjectNode) otherAddress.get("ips").get(0)).put("address", "10.42.1.200/24");
        Sandbox.ip(pod, "addr", "add", "10.42.1.200/24", "dev", "eth0");

        assertThat(assertError(fixture.withPrevResult("CHECK", "c1", pod, otherMac), CniException.CHECK_FAILED).get("msg").asString())
                .contains("has MAC").contains("not 02:00:00:00:00:99");
        assertThat(assertError(fixture.withPrevResult("CHECK", "c1", pod, otherAddress), CniException.CHECK_FAILED).get("msg").asString())
                .contains("not the result's [10.42.1.200/24]");
    }

    @Test
    void checkNeedsPrevResult() {
        fixture.attach("c1", pod);

        JsonNode error = assertError(fixture.invoke(environment("CHECK", "c1", pod, "eth0"), fixture.config()),
                CniException.INVALID_CONFIG);

        assertThat(error.get("msg").asString()).startsWith("prevResult is missing");
    }

    @Test
    void resultEchoesTheRequestVersion() {
        for (String version : new String[] {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}) {
            String containerId = "v" + version.replace(".", "");
            NetNamespace another = fixture.sandbox.namespace();
            CniResponse response = fixture.invoke(environment("ADD", containerId, another, "eth0"),
                    fixture.config(version, ""));

            assertThat(response.exitCode()).as(response.stdoutText()).isZero();
            JsonNode result = json(response);
            assertThat(result.get("cniVersion").asString()).isEqualTo(version);
            JsonNode ip = result.get("ips").get(0);
            if (version.startsWith("0.")) {
                assertThat(ip.get("version").asString()).isEqualTo("4");
            } else {
                assertThat(ip.has("version")).isFalse();
            }
        }
    }

    @Test
    void mtuOfTheConfigurationWinsOverTheSubnetFile() {
        CniResponse response = fixture.invoke(environment("ADD", "c1", pod, "eth0"), fixture.config("1.0.0", ",\"mtu\":1300"));

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(link(pod, "eth0").get("mtu").asInt()).isEqualTo(1300);
        assertThat(link(fixture.node, HostVeth.name("c1", "eth0")).get("mtu").asInt()).isEqualTo(1300);
    }

    @Test
    void hairpinStaysOffWhenConfiguredOff() {
        fixture.invoke(environment("ADD", "c1", pod, "eth0"), fixture.config("1.0.0", ",\"hairpinMode\":false"));

        JsonNode port = link(fixture.node, HostVeth.name("c1", "eth0")).get("linkinfo").get("info_slave_data");
        assertThat(port.get("hairpin").asBoolean()).isFalse();
    }

    @Test
    void bridgeOfAnotherSubnetMeansTryAgainLater() {
        Sandbox.ip(fixture.node, "link", "add", "cni0", "type", "bridge");
        Sandbox.ip(fixture.node, "addr", "add", "10.42.9.1/24", "dev", "cni0");

        JsonNode error = assertError(fixture.add("c1", pod), CniException.TRY_AGAIN_LATER);

        assertThat(error.get("msg").asString()).contains("10.42.9.1/24").contains("10.42.1.1/24");
        assertThat(fixture.reservations()).isEmpty();
    }
}
