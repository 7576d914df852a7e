package io.weft.agent.lease.kube;

import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mock API server's dispatcher, with a node's status subresource as the real API server has
 * it: a patch of {@code nodes/NAME/status} changes the node's metadata and status, and never its
 * spec (the node status strategy resets spec, and only spec). fabric8's CRUD mock applies only the
 * status of such a patch and drops its metadata; the agent writes its annotations there, as Flannel
 * does, so that its ClusterRole needs no {@code nodes} patch. Here the patch is applied to the node
 * itself, and one that touches spec is refused (422), so a test cannot pass by writing spec where a
 * real server would drop it. The request is recorded as sent, on {@code /status}, with its body.
 */
final class NodeStatusAsTheApiServer extends Dispatcher {
    private static final Pattern NODE_STATUS = Pattern.compile("(/api/v1/nodes/[^/?]+)/status(\\?.*)?");
    /** A merge patch's {@code "spec":} key, or a JSON patch's {@code "path":"/spec…"}. */
    private static final Pattern TOUCHES_SPEC = Pattern.compile("\"spec\"\\s*:|\"path\"\\s*:\\s*\"/spec");

    private final Dispatcher crud;

    NodeStatusAsTheApiServer(Dispatcher crud) {
        this.crud = crud;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        // the CRUD mock reads a body away; it gets a copy, and the recorded request keeps its own
        byte[] body = request.getBody() == null ? null : request.getBody().getBytes();
        String path = request.getPath();
        Matcher status = NODE_STATUS.matcher(path);
        if (request.getMethod().equals("PATCH") && status.matches()) {
            if (body != null && TOUCHES_SPEC.matcher(new String(body, StandardCharsets.UTF_8)).find()) {
                return new MockResponse().setResponseCode(422)
                        .setBody("{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Invalid\","
                                + "\"message\":\"a node's status subresource does not change its spec\",\"code\":422}");
            }
            path = status.group(1) + (status.group(2) == null ? "" : status.group(2));
        }
        return crud.dispatch(new RecordedRequest(request.getHttpVersion(), request.method(), path, request.getHeaders(),
                body == null ? null : new Buffer(body)));
    }

    @Override
    public void shutdown() {
        crud.shutdown();
    }

    @Override
    public void releaseResources() {
        crud.releaseResources();
    }
}
