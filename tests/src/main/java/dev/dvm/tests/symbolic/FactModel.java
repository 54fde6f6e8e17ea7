package dev.dvm.tests.symbolic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The property's own reading of a list of {@link FactSpec}s, independent of {@code Facts}: classes of
 * equal symbols, each with the intersection of its members' ranges ({@code [0, +inf)} when no member
 * declares one: symbols are sizes) and all their congruences. It decides satisfiability and draws
 * bindings that satisfy every fact, by search rather than by the Chinese remainder theorem that
 * {@code Facts} uses.
 */
final class FactModel {
    /** Constraints on one class of equal symbols. */
    static final class SymbolClass {
        final List<String> members = new ArrayList<>();
        long lo = Long.MIN_VALUE, hi = Long.MAX_VALUE;
        boolean ranged;
        final List<long[]> congruences = new ArrayList<>();

        /** Whether {@code v} meets this class's range and congruences. */
        boolean admits(long v) {
            if (v < lo || v > hi) {
                return false;
            }
            for (long[] c : congruences) {
                if (Math.floorMod(v - c[1], c[0]) != 0) {
                    return false;
                }
            }
            return true;
        }

        /** The period of the congruences (their divisors' product bounds the search). */
        long period() {
            long p = 1;
            for (long[] c : congruences) {
                p = Math.multiplyExact(p, c[0]);
            }
            return p;
        }

        /** The admitted value nearest {@code target} (clamped into the range), or null when none is. */
        Long nearest(long target) {
            long t = Math.max(lo, Math.min(hi, target));
            long p = period();
            for (long k = 0; k <= p; k++) {
                if (t <= hi - k && admits(t + k)) {
                    return t + k;
                }
                if (t >= lo + k && admits(t - k)) {
                    return t - k;
                }
            }
            return null;
        }
    }

    /** Representative (first member seen) to its class, in symbol order. */
    final Map<String, SymbolClass> classes = new LinkedHashMap<>();
    private final Map<String, String> classOf = new TreeMap<>();

    FactModel(List<String> symbols, List<FactSpec> facts) {
        Map<String, String> parent = new TreeMap<>();
        symbols.forEach(s -> parent.put(s, s));
        for (FactSpec f : facts) {
            if (f instanceof FactSpec.Equal e) {
                String ra = find(parent, e.a()), rb = find(parent, e.b());
                parent.put(ra, rb);
            }
        }
        for (String s : parent.keySet()) {
            String rep = find(parent, s);
            classOf.put(s, rep);
            classes.computeIfAbsent(rep, k -> new SymbolClass()).members.add(s);
        }
        for (FactSpec f : facts) {
            switch (f) {
                case FactSpec.Range r -> {
                    SymbolClass c = classOf(r.name());
                    c.ranged = true;
                    c.lo = Math.max(c.lo, r.lo());
                    c.hi = Math.min(c.hi, r.hi());
                }
                case FactSpec.Divisible d -> classOf(d.name()).congruences.add(new long[] {d.divisor(), d.remainder()});
                case FactSpec.Equal e -> { }
            }
        }
        for (SymbolClass c : classes.values()) {
            if (!c.ranged) {
                c.lo = 0;
            }
        }
    }

    private static String find(Map<String, String> parent, String s) {
        while (!parent.get(s).equals(s)) {
            s = parent.get(s);
        }
        return s;
    }

    SymbolClass classOf(String symbol) {
        return classes.get(classOf.get(symbol));
    }

    /** Whether some binding meets every fact. */
    boolean satisfiable() {
        for (SymbolClass c : classes.values()) {
            if (c.lo > c.hi || c.nearest(c.lo == Long.MIN_VALUE ? 0 : c.lo) == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * A binding of every symbol meeting every fact: mostly small values, sometimes 0, 1, a range
     * end, negative values (clamped into the range) or large ones that make some evaluations overflow.
     */
    Map<String, Long> binding(SplittableRandom r) {
        Map<String, Long> out = new TreeMap<>();
        for (SymbolClass c : classes.values()) {
            long target = switch (r.nextInt(20)) {
                case 0, 1 -> r.nextInt(2);
                case 2, 3, 4, 5, 6, 7 -> r.nextInt(13);
                case 8, 9 -> c.lo == Long.MIN_VALUE ? -r.nextInt(40) : c.lo + r.nextInt(8);
                case 10 -> c.hi == Long.MAX_VALUE ? r.nextInt(100) : c.hi - r.nextInt(4);
                case 11, 12 -> -1 - r.nextInt(12);
                case 13, 14, 15 -> r.nextLong(13, 1001);
                case 16, 17 -> r.nextLong(1_000, 1_000_000);
                case 18 -> r.nextBoolean() ? 1L << 31 : r.nextLong(1L << 20, 1L << 40);
                default -> -r.nextLong(1, 100_000);
            };
            Long v = c.nearest(target);
            if (v == null) {
                throw new IllegalStateException("class " + c.members + " has no admitted value: the facts are unsatisfiable");
            }
            for (String m : c.members) {
                out.put(m, v);
            }
        }
        return out;
    }
}
