package dev.dvm.symbolic;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is known about symbols before any value is: ranges, divisibility ({@code n = 8k + r}) and
 * equality between symbols (several inputs sharing one sequence length), in the spirit of
 * MindSpore's {@code Symbol(max, min, divisor, remainder)}. Immutable; build with {@link #builder()}.
 *
 * <p>Every symbol is a size or a count: unless a range is declared, its range is {@code [0, +inf)}.
 * Equal symbols share the intersection of their facts. Contradicting facts fail at {@link
 * Builder#build()}, naming the symbol and the facts.
 *
 * <pre>{@code
 * Facts facts = Facts.builder()
 *         .range("s", 1, 8192).multipleOf("s", 8)
 *         .equal("s", "kv_len")
 *         .build();
 * }</pre>
 */
public final class Facts {
    /** What is known about one class of equal symbols: {@code min <= x <= max}, {@code x % divisor == remainder}. */
    record Fact(long min, long max, long divisor, long remainder) {
        static final Fact DEFAULT = new Fact(0, Arith.POS_INF, 1, 0);

        String describe(String name) {
            String range = min == Arith.NEG_INF && max == Arith.POS_INF ? ""
                    : min == Arith.NEG_INF ? name + " <= " + max
                    : max == Arith.POS_INF ? name + " >= " + min
                    : min + " <= " + name + " <= " + max;
            String mod = divisor == 1 ? "" : name + " % " + divisor + " == " + remainder;
            return range.isEmpty() ? (mod.isEmpty() ? "none" : mod) : mod.isEmpty() ? range : range + " and " + mod;
        }
    }

    private static final Facts NONE = new Facts(Map.of(), Map.of(), Map.of());
    /** Declared symbol to the representative of its class of equal symbols (the least name). */
    private final Map<String, String> representative;
    /** Representative to its class's combined fact. */
    private final Map<String, Fact> facts;
    /** Representative to the members of its class, sorted. */
    private final Map<String, List<String>> members;

    private Facts(Map<String, String> representative, Map<String, Fact> facts, Map<String, List<String>> members) {
        this.representative = representative;
        this.facts = facts;
        this.members = members;
    }

    /** No facts: every symbol ranges over {@code [0, +inf)}. */
    public static Facts none() {
        return NONE;
    }

    /** A builder of facts. */
    public static Builder builder() {
        return new Builder();
    }

    /** The least name among the symbols declared equal to {@code name} (itself when none is). */
    public String representative(String name) {
        return representative.getOrDefault(name, name);
    }

    /** Whether any two symbols are declared equal. */
    boolean hasEqualities() {
        for (List<String> m : members.values()) {
            if (m.size() > 1) {
                return true;
            }
        }
        return false;
    }

    Fact fact(String name) {
        return facts.getOrDefault(representative(name), Fact.DEFAULT);
    }

    /** The least value {@code name} may take ({@link Long#MIN_VALUE} when unbounded). */
    public long min(String name) {
        return fact(name).min();
    }

    /** The greatest value {@code name} may take ({@link Long#MAX_VALUE} when unbounded). */
    public long max(String name) {
        return fact(name).max();
    }

    /** The declared divisor of {@code name} (1 when none is). */
    public long divisor(String name) {
        return fact(name).divisor();
    }

    /** The remainder of {@code name} modulo its {@link #divisor}. */
    public long remainder(String name) {
        return fact(name).remainder();
    }

    /**
     * Bindings from {@code values}, checked against these facts; a symbol declared equal to a bound
     * one gets its value.
     *
     * @throws IllegalArgumentException naming the symbol and the fact when a value violates one
     */
    public Bindings bind(Map<String, Long> values) {
        TreeMap<String, Long> all = new TreeMap<>(values);
        for (Map.Entry<String, List<String>> e : members.entrySet()) {
            String bound = null;
            for (String m : e.getValue()) {
                Long v = values.get(m);
                if (v != null) {
                    if (bound != null && !v.equals(values.get(bound))) {
                        throw new IllegalArgumentException(bound + " = " + values.get(bound) + " and " + m + " = " + v
                                + " violate the declared fact " + bound + " == " + m + "; bind them to one value");
                    }
                    bound = m;
                }
            }
            if (bound != null) {
                for (String m : e.getValue()) {
                    all.put(m, values.get(bound));
                }
            }
        }
        Bindings b = Bindings.of(all);
        check(b);
        return b;
    }

    /** {@link #bind(Map)} of the values in {@code bindings}. */
    public Bindings bind(Bindings bindings) {
        return bind(bindings.toMap());
    }

    /**
     * Checks every bound value against the facts.
     *
     * @throws IllegalArgumentException naming the symbol, its value and the violated fact
     */
    public void check(Bindings bindings) {
        Map<String, String> firstOfClass = new HashMap<>();
        for (String name : bindings.names()) {
            long v = bindings.value(name);
            Fact f = fact(name);
            boolean declared = facts.containsKey(representative(name));
            if (v < f.min() || v > f.max() || Math.floorMod(v - f.remainder(), f.divisor()) != 0) {
                throw new IllegalArgumentException(name + " = " + v + " violates the " + (declared ? "declared fact " : "default fact ")
                        + f.describe(name) + (declared ? "" : " (symbols are sizes; declare a range to allow negative values)"));
            }
            String first = firstOfClass.putIfAbsent(representative(name), name);
            if (first != null && bindings.value(first) != v) {
                throw new IllegalArgumentException(first + " = " + bindings.value(first) + " and " + name + " = " + v
                        + " violate the declared fact " + first + " == " + name + "; bind them to one value");
            }
        }
    }

    /** Every class of symbols with its facts, for example {@code s == u: 1 <= s <= 8192 and s % 8 == 0}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<String>> e : new TreeMap<>(members).entrySet()) {
            sb.append(sb.isEmpty() ? "" : "; ").append(String.join(" == ", e.getValue())).append(": ")
                    .append(facts.get(e.getKey()).describe(e.getKey()));
        }
        return sb.isEmpty() ? "no facts" : sb.toString();
    }

    /** Collects facts; {@link #build()} combines them and rejects contradictions. */
    public static final class Builder {
        private final Map<String, String> parent = new HashMap<>();
        private final Map<String, long[]> ranges = new HashMap<>();
        private final Map<String, List<long[]>> congruences = new HashMap<>();

        private Builder() {}

        /** {@code min <= name <= max}; {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} mean unbounded. */
        public Builder range(String name, long min, long max) {
            declare(name);
            if (min > max) {
                throw new IllegalArgumentException("range of " + name + " is empty: min " + min + " > max " + max);
            }
            ranges.merge(name, new long[] {min, max}, (a, b) -> new long[] {Math.max(a[0], b[0]), Math.min(a[1], b[1])});
            return this;
        }

        /** {@code name % divisor == remainder}, that is {@code name = divisor * k + remainder}. */
        public Builder divisible(String name, long divisor, long remainder) {
            declare(name);
            if (divisor <= 0) {
                throw new IllegalArgumentException("divisor of " + name + " must be positive, got " + divisor);
            }
            congruences.computeIfAbsent(name, k -> new ArrayList<>()).add(new long[] {divisor, Math.floorMod(remainder, divisor)});
            return this;
        }

        /** {@code name % divisor == 0}. */
        public Builder multipleOf(String name, long divisor) {
            return divisible(name, divisor, 0);
        }

        /** {@code a == b}: the two symbols always take the same value. */
        public Builder equal(String a, String b) {
            declare(a);
            declare(b);
            String ra = find(a), rb = find(b);
            if (!ra.equals(rb)) {
                parent.put(ra.compareTo(rb) < 0 ? rb : ra, ra.compareTo(rb) < 0 ? ra : rb);
            }
            return this;
        }

        /**
         * Combines the facts of each class of equal symbols.
         *
         * @throws IllegalArgumentException when the facts of a class contradict each other
         */
        public Facts build() {
            Map<String, String> rep = new HashMap<>();
            Map<String, List<String>> members = new HashMap<>();
            for (String name : parent.keySet()) {
                String r = find(name);
                rep.put(name, r);
                members.computeIfAbsent(r, k -> new ArrayList<>()).add(name);
            }
            Map<String, Fact> facts = new HashMap<>();
            for (Map.Entry<String, List<String>> e : members.entrySet()) {
                e.getValue().sort(null);
                facts.put(e.getKey(), combine(e.getKey(), e.getValue()));
            }
            members.replaceAll((k, v) -> List.copyOf(v));
            return new Facts(Map.copyOf(rep), Map.copyOf(facts), Map.copyOf(members));
        }

        private Fact combine(String rep, List<String> names) {
            long min = Arith.NEG_INF, max = Arith.POS_INF;
            boolean ranged = false;
            long divisor = 1, remainder = 0;
            String described = String.join(" == ", names);
            for (String n : names) {
                long[] r = ranges.get(n);
                if (r != null) {
                    ranged = true;
                    min = Math.max(min, r[0]);
                    max = Math.min(max, r[1]);
                }
                for (long[] c : congruences.getOrDefault(n, List.of())) {
                    long[] merged = crt(divisor, remainder, c[0], c[1]);
                    if (merged == null) {
                        throw new IllegalArgumentException("contradicting facts for " + described + ": " + rep + " % " + divisor + " == "
                                + remainder + " and " + rep + " % " + c[0] + " == " + c[1] + " have no common value");
                    }
                    divisor = merged[0];
                    remainder = merged[1];
                }
            }
            if (!ranged) {
                min = 0;
            }
            if (min > max) {
                throw new IllegalArgumentException("contradicting facts for " + described + ": the ranges do not overlap");
            }
            // Tighten the bounds to values that meet the divisibility fact.
            long lo = min == Arith.NEG_INF ? min : min + Arith.modDistance(remainder, min, divisor);
            long hi = max == Arith.POS_INF ? max : max - Arith.modDistance(max, remainder, divisor);
            Fact f = new Fact(lo, hi, divisor, remainder);
            if (lo > hi || (lo < min && min != Arith.NEG_INF) || (hi > max && max != Arith.POS_INF)) {
                throw new IllegalArgumentException("contradicting facts for " + described + ": no value satisfies "
                        + new Fact(min, max, divisor, remainder).describe(rep));
            }
            return f;
        }

        /** The combined congruence {@code x % d == r} of two, or null when they have no common solution. */
        private static long[] crt(long d1, long r1, long d2, long r2) {
            BigInteger D1 = BigInteger.valueOf(d1), D2 = BigInteger.valueOf(d2);
            BigInteger g = D1.gcd(D2);
            BigInteger diff = BigInteger.valueOf(r2).subtract(BigInteger.valueOf(r1));
            if (diff.mod(g).signum() != 0) {
                return null;
            }
            BigInteger m1 = D1.divide(g), m2 = D2.divide(g);
            BigInteger lcm = m1.multiply(D2);
            if (lcm.bitLength() > 62) {
                throw new IllegalArgumentException("divisibility facts combine to a divisor beyond 2^62: " + lcm);
            }
            BigInteger t = m2.equals(BigInteger.ONE) ? BigInteger.ZERO : diff.divide(g).multiply(m1.modInverse(m2)).mod(m2);
            BigInteger x = BigInteger.valueOf(r1).add(D1.multiply(t)).mod(lcm);
            return new long[] {lcm.longValueExact(), x.longValueExact()};
        }

        private void declare(String name) {
            if (!Parser.isIdentifier(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a symbol name");
            }
            parent.putIfAbsent(name, name);
        }

        private String find(String name) {
            String p = parent.get(name);
            while (!p.equals(parent.get(p))) {
                p = parent.get(p);
            }
            return p;
        }
    }
}
