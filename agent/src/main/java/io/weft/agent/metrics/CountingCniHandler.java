package io.weft.agent.metrics;

import io.weft.cni.CniCommand;
import io.weft.cni.CniHandler;
import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;

/**
 * A {@link CniHandler} that counts what it answers. The command label is the {@code CNI_COMMAND} when
 * it is one (anything else is {@code invalid}, so a bad client cannot grow the label set); the result
 * is the exit code's verdict. A handler that throws is counted as an error and the throw passes on.
 */
final class CountingCniHandler implements CniHandler {
    private final CniHandler handler;
    private final AgentMetrics metrics;

    CountingCniHandler(CniHandler handler, AgentMetrics metrics) {
        this.handler = handler;
        this.metrics = metrics;
    }

    @Override
    public CniResponse handle(CniInvocation invocation) {
        String command = command(invocation.environment().get("CNI_COMMAND"));
        long start = System.nanoTime();
        boolean ok = false;
        try {
            CniResponse response = handler.handle(invocation);
            ok = response.exitCode() == 0;
            return response;
        } finally {
            metrics.cniAnswered(command, ok, System.nanoTime() - start);
        }
    }

    private static String command(String value) {
        if (value == null) {
            return "invalid";
        }
        try {
            return CniCommand.valueOf(value).name();
        } catch (IllegalArgumentException e) {
            return "invalid";
        }
    }
}
