package io.weft.cni.result;

import io.weft.cni.CniException;
import io.weft.cni.CniVersion;
import io.weft.cni.json.Json;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CniResultTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final CniResult RESULT = new CniResult(
            List.of(new CniResult.Interface("cni0", MacAddress.parse("0a:58:0a:2a:01:01"), null),
                    new CniResult.Interface("weft0123456789a", MacAddress.parse("02:00:00:00:00:01"), null),
                    new CniResult.Interface("eth0", MacAddress.parse("02:00:00:00:00:02"), "/run/netns/p")),
            List.of(new CniResult.IpConfig(IpPrefix.parse("10.42.1.2/24"), IpPrefix.parseAddress("10.42.1.1"), 2)),
            List.of(new CniResult.RouteConfig(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parseAddress("10.42.1.1"))),
            JSON.createObjectNode().put("domain", "cluster.local"));

    @Test
    void rendersVersionOneWithoutIpVersions() {
        assertThat(RESULT.toJson(CniVersion.V1_0_0).toString()).isEqualTo("{\"cniVersion\":\"1.0.0\",\"interfaces\":["
                + "{\"name\":\"cni0\",\"mac\":\"0a:58:0a:2a:01:01\"},{\"name\":\"weft0123456789a\",\"mac\":\"02:00:00:00:00:01\"},"
                + "{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:02\",\"sandbox\":\"/run/netns/p\"}],"
                + "\"ips\":[{\"address\":\"10.42.1.2/24\",\"gateway\":\"10.42.1.1\",\"interface\":2}],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.42.1.1\"}],\"dns\":{\"domain\":\"cluster.local\"}}");
    }

    @Test
    void rendersOlderVersionsWithIpVersions() {
        ObjectNode json = RESULT.toJson(CniVersion.parse("0.3.1").orElseThrow());
        assertThat(json.get("cniVersion").asString()).isEqualTo("0.3.1");
        assertThat(json.get("ips").get(0).get("version").asString()).isEqualTo("4");
    }

    @Test
    void readsWhatItRenders() {
        for (CniVersion version : CniVersion.SUPPORTED) {
            assertThat(CniResult.parse(RESULT.toJson(version), "prevResult")).isEqualTo(RESULT);
        }
    }

    @Test
    void namesTheFieldItCannotRead() throws Exception {
        assertUnreadable("{\"ips\":[{\"address\":\"10.42.1.300/24\"}]}", "prevResult.ips[0].address");
        assertUnreadable("{\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":\"10.42.1.3/24\",\"interface\":1}]}",
                "prevResult.ips[0].interface");
        assertUnreadable("{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"zz\"}]}", "prevResult.interfaces[0].mac");
        assertUnreadable("{\"routes\":[{\"gw\":\"10.0.0.1\"}]}", "prevResult.routes[0].dst is missing");
        assertUnreadable("{\"interfaces\":{}}", "prevResult.interfaces");
    }

    @Test
    void passesAResultThroughInAnotherVersion() throws Exception {
        ObjectNode previous = (ObjectNode) JSON.readTree("{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"address\":\"10.1.1.2/24\"},"
                + "{\"address\":\"fd00::2/64\"}],\"custom\":1}");

        ObjectNode modern = CniResult.inVersion(previous, CniVersion.V1_0_0);
        ObjectNode old = CniResult.inVersion(modern, CniVersion.parse("0.3.0").orElseThrow());

        assertThat(modern.toString()).isEqualTo("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.1.2/24\"},"
                + "{\"address\":\"fd00::2/64\"}],\"custom\":1}");
        assertThat(old.get("ips").findValuesAsString("version")).containsExactly("4", "6");
        assertThat(previous.get("cniVersion").asString()).isEqualTo("0.4.0");
    }

    private static void assertUnreadable(String json, String messagePart) throws Exception {
        assertThatThrownBy(() -> CniResult.parse(JSON.readTree(json), "prevResult"))
                .isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.code()).isEqualTo(CniException.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }
}
