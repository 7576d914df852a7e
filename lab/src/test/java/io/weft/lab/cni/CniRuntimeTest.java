package io.weft.lab.cni;

import io.weft.cni.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class CniRuntimeTest {
    private static final ObjectMapper JSON = Json.mapper();

    @Test
    void takesThePodsIpv4AddressFromTheResult() throws IOException {
        assertThat(CniRuntime.ipv4(JSON.readTree("""
                {"ips": [{"address": "fd00::2/64"}, {"address": "10.42.1.7/24", "gateway": "10.42.1.1"}]}"""))).contains("10.42.1.7");
        assertThat(CniRuntime.ipv4(JSON.readTree("{\"ips\": []}"))).isEmpty();
        assertThat(CniRuntime.ipv4(JSON.readTree("{}"))).isEmpty();
    }

    @Test
    void describesAPluginErrorByItsCodeMessageAndDetails() {
        assertThat(CniRuntime.describeError(bytes("{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"try again later\",\"details\":\"agent busy\"}")))
                .isEqualTo("code 11: try again later (agent busy)");
        assertThat(CniRuntime.describeError(bytes("{\"code\":7,\"msg\":\"bad config\"}"))).isEqualTo("code 7: bad config");
        assertThat(CniRuntime.describeError(bytes("Segmentation fault\n"))).isEqualTo("Segmentation fault");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
