package io.weft.cni.ipam;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * One file named by an address, read as host-local writes it: {@code <containerId>\r\n<ifName>}, or only the
 * container id (a legacy file, from host-local before it recorded the interface), which stands for every
 * interface of that container. A file whose content names no attachment (host-local leaves empty ones after a
 * crash) has no owner: it still occupies its address, and only {@link IpAllocator#retainOnly} removes it.
 */
record ReservationFile(long address, Optional<Attachment> owner, boolean legacy) {
    /** The interface a legacy file is listed with: the pod interface name Kubernetes runtimes use. */
    static final String LEGACY_IF_NAME = "eth0";
    private static final String SEPARATOR = "\r\n";

    static ReservationFile parse(long address, byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8).strip();
        int separator = text.indexOf(SEPARATOR);
        try {
            return separator < 0
                    ? new ReservationFile(address, Optional.of(new Attachment(text, LEGACY_IF_NAME)), true)
                    : new ReservationFile(address, Optional.of(new Attachment(text.substring(0, separator),
                            text.substring(separator + SEPARATOR.length()))), false);
        } catch (IllegalArgumentException notAnAttachment) {
            return new ReservationFile(address, Optional.empty(), false);
        }
    }

    static byte[] content(Attachment owner) {
        return (owner.containerId() + SEPARATOR + owner.ifName()).getBytes(StandardCharsets.UTF_8);
    }

    boolean heldBy(Attachment attachment) {
        return owner.filter(o -> legacy ? o.containerId().equals(attachment.containerId()) : o.equals(attachment)).isPresent();
    }

    /** Whether GC keeps this file: its owner is valid (for a legacy file, any interface of its container is). */
    boolean keptBy(Set<Attachment> valid) {
        return valid.stream().anyMatch(this::heldBy);
    }

    Optional<Reservation> reservation() {
        return owner.map(o -> new Reservation(Ipv4Subnet.toAddress(address), o));
    }
}
