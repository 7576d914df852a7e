package io.weft.lab.measure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Columns padded to their widest cell, two spaces apart, each line indented. Widths count chars, which
 * is right for what the report prints (ASCII, ✓ ✗ · → µ ×: one column each in a terminal).
 */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] rightAligned;

    /** @param rightAligned which columns are numbers, aligned on the right */
    TextTable(String[] headers, boolean... rightAligned) {
        this.rightAligned = Arrays.copyOf(rightAligned, headers.length);
        rows.add(headers);
    }

    TextTable row(String... cells) {
        if (cells.length != rightAligned.length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + rightAligned.length + " columns");
        }
        rows.add(cells);
        return this;
    }

    void render(StringBuilder out, String indent) {
        int[] widths = new int[rightAligned.length];
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int column = 0; column < row.length; column++) {
                if (column > 0) {
                    line.append("  ");
                }
                String padding = " ".repeat(widths[column] - row[column].length());
                line.append(rightAligned[column] ? padding + row[column] : row[column] + padding);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
