package dev.dvm.tests.symbolic;

import dev.dvm.symbolic.Facts;

/** One declared fact of a {@link SymbolicCase}, kept as data so cases can be printed and shrunk. */
public sealed interface FactSpec {

    /** Declares this fact on {@code builder}. */
    void declare(Facts.Builder builder);

    /** {@code lo <= name <= hi}; {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} mean unbounded. */
    record Range(String name, long lo, long hi) implements FactSpec {
        @Override
        public void declare(Facts.Builder builder) {
            builder.range(name, lo, hi);
        }

        @Override
        public String toString() {
            return (lo == Long.MIN_VALUE ? "-inf" : Long.toString(lo)) + " <= " + name + " <= " + (hi == Long.MAX_VALUE ? "+inf" : Long.toString(hi));
        }
    }

    /** {@code name % divisor == floorMod(remainder, divisor)}, {@code divisor > 0}. */
    record Divisible(String name, long divisor, long remainder) implements FactSpec {
        @Override
        public void declare(Facts.Builder builder) {
            builder.divisible(name, divisor, remainder);
        }

        @Override
        public String toString() {
            return name + " % " + divisor + " == " + remainder;
        }
    }

    /** {@code a == b}. */
    record Equal(String a, String b) implements FactSpec {
        @Override
        public void declare(Facts.Builder builder) {
            builder.equal(a, b);
        }

        @Override
        public String toString() {
            return a + " == " + b;
        }
    }
}
