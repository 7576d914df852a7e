package io.weft.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.weft.cli.WeftRun.weft;
import static org.assertj.core.api.Assertions.assertThat;

class WeftCommandTest {
    @Test
    void helpListsTheCommands() {
        WeftRun run = weft("--help");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("Usage: weft").contains("version");
    }

    @Test
    void versionNamesWeftAndTheJavaRuntime() {
        assertThat(VersionCommand.describe()).startsWith("weft ").contains("Java " + Runtime.version().feature());
        WeftRun run = weft("--version");
        assertThat(run.code()).isZero();
        assertThat(run.out().strip()).isEqualTo(VersionCommand.describe());
    }

    @Test
    void unknownCommandFailsWithUsage() {
        WeftRun run = weft("nosuchcommand");
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
