package io.weft.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the Java plugin starts on the fallback path, and the {@code weft-java} script that does it. A CNI
 * exec lives ~100 ms, so: C1 only, Serial GC, the AOT cache when there is one (without it, the JDK's
 * default CDS archive). HotSpot prints its own errors and warnings on stdout by default; here they go
 * to stderr, because stdout is the runtime's.
 */
record JavaLauncher(Distribution distribution, Optional<Path> aotCache) {
    static final List<String> JVM_OPTIONS = List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "--enable-native-access=ALL-UNNAMED",
            "-XX:+DisplayVMOutputToStderr",
            "-Xlog:disable",
            "-Xlog:all=warning:stderr");

    /**
     * {@code -XX:AOTCache} refuses to run beside any {@code -Xshare} option in JDK 25, so
     * {@code -Xshare:auto} is named only without a cache; the cache's default mode is just as forgiving
     * (a cache it cannot use is skipped with a warning on stderr).
     */
    private String sharing() {
        return aotCache.map(cache -> "-XX:AOTCache=" + cache).orElse("-Xshare:auto");
    }

    /** The command line that trains a cache into {@code output}: the same JVM, options and class path. */
    List<String> trainingCommand(Path output) {
        return command("-XX:AOTCacheOutput=" + output, programOption("weft"));
    }

    /**
     * The {@code weft-java} script. A script cannot see the argv[0] it was exec'd with, so the
     * forwarder passes the name it ran under in {@code WEFT_CNI_PROGRAM}; installed directly as
     * {@code weft} or {@code loopback} (no forwarder), the script's own name says it. A jar newer than
     * the AOT cache (rebuilt in place after install) turns the cache off: Temurin 25.0.3 would use it
     * stale and run the old classes (JDK-8377932). The test is a shell builtin: no process is started.
     */
    String script() {
        String sharing = "\"$sharing\"";
        String program = programOption("\"$program\"");
        String words = command(sharing, program).stream()
                .map(word -> word.equals(sharing) || word.equals(program) ? word : quote(word))
                .collect(Collectors.joining(" \\\n  "));
        String staleGuard = aotCache.map(cache -> """
                for jar in %s; do
                  [ "$jar" -nt %s ] && sharing=-Xshare:auto
                done
                """.formatted(distribution.classPath().stream().map(jar -> quote(jar.toString())).collect(Collectors.joining(" ")),
                quote(cache.toString()))).orElse("");
        return """
                #!/bin/sh
                # weft-java: the Weft CNI plugin in a JVM of its own, written by `weft install`. The forwarder
                # (weft) execs it when the agent's socket is absent; it does the same work in-process.
                # Only the CNI answer reaches stdout: JVM output and logs go to stderr.
                program=${WEFT_CNI_PROGRAM:-${0##*/}}
                [ "$program" = weft-java ] && program=weft
                sharing=%s
                %sexec %s
                """.formatted(quote(sharing()), staleGuard, words);
    }

    private static String programOption(String program) {
        return "-D" + CniCommand.PROGRAM_PROPERTY + "=" + program;
    }

    private List<String> command(String sharing, String programOption) {
        List<String> command = new ArrayList<>();
        command.add(distribution.java().toString());
        command.addAll(JVM_OPTIONS);
        command.add(sharing);
        command.add(programOption);
        command.add("-cp");
        command.add(distribution.classPath().stream().map(Path::toString).collect(Collectors.joining(":")));
        command.add(CniCommand.class.getName());
        return command;
    }

    /** {@code word} as one word of a POSIX shell command line. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
