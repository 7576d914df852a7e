package io.weft.cni.ipam;

import java.util.regex.Pattern;

/**
 * The pod interface an address is reserved for: the runtime's container id and {@code CNI_IFNAME}, the
 * pair the CNI spec names an attachment by (ADD, DEL and GC's {@code cni.dev/valid-attachments}).
 */
public record Attachment(String containerId, String ifName) {
    /** The CNI spec's rule for container ids; it also keeps them free of the reservation file's CRLF separator. */
    private static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    public Attachment {
        if (containerId == null || containerId.isEmpty()) {
            throw new IllegalArgumentException("container id is empty");
        }
        if (!CONTAINER_ID.matcher(containerId).matches()) {
            throw new IllegalArgumentException("container id \"" + containerId
                    + "\" is not letters, digits, '_', '.' and '-' starting with a letter or digit");
        }
        if (ifName == null || ifName.isEmpty()) {
            throw new IllegalArgumentException("interface name of container " + containerId + " is empty");
        }
        if (ifName.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("interface name \"" + ifName + "\" of container " + containerId
                    + " contains whitespace or control characters");
        }
    }

    @Override
    public String toString() {
        return containerId + "/" + ifName;
    }
}
