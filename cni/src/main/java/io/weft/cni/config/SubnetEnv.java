package io.weft.cni.config;

import io.weft.netlink.sys.AtomicFile;

import io.weft.netlink.IpPrefix;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code subnet.env}: what the agent tells the plugin about this node, as {@code KEY=VALUE} lines
 * (Flannel's format with Weft's names):
 * <pre>
 * WEFT_NETWORK=10.42.0.0/16
 * WEFT_SUBNET=10.42.1.1/24
 * WEFT_MTU=1450
 * WEFT_IPMASQ=true
 * </pre>
 *
 * @param network the whole cluster's pod network
 * @param subnet this node's pod subnet as gateway/prefix: the bridge's address
 * @param mtu the MTU pods get (the overlay's)
 * @param ipMasq whether the agent masquerades pod traffic that leaves the cluster network
 */
public record SubnetEnv(IpPrefix network, IpPrefix subnet, int mtu, boolean ipMasq) {
    private static final List<String> KEYS = List.of("WEFT_NETWORK", "WEFT_SUBNET", "WEFT_MTU", "WEFT_IPMASQ");

    public SubnetEnv {
        if (!subnet.isIpv4() || !network.isIpv4()) {
            throw new IllegalArgumentException("Weft's pod network is IPv4: WEFT_NETWORK=" + network + ", WEFT_SUBNET=" + subnet);
        }
        if (network.length() > subnet.length() || !network.contains(subnet.address())) {
            throw new IllegalArgumentException("WEFT_SUBNET=" + subnet + " is not inside WEFT_NETWORK=" + network);
        }
        if (subnet.length() > 30) {
            throw new IllegalArgumentException("WEFT_SUBNET=" + subnet + " is too small: pods need a /30 or larger");
        }
        if (subnet.address().equals(subnet.network().address())) {
            throw new IllegalArgumentException("WEFT_SUBNET=" + subnet + " names the network, not the gateway (e.g. "
                    + subnet.network().address().getHostAddress() + " -> the .1 address)");
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("WEFT_MTU=" + mtu + " is out of range 68..65535");
        }
    }

    /** The gateway pods route through: the bridge's address, without its prefix. */
    public InetAddress gateway() {
        return subnet.address();
    }

    /**
     * Reads the file. {@link java.nio.file.NoSuchFileException} when it is absent (the agent has not
     * written it yet); {@link IllegalArgumentException} naming the file, line and key when it is wrong.
     */
    public static SubnetEnv read(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": \"" + line + "\" is not KEY=VALUE");
            }
            values.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
        }
        for (String key : KEYS) {
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException(file + " is missing " + key);
            }
        }
        try {
            return new SubnetEnv(IpPrefix.parse(values.get("WEFT_NETWORK")), prefix(values.get("WEFT_SUBNET")),
                    number(values.get("WEFT_MTU")), bool(values.get("WEFT_IPMASQ")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the file atomically: readers see the old content or the new, never a part. Written to a
     * temporary file beside it, flushed to disk, renamed over it, and the directory flushed too, so a
     * crash leaves one whole file.
     */
    public void write(Path file) throws IOException {
        AtomicFile.replace(file, format().getBytes(StandardCharsets.UTF_8));
    }

    /** The file's content. */
    public String format() {
        return "WEFT_NETWORK=" + network.network() + "\nWEFT_SUBNET=" + subnet + "\nWEFT_MTU=" + mtu + "\nWEFT_IPMASQ=" + ipMasq + "\n";
    }

    private static IpPrefix prefix(String text) {
        if (!text.contains("/")) {
            throw new IllegalArgumentException("WEFT_SUBNET=" + text + " has no prefix length (e.g. 10.42.1.1/24)");
        }
        return IpPrefix.parse(text);
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("WEFT_MTU=" + text + " is not a number");
        }
    }

    private static boolean bool(String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("WEFT_IPMASQ=" + text + " is not true or false");
        };
    }
}
