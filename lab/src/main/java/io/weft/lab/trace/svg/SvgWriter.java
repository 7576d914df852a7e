package io.weft.lab.trace.svg;

import java.util.Locale;

/** Appends SVG elements as text, escaping every attribute value and text node. */
final class SvgWriter {
    private final StringBuilder out = new StringBuilder();
    private int depth;

    /** {@code <tag name="value"…>}; {@code attributes} are name, value pairs, a null value leaves the attribute out. */
    SvgWriter open(String tag, Object... attributes) {
        indent().append('<').append(tag);
        attributes(attributes);
        out.append(">\n");
        depth++;
        return this;
    }

    SvgWriter close(String tag) {
        depth--;
        indent().append("</").append(tag).append(">\n");
        return this;
    }

    SvgWriter empty(String tag, Object... attributes) {
        indent().append('<').append(tag);
        attributes(attributes);
        out.append("/>\n");
        return this;
    }

    /** {@code <tag …>text</tag>}. */
    SvgWriter element(String tag, String text, Object... attributes) {
        indent().append('<').append(tag);
        attributes(attributes);
        out.append('>').append(escape(text)).append("</").append(tag).append(">\n");
        return this;
    }

    private void attributes(Object... attributes) {
        if (attributes.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name, value pairs");
        }
        for (int i = 0; i < attributes.length; i += 2) {
            Object value = attributes[i + 1];
            if (value != null) {
                out.append(' ').append(attributes[i]).append("=\"").append(escape(format(value))).append('"');
            }
        }
    }

    private static String format(Object value) {
        return value instanceof Double d ? String.format(Locale.ROOT, "%.1f", d) : value.toString();
    }

    private StringBuilder indent() {
        return out.append("  ".repeat(depth));
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        escaped.append(' '); // not allowed in XML 1.0 at all
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
