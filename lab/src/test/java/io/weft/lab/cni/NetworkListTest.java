package io.weft.lab.cni;

import io.weft.cni.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkListTest {
    private static final ObjectMapper JSON = Json.mapper();

    @TempDir
    Path confDir;

    @Test
    void takesTheFirstFileInNameOrderAsLibcniDoes() throws IOException {
        Files.writeString(confDir.resolve("20-other.conflist"), "{\"cniVersion\":\"0.4.0\",\"name\":\"other\",\"plugins\":[{\"type\":\"bridge\"}]}");
        Files.writeString(confDir.resolve("10-weft.conflist"), """
                {"cniVersion": "1.0.0", "name": "weft", "plugins": [{"type": "weft", "socket": "/run/x.sock"}, {"type": "portmap"}]}""");
        Files.writeString(confDir.resolve("05-notes.txt"), "not a network");

        NetworkList list = NetworkList.load(confDir);

        assertThat(list.name()).isEqualTo("weft");
        assertThat(list.file()).isEqualTo(confDir.resolve("10-weft.conflist"));
        assertThat(list.plugins()).extracting(NetworkList::type).containsExactly("weft", "portmap");
    }

    @Test
    void givesEachPluginTheListsNameAndVersionAndThePreviousResult() throws IOException {
        NetworkList list = NetworkList.parse(Path.of("x.conflist"), """
                {"cniVersion": "1.0.0", "name": "weft", "plugins": [{"type": "weft", "socket": "/run/x.sock"}, {"type": "portmap"}]}"""
                .getBytes(StandardCharsets.UTF_8));
        JsonNode prev = JSON.readTree("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.42.0.2/24\"}]}");

        JsonNode first = JSON.readTree(list.stdin(list.plugins().get(0), null));
        JsonNode second = JSON.readTree(list.stdin(list.plugins().get(1), prev));

        assertThat(first.get("name").asString()).isEqualTo("weft");
        assertThat(first.get("cniVersion").asString()).isEqualTo("1.0.0");
        assertThat(first.get("socket").asString()).isEqualTo("/run/x.sock");
        assertThat(first.has("prevResult")).isFalse();
        assertThat(second.get("prevResult")).isEqualTo(prev);
        assertThat(list.plugins().get(1).has("prevResult")).as("the list itself is not changed").isFalse();
    }

    @Test
    void aSinglePluginConfIsAListOfOne() throws IOException {
        NetworkList list = NetworkList.parse(Path.of("x.conf"),
                "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"weft\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(list.plugins()).extracting(NetworkList::type).containsExactly("weft");
    }

    @Test
    void theLoopbackNetworkIsContainerdsWithTheGivenSettings() throws IOException {
        NetworkList loopback = NetworkList.loopback("1.0.0", Map.of("socket", "/lab/node1/run/cni.sock"));

        JsonNode config = JSON.readTree(loopback.stdin(loopback.plugins().getFirst(), null));
        assertThat(config.get("type").asString()).isEqualTo("loopback");
        assertThat(config.get("name").asString()).isEqualTo("cni-loopback");
        assertThat(config.get("socket").asString()).isEqualTo("/lab/node1/run/cni.sock");
    }

    @Test
    void namesWhatIsWrongWithABadList() throws IOException {
        assertThatThrownBy(() -> NetworkList.load(confDir)).hasMessageContaining("no network configuration");
        assertThatThrownBy(() -> parse("{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"weft\"}]}")).hasMessageContaining("name is missing");
        assertThatThrownBy(() -> parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}")).hasMessageContaining("plugins is not a non-empty array");
        assertThatThrownBy(() -> parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"x\":1}]}")).hasMessageContaining("type is missing");
        assertThatThrownBy(() -> parse("{\"cniVersion\":")).hasMessageContaining("is not JSON");
    }

    private static NetworkList parse(String json) throws IOException {
        return NetworkList.parse(Path.of("x.conflist"), json.getBytes(StandardCharsets.UTF_8));
    }
}
