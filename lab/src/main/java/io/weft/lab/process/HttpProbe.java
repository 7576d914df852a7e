package io.weft.lab.process;

import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP/1.0 GET to a port on a lab namespace's own loopback (an agent's {@code /readyz}, etcd's
 * {@code /health}): the socket is opened on a thread that entered the namespace, so each node's
 * {@code 127.0.0.1:9472} is its own agent's.
 */
public final class HttpProbe {
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] ([0-9]{3})[^\\r\\n]*\\r?\\n");
    private static final int TIMEOUT_MILLIS = 2_000;

    private HttpProbe() {}

    /** The status and body of the answer. */
    public record Answer(int status, String body) {}

    /** The answer, or empty when nothing listens or nothing sensible came back in time. */
    public static Optional<Answer> get(String netns, String host, int port, String path) {
        if (!NetNamespace.exists(netns)) {
            return Optional.empty();
        }
        try (NetNamespace namespace = NetNamespace.open(netns)) {
            return namespace.call(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
                    socket.setSoTimeout(TIMEOUT_MILLIS);
                    OutputStream out = socket.getOutputStream();
                    out.write(("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    InputStream in = socket.getInputStream();
                    return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException notListening) { // not up yet, or gone: callers look at the process
                    return Optional.<Answer>empty();
                }
            });
        }
    }

    static Optional<Answer> parse(String response) {
        Matcher status = STATUS.matcher(response);
        if (!status.lookingAt()) {
            return Optional.empty();
        }
        int bodyStart = response.indexOf("\r\n\r\n");
        return Optional.of(new Answer(Integer.parseInt(status.group(1)), bodyStart < 0 ? "" : response.substring(bodyStart + 4).strip()));
    }
}
