package io.weft.cli;

import io.weft.lab.Lab;
import io.weft.lab.LabDown;
import io.weft.lab.LabException;
import io.weft.lab.LabUp;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/** Where a lab is, its directory and its namespaces' prefix: the flags of {@code weft lab up}, {@code lab down} and {@code demo}. */
final class LabPlace {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = Lab.DEFAULT_DIR_NAME, description = "The lab's files (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = Lab.DEFAULT_PREFIX,
            description = "The namespaces' prefix (default: ${DEFAULT-VALUE}).")
    String prefix;

    LabUp up(Consumer<String> progress) {
        return new LabUp(dir, prefix, LabCommand.weft(), progress);
    }

    /** {@code lab down}; when it fails, {@code command} says why on {@code err} and nothing is returned. */
    Optional<LabDown.Removal> down(Consumer<String> progress, PrintWriter err, String command) throws InterruptedException {
        try {
            return Optional.of(new LabDown(dir, prefix, progress).down());
        } catch (LabException e) {
            err.println(command + ": " + e.getMessage());
            err.flush();
            return Optional.empty();
        }
    }

    /** {@code " --dir DIR"} for the commands a user may type next, nothing for the default directory. */
    String dirFlag() {
        return dir.toAbsolutePath().normalize().equals(Lab.DEFAULT_DIR) ? "" : " --dir " + dir;
    }
}
