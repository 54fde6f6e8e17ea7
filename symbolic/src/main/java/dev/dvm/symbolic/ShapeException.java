package dev.dvm.symbolic;

/**
 * A shape rule's inputs are incompatible (proved so, or found so by a failing {@link Guard}); the
 * message names the op, the shapes, the axis and how to fix it.
 */
public class ShapeException extends IllegalArgumentException {
    /** An exception with the given message. */
    public ShapeException(String message) {
        super(message);
    }
}
