package io.weft.cli;

import io.weft.cni.CniHandler;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniPlugin;
import io.weft.cni.CniResponse;
import io.weft.cni.server.AgentProtocolError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code weft cni}: the CNI plugin in this JVM, as a container runtime runs it: the {@code CNI_*}
 * environment and the config on stdin in, the answer on stdout and the exit code out. The forwarder
 * execs it (through {@code weft-java}) when the agent's socket is absent; the work and the answer are
 * the same as the agent's.
 *
 * <p>stdout carries the answer and nothing else: {@link System#out} is pointed at stderr first, so a
 * stray print cannot corrupt what the runtime parses. {@code weft-java} calls {@link #main} directly,
 * which skips picocli's start-up.
 */
@Command(name = "cni", hidden = true,
        description = "Run the CNI plugin in-process (what the runtime execs when the agent is not running).")
final class CniCommand implements Callable<Integer> {
    /** Set by {@code weft-java}: the name the runtime ran the plugin under ({@code weft}, {@code loopback}). */
    static final String PROGRAM_PROPERTY = "weft.cni.program";

    @Option(names = "--program", paramLabel = "NAME", defaultValue = "${sys:" + PROGRAM_PROPERTY + ":-weft}",
            description = "The plugin name to answer as: weft or loopback (default: ${DEFAULT-VALUE}).")
    String program;

    public static void main(String[] args) {
        System.exit(inProcess(System.getProperty(PROGRAM_PROPERTY, "weft")));
    }

    @Override
    public Integer call() {
        return inProcess(program);
    }

    private static int inProcess(String program) {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        try (CniPlugin plugin = CniPlugin.forCurrentNamespace()) {
            return run(System.getenv(), System.in, stdout, program, plugin);
        } catch (IOException e) {
            System.err.println("weft cni: " + e);
            return 1;
        }
    }

    /** One invocation: only the {@code CNI_*} variables reach the handler, as through the agent's socket. */
    static int run(Map<String, String> environment, InputStream stdin, OutputStream stdout, String program,
                   CniHandler handler) throws IOException {
        Map<String, String> cni = environment.entrySet().stream()
                .filter(entry -> entry.getKey().startsWith("CNI_"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        var invocation = new CniInvocation(cni, stdin.readAllBytes(), program);
        CniResponse response;
        try {
            response = handler.handle(invocation);
        } catch (RuntimeException e) {
            e.printStackTrace();
            response = AgentProtocolError.response("weft cni: the plugin failed unexpectedly", e.toString());
        }
        stdout.write(response.stdout());
        stdout.flush();
        return response.exitCode();
    }
}
