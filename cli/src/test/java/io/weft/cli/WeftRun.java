package io.weft.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The {@code weft} command run in this JVM, its output captured. */
record WeftRun(int code, String out, String err) {
    static WeftRun weft(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new WeftCommand());
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        int code = command.execute(args);
        return new WeftRun(code, out.toString(), err.toString());
    }

    /** For an assertion's description: everything it printed. */
    String output() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
