package dev.dvm.core;

/**
 * A bad input to dvm4j: a shape or dtype that does not fit an op, a wrong binding, a closed
 * tensor. The message names the op, the shapes involved and what would fix it.
 */
public class DvmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a message naming the op, the shapes and the fix. */
    public DvmException(String message) {
        super(message);
    }

    /** The same, keeping the lower-level cause. */
    public DvmException(String message, Throwable cause) {
        super(message, cause);
    }
}
