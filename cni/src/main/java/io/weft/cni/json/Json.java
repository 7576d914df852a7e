package io.weft.cni.json;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper all of Weft reads and writes with. Jackson 3 (the one fabric8 is built on, so the agent loads a
 * single Jackson) configured with Jackson 2's defaults, which Weft's files and protocols were written to: '/' not
 * escaped in strings, properties in declared order, trailing tokens after a value ignored unless a reader asks
 * otherwise, nulls accepted for primitives, and Jackson 2's limits on input (nesting depth 1000, strings of 20 M
 * characters; Jackson 3 has 500 and 100 M). Mappers are immutable in Jackson 3, so the one instance is shared.
 */
public final class Json {
    private static final int MAX_NESTING_DEPTH = 1000;
    private static final int MAX_STRING_LENGTH = 20_000_000;
    private static final JsonMapper MAPPER = builder().build();

    private Json() {
    }

    /** The shared mapper. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** A builder starting from the shared mapper's settings, for a reader or writer that needs one more rule. */
    public static JsonMapper.Builder builder() {
        JsonFactory factory = JsonFactory.builderWithJackson2Defaults()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH).maxStringLength(MAX_STRING_LENGTH).build())
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .build();
        return JsonMapper.builder(factory).configureForJackson2();
    }
}
