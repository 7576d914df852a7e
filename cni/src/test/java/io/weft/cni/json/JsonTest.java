package io.weft.cni.json;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules Weft's files and answers were written to under Jackson 2, kept on Jackson 3. */
class JsonTest {
    record Lease(String node, String publicIp, long expiry) {}

    @Test
    void writesSlashesUnescaped() {
        JsonNode path = Json.mapper().createObjectNode().put("dataDir", "/var/lib/cni/networks");

        assertThat(Json.mapper().writeValueAsString(path)).isEqualTo("{\"dataDir\":\"/var/lib/cni/networks\"}");
    }

    @Test
    void writesPropertiesInTheirDeclaredOrderNotSorted() {
        Map<String, Object> backendData = new LinkedHashMap<>();
        backendData.put("vtepMAC", "0e:00:00:00:00:01");
        backendData.put("vni", 1);

        assertThat(Json.mapper().writeValueAsString(new Lease("n1", "192.0.2.1", 5)))
                .isEqualTo("{\"node\":\"n1\",\"publicIp\":\"192.0.2.1\",\"expiry\":5}");
        assertThat(Json.mapper().writeValueAsString(backendData)).isEqualTo("{\"vtepMAC\":\"0e:00:00:00:00:01\",\"vni\":1}");
    }

    @Test
    void ignoresWhatFollowsTheFirstValue() {
        assertThat(Json.mapper().readTree("{\"a\":1} trailing")).isEqualTo(Json.mapper().readTree("{\"a\":1}"));
    }

    @Test
    void readsAndWritesNestingDeeperThanJackson3Allows() {
        String deep = "[".repeat(800) + "]".repeat(800);

        JsonNode tree = Json.mapper().readTree(deep);

        assertThat(Json.mapper().writeValueAsString(tree)).isEqualTo(deep);
    }
}
