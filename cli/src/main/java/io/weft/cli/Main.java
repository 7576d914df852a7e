package io.weft.cli;

import picocli.CommandLine;

/** Entry point of the {@code weft} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new WeftCommand()).execute(args));
    }
}
