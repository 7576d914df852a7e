package io.weft.cni;

/** Answers CNI invocations: the plugin itself, reached in-process or through the agent's socket. */
@FunctionalInterface
public interface CniHandler {
    /** Never throws for a bad request: every failure becomes a CNI error object with a non-zero exit code. */
    CniResponse handle(CniInvocation invocation);
}
