package io.weft.agent.masquerade;

import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The {@code nft} command, the one external tool Weft runs: rules are written as nftables scripts and
 * applied as one transaction ({@code nft -f -}), which is what makes a rule set change atomic. A
 * process inherits the namespace of the JVM, not of a thread that {@code setns}ed, so for another
 * namespace the command is run through {@code nsenter --net=PATH}.
 */
public final class Nft {
    private static final long TIMEOUT_SECONDS = 30;
    private final List<String> command;

    /** @param command the command line that runs nft, e.g. {@code [nft]} */
    public Nft(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the nft command line is empty");
        }
        this.command = List.copyOf(command);
    }

    /** nft in the JVM's own namespace: a real node. */
    public static Nft here() {
        return new Nft(List.of("nft"));
    }

    /** nft inside {@code namespace} (a lab node, a test's): {@code nsenter --net=PATH nft}. */
    public static Nft in(NetNamespace namespace) {
        return new Nft(List.of("nsenter", "--net=" + namespace.path(), "nft"));
    }

    /**
     * Runs nft with {@code args} and {@code script} on its standard input; returns its output.
     *
     * @throws NftException with nft's own error text when it exits non-zero, cannot be started or hangs
     */
    public String run(String script, String... args) {
        List<String> line = new ArrayList<>(command);
        line.addAll(List.of(args));
        String shown = String.join(" ", line);
        Process process;
        try {
            process = new ProcessBuilder(line).start();
        } catch (IOException e) {
            throw new NftException(shown + " cannot be run: " + e.getMessage(), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // nft exited before reading its input: its exit code and stderr say why
        }
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new NftException(shown + " did not finish within " + TIMEOUT_SECONDS + " s", null);
            }
            if (process.exitValue() != 0) {
                throw new NftException(shown + " exited " + process.exitValue() + ": " + err.get().strip(), null);
            }
            return out.get();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NftException(shown + " interrupted", e);
        } catch (ExecutionException e) {
            throw new NftException(shown + ": " + e.getCause(), e.getCause());
        }
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }

    /** nft failed; the message is its command line and what it printed. */
    public static final class NftException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NftException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
