package dev.dvm.tests.reference;

/** The reference evaluator's verdict that an op does not fit its operands' shapes or dtypes. */
public class ReferenceException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ReferenceException(String message) {
        super(message);
    }
}
