package io.weft.lab.process;

import io.weft.netlink.ns.NetNamespace;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Commands run inside a lab namespace by {@code nsenter --net=/run/netns/NAME}, which enters the
 * namespace and then execs the command: the process id Java sees is the command's own.
 */
public final class InNamespace {
    private InNamespace() {}

    /** {@code nsenter --net=/run/netns/NETNS COMMAND…}. */
    public static List<String> command(String netns, List<String> command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + NetNamespace.NAMED_DIR.resolve(netns)));
        full.addAll(command);
        return full;
    }

    /**
     * Starts a daemon of the lab (an agent, etcd): in a session of its own ({@code setsid}), so it
     * outlives the command that started it and no terminal's hangup reaches it; stdin from
     * {@code /dev/null}, stdout and stderr appended to {@code log}.
     */
    public static Process startDaemon(String netns, List<String> command, Path log) throws IOException {
        List<String> full = new ArrayList<>(List.of("setsid"));
        full.addAll(command(netns, command));
        return new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }
}
