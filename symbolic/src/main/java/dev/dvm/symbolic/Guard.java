package dev.dvm.symbolic;

import java.util.List;
import java.util.Objects;

/**
 * A run-time check a shape rule attaches to its result when the {@link Prover} could not decide a
 * fact the rule needs: the result is valid for the bindings under which any of the conditions holds.
 *
 * @param anyOf the alternatives, at least one; the guard holds when one of them does
 * @param reason which op, shapes and axis needed the fact, for error messages and dumps
 */
public record Guard(List<Condition> anyOf, String reason) {
    /** Copies the conditions and rejects an empty disjunction, which could never hold. */
    public Guard {
        anyOf = List.copyOf(Objects.requireNonNull(anyOf, "guard: anyOf is null"));
        Objects.requireNonNull(reason, "guard: reason is null");
        if (anyOf.isEmpty()) {
            throw new IllegalArgumentException("guard (" + reason + ") has no condition; give at least one");
        }
    }

    /**
     * Whether any condition holds under {@code bindings}.
     *
     * @throws IllegalArgumentException when a symbol has no value
     * @throws ArithmeticException when a condition divides by zero or overflows
     */
    public boolean holds(Bindings bindings) {
        for (Condition c : anyOf) {
            if (c.holds(bindings)) {
                return true;
            }
        }
        return false;
    }

    /** For example {@code s == t || t == 1 (broadcast of [s, 4] and [t, 4], axis 0)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Condition c : anyOf) {
            sb.append(sb.isEmpty() ? "" : " || ").append(c);
        }
        return sb.append(" (").append(reason).append(')').toString();
    }
}
