package io.weft.cni.config;

import io.weft.cni.CniException;
import io.weft.cni.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkConfigTest {
    private static final ObjectMapper JSON = Json.mapper();

    private static NetworkConfig parse(String json) throws Exception {
        return NetworkConfig.parse((ObjectNode) JSON.readTree(json));
    }

    private static void assertInvalid(String json, int code, String... messageParts) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(CniException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(messageParts);
        });
    }

    @Test
    void fillsInTheDefaults() throws Exception {
        NetworkConfig config = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\"}");

        assertThat(config).isEqualTo(new NetworkConfig("weft", "cni0", Path.of("/run/weft/subnet.env"),
                Path.of("/var/lib/weft/ipam"), Path.of("/run/weft/cni.sock"), true, 0, null));
        assertThat(config.networkDir()).isEqualTo(Path.of("/var/lib/weft/ipam/weft"));
    }

    @Test
    void readsEveryKey() throws Exception {
        NetworkConfig config = parse("{\"name\":\"n\",\"type\":\"weft\",\"bridge\":\"br9\",\"subnetFile\":\"/tmp/s.env\","
                + "\"dataDir\":\"/tmp/d\",\"socket\":\"/tmp/c.sock\",\"hairpinMode\":false,\"mtu\":1400,"
                + "\"dns\":{\"nameservers\":[\"10.43.0.10\"]}}");

        assertThat(config.bridge()).isEqualTo("br9");
        assertThat(config.subnetFile()).isEqualTo(Path.of("/tmp/s.env"));
        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/d"));
        assertThat(config.socket()).isEqualTo(Path.of("/tmp/c.sock"));
        assertThat(config.hairpinMode()).isFalse();
        assertThat(config.mtu()).isEqualTo(1400);
        assertThat(config.dns().toString()).isEqualTo("{\"nameservers\":[\"10.43.0.10\"]}");
    }

    @Test
    void namesTheInvalidField() {
        assertInvalid("{\"name\":\"n\"}", CniException.INVALID_CONFIG, "type is missing");
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"bridge\":\"cni0123456789012\"}", CniException.INVALID_CONFIG, "bridge");
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"bridge\":7}", CniException.INVALID_CONFIG, "bridge 7");
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"subnetFile\":\"run/s.env\"}", CniException.INVALID_CONFIG, "subnetFile");
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"dataDir\":\"\"}", CniException.INVALID_CONFIG, "dataDir");
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"socket\":1}", CniException.INVALID_CONFIG, "socket");
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"hairpinMode\":\"yes\"}", CniException.INVALID_CONFIG, "hairpinMode");
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"mtu\":20}", CniException.INVALID_CONFIG, "mtu 20");
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"mtu\":1400.5}", CniException.INVALID_CONFIG, "mtu");
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"dns\":[]}", CniException.INVALID_CONFIG, "dns");
    }

    @Test
    void refusesAnIpamSectionNamingKeyAndValue() {
        assertInvalid("{\"name\":\"n\",\"type\":\"weft\",\"ipam\":{\"type\":\"host-local\"}}", CniException.UNSUPPORTED_FIELD,
                "ipam={\"type\":\"host-local\"}");
    }
}
