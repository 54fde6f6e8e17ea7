package dev.dvm.symbolic;

/** A three-valued answer of the {@link Prover}: UNKNOWN is honest, TRUE and FALSE are never wrong. */
public enum Truth {
    TRUE, FALSE, UNKNOWN;

    /** The answer for the negated question. */
    public Truth not() {
        return this == TRUE ? FALSE : this == FALSE ? TRUE : UNKNOWN;
    }

    /** Three-valued conjunction. */
    public Truth and(Truth o) {
        return this == FALSE || o == FALSE ? FALSE : this == TRUE && o == TRUE ? TRUE : UNKNOWN;
    }

    /** Three-valued disjunction. */
    public Truth or(Truth o) {
        return this == TRUE || o == TRUE ? TRUE : this == FALSE && o == FALSE ? FALSE : UNKNOWN;
    }

    /** {@code TRUE} or {@code FALSE} from a boolean. */
    public static Truth of(boolean b) {
        return b ? TRUE : FALSE;
    }

    /** Whether this is {@link #TRUE}. */
    public boolean isTrue() {
        return this == TRUE;
    }

    /** Whether this is {@link #FALSE}. */
    public boolean isFalse() {
        return this == FALSE;
    }
}
