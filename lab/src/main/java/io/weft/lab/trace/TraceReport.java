package io.weft.lab.trace;

import io.weft.netlink.IpPrefix;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** A trace as text (numbered steps in columns, then the break) and as JSON ({@code --json}). */
public final class TraceReport {
    private TraceReport() {}

    public static String text(Trace trace) {
        StringBuilder text = new StringBuilder();
        text.append("weft trace ").append(trace.source().label()).append(" → ").append(trace.destination().label())
                .append(": ").append(trace.path().label()).append("\n\n");
        int where = trace.steps().stream().mapToInt(step -> step.where().length()).max().orElse(0);
        int hop = trace.steps().stream().mapToInt(step -> step.hop().label().length()).max().orElse(0);
        for (Step step : trace.steps()) {
            text.append(String.format("%3d. %-" + where + "s  %-" + hop + "s  %s%n", step.number(), step.where(), step.hop().label(),
                    step.summary()));
        }
        text.append('\n');
        if (trace.broken()) {
            text.append("THE BREAK, step ").append(trace.brokenAt().step()).append(": ").append(trace.brokenAt().why()).append('\n');
        } else if (trace.outOfView() != null) {
            text.append("Out of view after step ").append(trace.steps().size()).append(": ").append(trace.outOfView()).append('\n');
        } else {
            text.append("The path is complete: the packet reaches ").append(trace.destination().label()).append(" in ")
                    .append(trace.steps().size()).append(" steps.\n");
        }
        return text.toString();
    }

    public static ObjectNode json(Trace trace) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.set("source", endpoint(trace.source()));
        json.set("destination", endpoint(trace.destination()));
        json.put("path", trace.path().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        json.put("complete", !trace.broken() && trace.outOfView() == null);
        var steps = json.putArray("steps");
        for (Step step : trace.steps()) {
            ObjectNode each = steps.addObject().put("number", step.number()).put("hop", step.hop().label().replace(' ', '-'))
                    .put("where", step.where()).put("summary", step.summary());
            ObjectNode facts = each.putObject("facts");
            step.facts().forEach(facts::put);
            step.elements().forEach(each.putArray("elements")::add);
        }
        if (trace.broken()) {
            json.putObject("break").put("step", trace.brokenAt().step()).put("why", trace.brokenAt().why());
        } else {
            json.putNull("break");
        }
        if (trace.outOfView() != null) {
            json.put("outOfView", trace.outOfView());
        }
        return json;
    }

    private static ObjectNode endpoint(TraceEndpoint endpoint) {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("name", endpoint.name()).put("ip", IpPrefix.formatAddress(endpoint.ip()));
        if (endpoint.node() != null) {
            json.put("node", endpoint.node().name());
        }
        return json;
    }
}
