package io.weft.agent;

import io.weft.cni.CniResponse;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** One request on an agent's CNI socket, framed as the C forwarder frames it (see the cni module's CniFrame). */
public final class CniSocketClient {
    private CniSocketClient() {}

    public static CniResponse call(Path socket, Map<String, String> environment, String stdin) throws IOException {
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.write("WEFT".getBytes(StandardCharsets.US_ASCII));
        out.writeInt(1);
        field(out, "weft");
        out.writeInt(environment.size());
        for (var entry : environment.entrySet()) {
            field(out, entry.getKey() + "=" + entry.getValue());
        }
        field(out, stdin);
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap(bytes.toByteArray()));
            channel.shutdownOutput();
            var in = new DataInputStream(Channels.newInputStream(channel));
            int exitCode = in.readInt();
            byte[] stdout = in.readNBytes(in.readInt());
            return new CniResponse(exitCode, stdout);
        }
    }

    private static void field(DataOutputStream out, String text) throws IOException {
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(value.length);
        out.write(value);
    }
}
