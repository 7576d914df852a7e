package io.weft.cni.ipam;

import java.net.InetAddress;

/** An address held by an attachment, as one reservation file in the network's directory records it. */
public record Reservation(InetAddress address, Attachment attachment) {
}
