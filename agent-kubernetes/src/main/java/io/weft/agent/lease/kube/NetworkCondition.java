package io.weft.agent.lease.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node condition {@code NetworkUnavailable=False}, which tells the scheduler (and anything
 * waiting for the node) that the pod network is up. Kubelet and controllers keep writing the other
 * conditions, so the patch touches ours alone: a JSON patch that replaces it at its index after
 * testing the index still holds it (a concurrent change makes the patch fail, never clobber), or
 * appends it. A strategic merge patch would say this more simply, but fabric8's mock server, where
 * this is tested, does not accept one.
 */
final class NetworkCondition {
    static final String TYPE = "NetworkUnavailable";
    static final String REASON = "WeftIsUp";
    static final String MESSAGE = "Weft is running on this node";

    record Patch(PatchType type, String body) {}

    private NetworkCondition() {}

    /** The patch of {@code nodes/status} that sets the condition, or empty if it is set already. */
    static Optional<Patch> patchFor(GenericKubernetesResource node, Instant now) {
        List<?> conditions = node.get("status", "conditions") instanceof List<?> list ? list : List.of();
        int index = indexOf(conditions);
        Map<?, ?> current = index < 0 ? Map.of() : (Map<?, ?>) conditions.get(index);
        if ("False".equals(current.get("status")) && REASON.equals(current.get("reason"))) {
            return Optional.empty();
        }
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        // the transition time says when the status last flipped, not when we last wrote it
        String transition = "False".equals(current.get("status")) && current.get("lastTransitionTime") instanceof String since
                ? since : time;
        Map<String, String> condition = new LinkedHashMap<>();
        condition.put("type", TYPE);
        condition.put("status", "False");
        condition.put("reason", REASON);
        condition.put("message", MESSAGE);
        condition.put("lastTransitionTime", transition);
        condition.put("lastHeartbeatTime", time);
        if (conditions.isEmpty()) {
            // no list to index into yet: a merge patch creates it
            return Optional.of(new Patch(PatchType.JSON_MERGE,
                    NodeLeases.json(Map.of("status", Map.of("conditions", List.of(condition))))));
        }
        List<Map<String, Object>> operations = index < 0
                ? List.of(operation("add", "/status/conditions/-", condition))
                : List.of(operation("test", "/status/conditions/" + index + "/type", TYPE),
                        operation("replace", "/status/conditions/" + index, condition));
        return Optional.of(new Patch(PatchType.JSON, NodeLeases.json(operations)));
    }

    private static int indexOf(List<?> conditions) {
        for (int i = 0; i < conditions.size(); i++) {
            if (conditions.get(i) instanceof Map<?, ?> condition && TYPE.equals(condition.get("type"))) {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, Object> operation(String op, String path, Object value) {
        Map<String, Object> operation = new LinkedHashMap<>();
        operation.put("op", op);
        operation.put("path", path);
        operation.put("value", value);
        return operation;
    }
}
