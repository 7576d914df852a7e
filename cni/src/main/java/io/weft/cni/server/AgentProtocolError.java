package io.weft.cni.server;

import io.weft.cni.CniResponse;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * The CNI error for a failure of the path to the plugin rather than of the plugin's work: a malformed
 * frame, an answer that cannot be framed, a handler that threw. Code 104 (AGENT_PROTOCOL) is the one
 * the C forwarder prints for its own failures, so a runtime sees one code for the whole delivery path.
 */
public final class AgentProtocolError {
    /** Plugin-specific CNI error code 104, AGENT_PROTOCOL. */
    public static final int CODE = io.weft.cni.CniException.AGENT_PROTOCOL;

    private AgentProtocolError() {}

    /** The error object as the plugin prints it, with exit code 1; {@code cniVersion} 1.0.0, as the request may be unreadable. */
    public static CniResponse response(String msg, String details) {
        ObjectNode error = JsonNodeFactory.instance.objectNode()
                .put("cniVersion", "1.0.0")
                .put("code", CODE)
                .put("msg", msg)
                .put("details", details);
        return new CniResponse(1, (error + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
