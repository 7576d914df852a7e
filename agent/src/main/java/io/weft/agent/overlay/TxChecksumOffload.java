package io.weft.agent.overlay;

/**
 * What the reconciler keeps TX checksum offload of {@code weft.1} at. Kernels before the netfilter fix
 * ea64d8d6c675 (5.7; stable 5.6.13, 5.4.41, 4.19.123, 4.14.181) miscompute the UDP checksum of a VXLAN
 * packet that was NATed twice when the device offloads it, and the receiver drops the packet
 * (connections through Services stall about 63 s). Software checksums cost CPU on a fixed kernel.
 */
public enum TxChecksumOffload {
    /** Off on a kernel with the bug (by its version number); left as it is on any other. */
    AUTO,
    /** On, the kernel's default for a VXLAN device: turned back on if found off. */
    ON,
    /** Always off. */
    OFF
}
