package io.weft.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A command run in this JVM, its output captured: {@code weft} itself, or one subcommand built with a test's stand-ins. */
record WeftRun(int code, String out, String err) {
    static WeftRun weft(String... args) {
        return run(new WeftCommand(), args);
    }

    /** Runs {@code command}, a picocli command object such as {@code new UninstallCommand(cleanup)}, with {@code args}. */
    static WeftRun run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int code = commandLine.execute(args);
        return new WeftRun(code, out.toString(), err.toString());
    }

    /** For an assertion's description: everything it printed. */
    String output() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
