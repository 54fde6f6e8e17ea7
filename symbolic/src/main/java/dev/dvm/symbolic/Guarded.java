package dev.dvm.symbolic;

import java.util.List;
import java.util.Objects;

/**
 * The result of a shape rule with the run-time checks it depends on: {@link #value} is right for
 * every binding under which all {@link #guards} hold. No guards means the {@link Prover} proved
 * everything the rule needed.
 *
 * @param value the rule's result
 * @param guards the checks, all of which must hold; empty when the result is unconditional
 * @param <T> the result type
 */
public record Guarded<T>(T value, List<Guard> guards) {
    /** Copies the guards (an already immutable list is kept as is, so the guard-free path does not allocate). */
    public Guarded {
        Objects.requireNonNull(value, "guarded: value is null");
        guards = List.copyOf(Objects.requireNonNull(guards, "guarded: guards is null"));
    }

    /** Whether the result needs no run-time check. */
    public boolean unconditional() {
        return guards.isEmpty();
    }

    /**
     * Whether every guard holds under {@code bindings}.
     *
     * @throws IllegalArgumentException when a symbol has no value
     * @throws ArithmeticException when a condition divides by zero or overflows
     */
    public boolean holds(Bindings bindings) {
        for (Guard g : guards) {
            if (!g.holds(bindings)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value, after checking every guard under {@code bindings}: the run-time half of a rule
     * whose facts the prover left open.
     *
     * @throws ShapeException naming the first failing guard and the bindings
     */
    public T check(Bindings bindings) {
        for (Guard g : guards) {
            if (!g.holds(bindings)) {
                throw new ShapeException("shape guard failed: " + g + " does not hold at " + bindings
                        + "; the inputs' concrete shapes are incompatible for this op");
            }
        }
        return value;
    }
}
