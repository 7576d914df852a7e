package io.weft.cni.server;

import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;
import io.weft.cni.server.CniFrame.MalformedFrameException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CniFrameTest {

    private static CniInvocation decode(byte[] frame) throws IOException {
        return CniFrame.readRequest(new ByteArrayInputStream(frame));
    }

    /** A request frame written field by field, as the forwarder writes it. */
    private static byte[] rawRequest(String magic, int version, String program, String[] env, byte[] stdin) throws IOException {
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.write(magic.getBytes(StandardCharsets.US_ASCII));
        out.writeInt(version);
        out.writeInt(program.length());
        out.writeBytes(program);
        out.writeInt(env.length);
        for (String entry : env) {
            out.writeInt(entry.length());
            out.writeBytes(entry);
        }
        out.writeInt(stdin.length);
        out.write(stdin);
        return bytes.toByteArray();
    }

    private static void assertSameInvocation(CniInvocation actual, CniInvocation expected) {
        assertThat(actual.programName()).isEqualTo(expected.programName());
        assertThat(actual.environment()).isEqualTo(expected.environment());
        assertThat(actual.stdin()).isEqualTo(expected.stdin());
    }

    @Test
    void roundTripsARequest() throws IOException {
        var invocation = new CniInvocation(
                Map.of("CNI_COMMAND", "ADD", "CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=a=b", "CNI_NETNS", ""),
                "{\"cniVersion\":\"1.0.0\"}\n\0\u00e9".getBytes(StandardCharsets.UTF_8), "loopback");

        assertSameInvocation(decode(CniFrame.encodeRequest(invocation)), invocation);
    }

    @Test
    void decodesTheForwardersByteLayout() throws IOException {
        byte[] frame = rawRequest("WEFT", 1, "weft", new String[] {"CNI_COMMAND=DEL", "CNI_IFNAME=eth0"}, new byte[] {'{', '}'});

        CniInvocation decoded = decode(frame);

        assertThat(decoded.programName()).isEqualTo("weft");
        assertThat(decoded.environment()).containsExactlyInAnyOrderEntriesOf(Map.of("CNI_COMMAND", "DEL", "CNI_IFNAME", "eth0"));
        assertThat(decoded.stdin()).containsExactly('{', '}');
        assertThat(CniFrame.encodeRequest(decoded)).hasSize(frame.length);
    }

    @Test
    void roundTripsAResponse() throws IOException {
        var response = new CniResponse(255, new byte[] {1, 0, (byte) 0xff});

        CniResponse decoded = CniFrame.readResponse(new ByteArrayInputStream(CniFrame.encodeResponse(response)));

        assertThat(decoded.exitCode()).isEqualTo(255);
        assertThat(decoded.stdout()).isEqualTo(response.stdout());
    }

    @Test
    void roundTripsRandomRequestsAndRefusesEveryTruncation() throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            Map<String, String> env = new HashMap<>();
            for (int i = random.nextInt(8); i > 0; i--) {
                env.put("CNI_" + i, "v".repeat(random.nextInt(40)) + "=" + random.nextInt());
            }
            byte[] stdin = new byte[random.nextInt(300)];
            random.nextBytes(stdin);
            var invocation = new CniInvocation(env, stdin, random.nextBoolean() ? "weft" : "loopback");
            byte[] frame = CniFrame.encodeRequest(invocation);

            assertSameInvocation(decode(frame), invocation);
            int cut = random.nextInt(frame.length);
            assertThatThrownBy(() -> decode(Arrays.copyOf(frame, cut)))
                    .as("seed %d, round %d, frame cut to %d of %d bytes", seed, round, cut, frame.length)
                    .isInstanceOf(MalformedFrameException.class)
                    .hasMessage("truncated request frame");
        }
    }

    @Test
    void refusesATruncatedResponse() {
        byte[] frame = CniFrame.encodeResponse(CniResponse.success("{}"));

        assertThatThrownBy(() -> CniFrame.readResponse(new ByteArrayInputStream(Arrays.copyOf(frame, frame.length - 1))))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("truncated response frame");
    }

    @Test
    void refusesAStdinLengthAboveOneMebibyteBeforeReadingIt() throws IOException {
        byte[] frame = rawRequest("WEFT", 1, "weft", new String[0], new byte[0]);
        frame[frame.length - 3] = 0x10; // the last field, the stdin length, becomes 0x00100001
        frame[frame.length - 1] = 0x01;

        assertThatThrownBy(() -> decode(frame))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("stdin of 1048577 bytes exceeds 1048576");
    }

    @Test
    void refusesToEncodeOversizedFields() {
        var invocation = new CniInvocation(Map.of(), new byte[CniFrame.MAX_STDIN + 1], "weft");
        var response = new CniResponse(0, new byte[CniFrame.MAX_STDOUT + 1]);

        assertThatThrownBy(() -> CniFrame.encodeRequest(invocation)).hasMessage("stdin of 1048577 bytes exceeds 1048576");
        assertThatThrownBy(() -> CniFrame.encodeResponse(response)).hasMessage("stdout of 4194305 bytes exceeds 4194304");
        assertThatThrownBy(() -> CniFrame.encodeResponse(new CniResponse(256, new byte[0])))
                .hasMessage("exit code 256 is outside 0..255");
    }

    @Test
    void refusesForeignFrames() throws IOException {
        String[] tooMany = new String[CniFrame.MAX_ENV_ENTRIES + 1];
        Arrays.fill(tooMany, "CNI_X=1");
        assertThatThrownBy(() -> decode(rawRequest("HTTP", 1, "weft", new String[0], new byte[0])))
                .isInstanceOf(MalformedFrameException.class).hasMessage("no WEFT magic");
        assertThatThrownBy(() -> decode(rawRequest("WEFT", 2, "weft", new String[0], new byte[0])))
                .isInstanceOf(MalformedFrameException.class).hasMessage("frame version 2, expected 1");
        assertThatThrownBy(() -> decode(rawRequest("WEFT", 1, "weft", new String[] {"CNI_COMMAND"}, new byte[0])))
                .isInstanceOf(MalformedFrameException.class).hasMessage("environment entry without NAME=: CNI_COMMAND");
        assertThatThrownBy(() -> decode(rawRequest("WEFT", 1, "weft", tooMany, new byte[0])))
                .isInstanceOf(MalformedFrameException.class).hasMessage("65 environment entries, at most 64");
        assertThatThrownBy(() -> decode(new byte[0]))
                .isInstanceOf(MalformedFrameException.class).hasMessage("truncated request frame");
    }
}
