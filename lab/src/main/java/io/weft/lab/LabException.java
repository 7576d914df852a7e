package io.weft.lab;

/** A lab could not be brought up, or a lab command cannot do what it was asked; the message says why, for a user. */
public final class LabException extends Exception {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
