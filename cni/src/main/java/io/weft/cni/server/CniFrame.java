package io.weft.cni.server;

import io.weft.cni.CniInvocation;
import io.weft.cni.CniResponse;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frame between the C forwarder ({@code cni/src/main/c/weft-forwarder.c}) and the agent: one
 * request and one response per connection. All integers are u32 in network byte order:
 * <pre>
 * request:  "WEFT" magic, version (1),
 *           program-name length + bytes (the name the forwarder ran under: weft, loopback),
 *           env count, then per entry: length + bytes ("CNI_NAME=value"),
 *           stdin length + bytes
 * response: exit code (0..255), stdout length + bytes
 * </pre>
 * The limits are the forwarder's: a larger field is a malformed frame, never a large allocation.
 */
final class CniFrame {
    static final int VERSION = 1;
    static final int MAX_PROGRAM_NAME = 255;
    static final int MAX_ENV_ENTRIES = 64;
    static final int MAX_ENV_ENTRY = 64 << 10;
    static final int MAX_STDIN = 1 << 20;
    static final int MAX_STDOUT = 4 << 20;
    private static final byte[] MAGIC = "WEFT".getBytes(StandardCharsets.US_ASCII);

    private CniFrame() {}

    static byte[] encodeRequest(CniInvocation invocation) {
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        try {
            out.write(MAGIC);
            out.writeInt(VERSION);
            writeField(out, invocation.programName().getBytes(StandardCharsets.UTF_8), MAX_PROGRAM_NAME, "program name");
            out.writeInt(invocation.environment().size());
            for (var entry : invocation.environment().entrySet()) {
                writeField(out, (entry.getKey() + "=" + entry.getValue()).getBytes(StandardCharsets.UTF_8),
                        MAX_ENV_ENTRY, "environment entry " + entry.getKey());
            }
            writeField(out, invocation.stdin(), MAX_STDIN, "stdin");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Reads one request; an incomplete, oversized or foreign frame is a {@link MalformedFrameException}. */
    static CniInvocation readRequest(InputStream stream) throws IOException {
        var in = new DataInputStream(stream);
        try {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw magic.length < MAGIC.length ? new EOFException() : new MalformedFrameException("no WEFT magic");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new MalformedFrameException("frame version " + Integer.toUnsignedString(version) + ", expected " + VERSION);
            }
            String program = text(readField(in, MAX_PROGRAM_NAME, "program name"));
            int count = in.readInt();
            if (Integer.compareUnsigned(count, MAX_ENV_ENTRIES) > 0) {
                throw new MalformedFrameException(Integer.toUnsignedString(count) + " environment entries, at most " + MAX_ENV_ENTRIES);
            }
            Map<String, String> environment = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String entry = text(readField(in, MAX_ENV_ENTRY, "environment entry"));
                int equals = entry.indexOf('=');
                if (equals <= 0) {
                    throw new MalformedFrameException("environment entry without NAME=: " + entry);
                }
                environment.putIfAbsent(entry.substring(0, equals), entry.substring(equals + 1)); // first wins, as getenv
            }
            byte[] stdin = readField(in, MAX_STDIN, "stdin");
            return new CniInvocation(environment, stdin, program);
        } catch (EOFException e) {
            throw new MalformedFrameException("truncated request frame");
        }
    }

    static byte[] encodeResponse(CniResponse response) {
        if (response.exitCode() < 0 || response.exitCode() > 255) {
            throw new IllegalArgumentException("exit code " + response.exitCode() + " is outside 0..255");
        }
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        try {
            out.writeInt(response.exitCode());
            writeField(out, response.stdout(), MAX_STDOUT, "stdout");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static CniResponse readResponse(InputStream stream) throws IOException {
        var in = new DataInputStream(stream);
        try {
            int exitCode = in.readInt();
            if (Integer.compareUnsigned(exitCode, 255) > 0) {
                throw new MalformedFrameException("exit code " + Integer.toUnsignedString(exitCode) + " is outside 0..255");
            }
            return new CniResponse(exitCode, readField(in, MAX_STDOUT, "stdout"));
        } catch (EOFException e) {
            throw new MalformedFrameException("truncated response frame");
        }
    }

    private static void writeField(DataOutputStream out, byte[] field, int max, String what) throws IOException {
        if (field.length > max) {
            throw new IllegalArgumentException(what + " of " + field.length + " bytes exceeds " + max);
        }
        out.writeInt(field.length);
        out.write(field);
    }

    private static byte[] readField(DataInputStream in, int max, String what) throws IOException {
        int length = in.readInt();
        if (Integer.compareUnsigned(length, max) > 0) {
            throw new MalformedFrameException(what + " of " + Integer.toUnsignedString(length) + " bytes exceeds " + max);
        }
        byte[] field = in.readNBytes(length);
        if (field.length < length) {
            throw new EOFException();
        }
        return field;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The peer sent something that is not a whole, well-formed frame within the limits. */
    static final class MalformedFrameException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedFrameException(String message) {
            super(message);
        }
    }
}
