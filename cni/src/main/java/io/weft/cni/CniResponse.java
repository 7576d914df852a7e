package io.weft.cni;

import java.nio.charset.StandardCharsets;

/** What the plugin prints on stdout (a result, the VERSION object, an error object, or nothing) and its exit code. */
public record CniResponse(int exitCode, byte[] stdout) {
    public CniResponse {
        stdout = stdout.clone();
    }

    public static CniResponse success(String stdout) {
        return new CniResponse(0, stdout.getBytes(StandardCharsets.UTF_8));
    }

    public static CniResponse silentSuccess() {
        return new CniResponse(0, new byte[0]);
    }

    @Override
    public byte[] stdout() {
        return stdout.clone();
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }
}
