package io.weft.cni.json;

import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper all of Weft reads and writes with. Jackson 3 (the one fabric8 is built on, so the agent loads a
 * single Jackson) configured with Jackson 2's defaults, which Weft's files and protocols were written to: '/' not
 * escaped in strings, properties in declared order, trailing tokens after a value ignored unless a reader asks
 * otherwise, nulls accepted for primitives. Mappers are immutable in Jackson 3, so the one instance is shared.
 */
public final class Json {
    private static final JsonMapper MAPPER = builder().build();

    private Json() {
    }

    /** The shared mapper. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** A builder starting from the shared mapper's settings, for a reader or writer that needs one more rule. */
    public static JsonMapper.Builder builder() {
        return JsonMapper.builderWithJackson2Defaults();
    }
}
