package io.weft.agent;

/**
 * The agent's configuration cannot work: a flag's value is wrong, or names something the node does not
 * have. The message starts with the flag, e.g. {@code --subnet-len: 31 is longer than …}, so a user knows what to fix;
 * it is thrown before the agent changes anything.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public ConfigException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The flag at fault, e.g. {@code --iface}. */
    public String field() {
        return field;
    }
}
