package dev.dvm.symbolic;

import java.util.List;

/**
 * A factor of a monomial that is not itself a polynomial: a symbol, an integer division or
 * remainder, or a min/max. Atoms are immutable, their children canonical, and totally ordered so
 * that monomials and sums have one sorted form.
 */
sealed interface Atom extends Comparable<Atom> {

    /** Position of the atom's kind in the canonical order. */
    int rank();

    /** A user symbol; names are identifiers, so the prover's slack names ({@code $…}) never clash. */
    record Symbol(String name) implements Atom {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int compareTo(Atom o) {
            return o instanceof Symbol s ? name.compareTo(s.name) : Integer.compare(rank(), o.rank());
        }
    }

    /** The three ways of dividing integers; all round toward negative infinity except {@link #CEIL}. */
    enum DivKind {
        /** {@code floor(n / d)}. */
        FLOOR,
        /** {@code ceil(n / d)}. */
        CEIL,
        /** {@code n - d * floor(n / d)}: takes the divisor's sign, like Python's {@code %}. */
        MOD
    }

    /** {@code floor(n / d)}, {@code ceil(n / d)} or {@code n % d}. */
    record Div(DivKind kind, SymInt numerator, SymInt divisor) implements Atom {
        @Override
        public int rank() {
            return 1 + kind.ordinal();
        }

        @Override
        public int compareTo(Atom o) {
            if (!(o instanceof Div d) || d.kind != kind) {
                return Integer.compare(rank(), o.rank());
            }
            int c = divisor.compareTo(d.divisor);
            return c != 0 ? c : numerator.compareTo(d.numerator);
        }
    }

    /** {@code min(args)} or {@code max(args)}: at least two distinct arguments, sorted. */
    record Extremum(boolean max, List<SymInt> args) implements Atom {
        @Override
        public int rank() {
            return max ? 5 : 4;
        }

        @Override
        public int compareTo(Atom o) {
            if (!(o instanceof Extremum e) || e.max != max) {
                return Integer.compare(rank(), o.rank());
            }
            int n = Math.min(args.size(), e.args.size());
            for (int i = 0; i < n; i++) {
                int c = args.get(i).compareTo(e.args.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(args.size(), e.args.size());
        }
    }
}
