package io.weft.agent.lease.kube;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.weft.cni.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mock API server's dispatcher, with lists of nodes served in pages as the real API server
 * serves them: at most {@code limit} nodes, in name order, and a {@code metadata.continue} token while
 * more follow. fabric8's CRUD mock ignores {@code limit} and {@code continue} and answers every list
 * with all nodes, so a test of a store that pages would pass or fail for the mock's sake, not the
 * store's. Unlike the real server's, the pages are not of one snapshot: the tests do not change
 * nodes while listing them.
 */
final class NodeListPagesAsTheApiServer extends Dispatcher {
    private static final Pattern LIMIT = Pattern.compile("[?&]limit=(\\d+)");
    private static final Pattern CONTINUE = Pattern.compile("[?&]continue=(\\d+)");
    private static final ObjectMapper JSON = Json.mapper();

    private final Dispatcher crud;

    NodeListPagesAsTheApiServer(Dispatcher crud) {
        this.crud = crud;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        Matcher limit = LIMIT.matcher(path);
        if (!request.getMethod().equals("GET") || !path.startsWith("/api/v1/nodes?") || path.contains("watch=true") || !limit.find()) {
            return crud.dispatch(request);
        }
        MockResponse all = crud.dispatch(request);
        if (all.code() != 200) {
            return all;
        }
        Matcher from = CONTINUE.matcher(path);
        return all.setBody(page(all.getBody().readUtf8(), from.find() ? Integer.parseInt(from.group(1)) : 0,
                Integer.parseInt(limit.group(1))));
    }

    private static String page(String list, int from, int limit) {
        ObjectNode page = (ObjectNode) JSON.readTree(list);
        List<JsonNode> nodes = new ArrayList<>();
        page.withArray("items").forEach(nodes::add);
        nodes.sort(Comparator.comparing(node -> node.path("metadata").path("name").asString()));
        int to = Math.min(nodes.size(), from + limit);
        ArrayNode items = page.putArray("items");
        nodes.subList(Math.min(from, to), to).forEach(items::add);
        if (to < nodes.size()) {
            page.withObject("metadata").put("continue", Integer.toString(to));
        }
        return JSON.writeValueAsString(page);
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
