package io.weft.cni.ipam;

/** Every address the subnet may hand out is reserved; the message names the subnet, the range and the count. */
public final class AddressesExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AddressesExhaustedException(String message) {
        super(message);
    }
}
