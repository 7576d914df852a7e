package io.weft.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class WeftCommandTest {

    private record Run(int code, String out, String err) {}

    private static Run weft(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new WeftCommand());
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run run = weft("--help");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("Usage: weft").contains("version");
    }

    @Test
    void versionNamesWeftAndTheJavaRuntime() {
        assertThat(VersionCommand.describe()).startsWith("weft ").contains("Java " + Runtime.version().feature());
        Run run = weft("--version");
        assertThat(run.code()).isZero();
        assertThat(run.out().strip()).isEqualTo(VersionCommand.describe());
    }

    @Test
    void unknownCommandFailsWithUsage() {
        Run run = weft("nosuchcommand");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("Unmatched argument").contains("nosuchcommand");
    }

    @Test
    void launcherExplainsWhenNoJdk25IsFound() throws Exception {
        Path launcher = Path.of("..", "weft").toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "version");
        builder.environment().put("JAVA_HOME", "/nonexistent-jdk");
        builder.environment().put("WEFT_JDK_DIRS", "/nonexistent-dir");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor()).isEqualTo(1);
        assertThat(out).isEmpty();
        assertThat(err).contains("no JDK 25 found").contains("JAVA_HOME=/nonexistent-jdk");
    }
}
