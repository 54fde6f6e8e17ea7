package dev.dvm.symbolic;

import java.util.Objects;

/**
 * A comparison of two symbolic integers that a shape rule could not decide statically, such as
 * {@code s == t}: cheap to check at run time, since {@link #holds} only evaluates both sides.
 *
 * @param lhs the left side
 * @param relation how the sides compare
 * @param rhs the right side
 */
public record Condition(SymInt lhs, Relation relation, SymInt rhs) {
    /** Rejects null parts, so that a condition always evaluates. */
    public Condition {
        Objects.requireNonNull(lhs, "condition: lhs is null");
        Objects.requireNonNull(relation, "condition: relation is null");
        Objects.requireNonNull(rhs, "condition: rhs is null");
    }

    /**
     * Whether the comparison holds under {@code bindings}.
     *
     * @throws IllegalArgumentException when a symbol has no value
     * @throws ArithmeticException when a side divides by zero or overflows
     */
    public boolean holds(Bindings bindings) {
        return relation.test(lhs.evaluate(bindings), rhs.evaluate(bindings));
    }

    /** For example {@code s == t}. */
    @Override
    public String toString() {
        return lhs + " " + relation + " " + rhs;
    }
}
