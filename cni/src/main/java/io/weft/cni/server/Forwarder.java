package io.weft.cni.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The static C forwarder ({@code cni/src/main/c/weft-forwarder.c}) as the build left it in this jar,
 * one binary per architecture. Absent when the build had no C compiler: {@code weft install} then
 * installs the Java launcher in its place.
 */
public final class Forwarder {
    private Forwarder() {}

    /** The classpath resource for this JVM's architecture ({@code os.arch}: amd64, aarch64). */
    public static String resourceName() {
        return "io/weft/cni/native/weft-forwarder-" + System.getProperty("os.arch");
    }

    /** The forwarder's bytes, or empty when this build has none for this architecture. */
    public static Optional<byte[]> forThisArchitecture() throws IOException {
        try (InputStream in = Forwarder.class.getClassLoader().getResourceAsStream(resourceName())) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        }
    }
}
