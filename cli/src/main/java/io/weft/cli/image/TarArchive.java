package io.weft.cli.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * A POSIX tar stream (ustar, with a pax header for a name ustar cannot hold), written for images:
 * every entry owned by root, with one fixed modification time, so the same content always gives the
 * same bytes (and digests). Parent directories are written before their first entry when not given.
 * Paths are relative, without a leading {@code /}.
 */
public final class TarArchive implements AutoCloseable {
    private static final int BLOCK = 512;
    private static final byte REGULAR = '0';
    private static final byte SYMLINK = '2';
    private static final byte DIRECTORY = '5';
    private static final byte PAX = 'x';
    /** Every entry's modification time: the epoch, so that nothing of the build's clock gets in. */
    private static final long MTIME = 0;

    private final OutputStream out;
    private final Set<String> directories = new HashSet<>();

    public TarArchive(OutputStream out) {
        this.out = out;
    }

    /** A directory with {@code mode} (e.g. {@code 0755}, {@code 01777}). */
    public void directory(String path, int mode) throws IOException {
        String name = strip(path);
        if (name.isEmpty() || !directories.add(name)) {
            return;
        }
        parents(name);
        header(name + "/", mode, 0, DIRECTORY, "");
    }

    /** A regular file holding {@code content}. */
    public void file(String path, int mode, byte[] content) throws IOException {
        String name = strip(path);
        parents(name);
        header(name, mode, content.length, REGULAR, "");
        out.write(content);
        pad(content.length);
    }

    /** A regular file with the content of {@code source} (links followed). */
    public void file(String path, int mode, Path source) throws IOException {
        String name = strip(path);
        long size = Files.size(source);
        parents(name);
        header(name, mode, size, REGULAR, "");
        try (InputStream in = Files.newInputStream(source)) {
            long copied = in.transferTo(out);
            if (copied != size) {
                throw new IOException(source + " changed while it was archived: " + copied + " bytes, not " + size);
            }
        }
        pad(size);
    }

    /** A symbolic link to {@code target}. */
    public void symlink(String path, String target) throws IOException {
        String name = strip(path);
        parents(name);
        header(name, 0777, 0, SYMLINK, target);
    }

    /** The two zero blocks that end an archive; the stream stays open. */
    public void finish() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void parents(String name) throws IOException {
        int slash = name.lastIndexOf('/');
        if (slash > 0) {
            directory(name.substring(0, slash), 0755);
        }
    }

    private static String strip(String path) {
        String name = path;
        while (name.startsWith("/")) {
            name = name.substring(1);
        }
        while (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.contains("//") || name.equals("..") || name.startsWith("../") || name.contains("/../")) {
            throw new IllegalArgumentException("not a plain relative path: " + path);
        }
        return name;
    }

    /** A ustar header; a pax header first when the name or link target does not fit. */
    private void header(String name, int mode, long size, byte type, String linkTarget) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = linkTarget.getBytes(StandardCharsets.UTF_8);
        int split = prefixSplit(nameBytes);
        boolean fits = split >= 0 && linkBytes.length <= 100;
        if (!fits) {
            StringBuilder records = new StringBuilder();
            if (split < 0) {
                records.append(paxRecord("path", name));
            }
            if (linkBytes.length > 100) {
                records.append(paxRecord("linkpath", linkTarget));
            }
            byte[] pax = records.toString().getBytes(StandardCharsets.UTF_8);
            writeHeader("PaxHeader", "", 0644, pax.length, PAX, new byte[0]);
            out.write(pax);
            pad(pax.length);
        }
        String prefix = split > 0 ? new String(nameBytes, 0, split, StandardCharsets.UTF_8) : "";
        String rest = split > 0 ? new String(nameBytes, split + 1, nameBytes.length - split - 1, StandardCharsets.UTF_8)
                : split == 0 ? name : truncate(name);
        writeHeader(rest, prefix, mode, size, type, linkBytes.length <= 100 ? linkBytes : new byte[0]);
    }

    /**
     * Where ustar splits a long name into prefix (≤ 155 bytes) and name (≤ 100 bytes) at a slash:
     * 0 when the whole name fits the name field, -1 when no split fits.
     */
    private static int prefixSplit(byte[] name) {
        if (name.length <= 100) {
            return 0;
        }
        for (int i = Math.min(name.length - 1, 155); i > 0; i--) {
            if (name[i] == '/' && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
                return i;
            }
        }
        return -1;
    }

    private static String truncate(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 100 ? name : new String(bytes, bytes.length - 100, 100, StandardCharsets.US_ASCII);
    }

    /** {@code "<length> key=value\n"}, the length counting itself. */
    private static String paxRecord(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length++;
        }
        return length + " " + key + "=" + value + "\n";
    }

    private void writeHeader(String name, String prefix, int mode, long size, byte type, byte[] link) throws IOException {
        byte[] header = new byte[BLOCK];
        put(header, 0, 100, name.getBytes(StandardCharsets.UTF_8));
        octal(header, 100, 8, mode);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, size);
        octal(header, 136, 12, MTIME);
        header[156] = type;
        put(header, 157, 100, link);
        put(header, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(header, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        put(header, 265, 32, "root".getBytes(StandardCharsets.US_ASCII));
        put(header, 297, 32, "root".getBytes(StandardCharsets.US_ASCII));
        put(header, 345, 155, prefix.getBytes(StandardCharsets.UTF_8));
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long checksum = 0;
        for (byte b : header) {
            checksum += b & 0xff;
        }
        byte[] sum = String.format("%06o\0 ", checksum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(sum, 0, header, 148, 8);
        out.write(header);
    }

    private static void put(byte[] header, int offset, int length, byte[] value) {
        if (value.length > length) {
            throw new IllegalArgumentException("tar header field of " + length + " bytes cannot hold " + value.length);
        }
        System.arraycopy(value, 0, header, offset, value.length);
    }

    /** Zero-padded octal digits and a NUL, filling the field. */
    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        if (digits.length() > length - 1) {
            throw new IllegalArgumentException(value + " does not fit a tar header field of " + length + " bytes");
        }
        put(header, offset, length, ("0".repeat(length - 1 - digits.length()) + digits + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }
}
