package io.weft.agent.lease.etcd;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for jetcd's answers with a deadline. jetcd waits for a connection as long as it takes, so
 * without one a call to an etcd that is down would hang the renewal loop instead of failing it.
 */
final class Calls {
    private final String endpoints;
    private final Duration timeout;

    Calls(String endpoints, Duration timeout) {
        this.endpoints = endpoints;
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    <T> T await(CompletableFuture<T> call, String what) {
        return await(call, what, timeout);
    }

    /**
     * The call's answer.
     *
     * @throws IllegalStateException naming the endpoints and {@code what} when etcd refuses the call or
     *     does not answer within {@code timeout}; the cause is jetcd's exception
     */
    <T> T await(CompletableFuture<T> call, String what, Duration timeout) {
        try {
            return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new IllegalStateException("etcd " + endpoints + ": " + what + ": no answer within "
                    + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("etcd " + endpoints + ": " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("etcd " + endpoints + ": " + what + ": interrupted", e);
        }
    }

    /** Whether a call failed for want of an answer (no connection, or none in time), not on etcd's answer. */
    static boolean unanswered(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException
                    || cause instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.UNAVAILABLE) {
                return true;
            }
        }
        return false;
    }

    /** Whether etcd answered that a lease does not exist (expired, revoked, or lost with etcd's data). */
    static boolean leaseNotFound(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
                return true;
            }
        }
        return false;
    }
}
