package io.weft.cli;

import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;
import io.weft.cni.json.Json;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CniCommandTest {

    @Test
    void handsOnlyTheCniVariablesStdinAndProgramToThePluginAndPrintsOnlyItsAnswer() throws IOException {
        List<CniInvocation> received = new ArrayList<>();
        byte[] stdin = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\"}".getBytes(StandardCharsets.UTF_8);
        var stdout = new ByteArrayOutputStream();

        int exitCode = CniCommand.run(Map.of("CNI_COMMAND", "ADD", "CNI_IFNAME", "eth0", "HOME", "/root", "CNIX", "x"),
                new ByteArrayInputStream(stdin), stdout, "loopback", invocation -> {
                    received.add(invocation);
                    return new CniResponse(7, "{\"answer\":1}".getBytes(StandardCharsets.UTF_8));
                });

        assertThat(exitCode).isEqualTo(7);
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("{\"answer\":1}");
        assertThat(received).singleElement().satisfies(invocation -> {
            assertThat(invocation.environment()).isEqualTo(Map.of("CNI_COMMAND", "ADD", "CNI_IFNAME", "eth0"));
            assertThat(invocation.stdin()).isEqualTo(stdin);
            assertThat(invocation.programName()).isEqualTo("loopback");
        });
    }

    @Test
    void answersAPluginThatThrowsWithACniErrorOnStdout() throws IOException {
        var stdout = new ByteArrayOutputStream();

        int exitCode = CniCommand.run(Map.of("CNI_COMMAND", "ADD"), new ByteArrayInputStream(new byte[0]), stdout, "weft",
                invocation -> {
                    throw new IllegalStateException("bug");
                });

        JsonNode error = Json.mapper().readTree(stdout.toByteArray());
        assertThat(exitCode).isEqualTo(1);
        assertThat(error.get("code").asInt()).isEqualTo(104);
        assertThat(error.get("msg").asString()).isEqualTo("weft cni: the plugin failed unexpectedly");
        assertThat(error.get("details").asString()).isEqualTo("java.lang.IllegalStateException: bug");
    }

    @Test
    void isACommandOfWeftHiddenFromItsHelp() {
        var out = new StringWriter();
        CommandLine weft = new CommandLine(new WeftCommand());
        weft.setOut(new PrintWriter(out));

        weft.execute("--help");

        assertThat(weft.getSubcommands()).containsKeys("cni", "install");
        assertThat(out.toString()).contains("install").doesNotContainPattern("(?m)^\\s+cni\\b");
    }
}
