package io.weft.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

import java.util.concurrent.Callable;

/** {@code weft version}: Weft's version and the runtime it runs on. */
@Command(name = "version", description = "Print Weft's version and the Java runtime it runs on.")
final class VersionCommand implements Callable<Integer> {

    static String describe() {
        String version = WeftCommand.class.getPackage().getImplementationVersion();
        return "weft " + (version == null ? "(development build)" : version)
                + " (Java " + Runtime.version() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")";
    }

    @Override
    public Integer call() {
        System.out.println(describe());
        return 0;
    }

    /** Makes {@code weft --version} print the same line. */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {describe()};
        }
    }
}
