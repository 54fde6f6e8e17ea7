package dev.dvm.symbolic;

import dev.dvm.symbolic.Atom.Div;
import dev.dvm.symbolic.Atom.DivKind;
import dev.dvm.symbolic.Atom.Extremum;
import dev.dvm.symbolic.Atom.Symbol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An immutable symbolic integer in canonical form: a constant plus a sum of distinct monomials with
 * non-zero coefficients, each monomial a sorted product of atoms (symbols, {@code floor}, {@code ceil},
 * {@code %}, {@code min}, {@code max}). Every operation returns the canonical form, so two expressions
 * that differ only by the order of operands, by associativity, by distributing products over sums,
 * or by constants that fold are {@link #equals equal} and hash equal.
 *
 * <p>Integer division is explicit about rounding: {@link #floorDiv} rounds toward negative infinity,
 * {@link #ceilDiv} toward positive infinity and {@link #mod} takes the divisor's sign ({@code a -
 * b * floor(a / b)}). With a constant divisor these are normalised further: {@code floor((128 * k + s)
 * / 128)} becomes {@code k + floor(s / 128)}, nested divisions merge, and common factors cancel.
 *
 * <p>Coefficients are {@code long}s; an operation whose canonical coefficients would overflow throws
 * {@link ArithmeticException}. {@link #evaluate} is overflow-checked too.
 *
 * <pre>{@code
 * SymInt s = SymInt.symbol("s");
 * SymInt padded = s.ceilDiv(128).times(128);        // ceil(s / 128) * 128
 * long v = padded.evaluate(Bindings.of("s", 300));  // 384
 * }</pre>
 */
public final class SymInt implements Comparable<SymInt> {
    /** The constant 0. */
    public static final SymInt ZERO = new SymInt(0, new Monomial[0], new long[0]);
    /** The constant 1. */
    public static final SymInt ONE = new SymInt(1, ZERO.monomials, ZERO.coeffs);

    final long constant;
    /** Sorted, distinct; parallel to {@link #coeffs}, whose entries are never 0. */
    final Monomial[] monomials;
    final long[] coeffs;
    private final int hash;

    private SymInt(long constant, Monomial[] monomials, long[] coeffs) {
        this.constant = constant;
        this.monomials = monomials;
        this.coeffs = coeffs;
        this.hash = (Long.hashCode(constant) * 31 + Arrays.hashCode(monomials)) * 31 + Arrays.hashCode(coeffs);
    }

    /** The constant {@code value}. */
    public static SymInt of(long value) {
        return value == 0 ? ZERO : value == 1 ? ONE : new SymInt(value, ZERO.monomials, ZERO.coeffs);
    }

    /**
     * The symbol {@code name}: an identifier ({@code [A-Za-z_][A-Za-z0-9_]*}, not {@code floor},
     * {@code ceil}, {@code min} or {@code max}). Symbols with the same name are the same symbol.
     */
    public static SymInt symbol(String name) {
        if (!Parser.isIdentifier(name)) {
            throw new IllegalArgumentException("symbol name '" + name + "' is not an identifier: use letters, digits and _, "
                    + "start with a letter or _, and avoid the function names floor, ceil, min and max");
        }
        return atom(new Symbol(name));
    }

    /** Parses the syntax {@link #toString} prints; see {@link Parser} for the grammar. */
    public static SymInt parse(String text) {
        return new Parser(text).parse();
    }

    static SymInt atom(Atom atom) {
        return atomProduct(Monomial.of(atom));
    }

    static SymInt atomProduct(Monomial m) {
        return new SymInt(0, new Monomial[] {m}, new long[] {1});
    }

    /** Whether this is a constant. */
    public boolean isConstant() {
        return monomials.length == 0;
    }

    /** The value of a constant. */
    public long constantValue() {
        if (!isConstant()) {
            throw new IllegalStateException(this + " is not a constant; check isConstant() or evaluate it under bindings");
        }
        return constant;
    }

    /** The names of every symbol this expression mentions, sorted. */
    public Set<String> symbols() {
        Set<String> out = new TreeSet<>();
        collectSymbols(out);
        return out;
    }

    private void collectSymbols(Set<String> out) {
        for (Monomial m : monomials) {
            for (Atom a : m.atoms) {
                switch (a) {
                    case Symbol s -> out.add(s.name());
                    case Div d -> {
                        d.numerator().collectSymbols(out);
                        d.divisor().collectSymbols(out);
                    }
                    case Extremum e -> e.args().forEach(x -> x.collectSymbols(out));
                }
            }
        }
    }

    // ---------------------------------------------------------------- ring operations

    /** {@code this + o}. */
    public SymInt plus(SymInt o) {
        if (o.isConstant()) {
            return plus(o.constant);
        }
        if (isConstant()) {
            return o.plus(constant);
        }
        Monomial[] m = new Monomial[monomials.length + o.monomials.length];
        long[] c = new long[m.length];
        int i = 0, j = 0, n = 0;
        while (i < monomials.length || j < o.monomials.length) {
            int cmp = i == monomials.length ? 1 : j == o.monomials.length ? -1 : monomials[i].compareTo(o.monomials[j]);
            if (cmp < 0) {
                m[n] = monomials[i];
                c[n++] = coeffs[i++];
            } else if (cmp > 0) {
                m[n] = o.monomials[j];
                c[n++] = o.coeffs[j++];
            } else {
                long sum = Math.addExact(coeffs[i], o.coeffs[j]);
                if (sum != 0) {
                    m[n] = monomials[i];
                    c[n++] = sum;
                }
                i++;
                j++;
            }
        }
        return make(Math.addExact(constant, o.constant), Arrays.copyOf(m, n), Arrays.copyOf(c, n));
    }

    /** {@code this + value}. */
    public SymInt plus(long value) {
        return value == 0 ? this : make(Math.addExact(constant, value), monomials, coeffs);
    }

    /** {@code this - o}. */
    public SymInt minus(SymInt o) {
        return plus(o.negate());
    }

    /** {@code this - value}. */
    public SymInt minus(long value) {
        return plus(Math.negateExact(value));
    }

    /** {@code -this}. */
    public SymInt negate() {
        return times(-1);
    }

    /** {@code this * value}. */
    public SymInt times(long value) {
        if (value == 0) {
            return ZERO;
        }
        if (value == 1) {
            return this;
        }
        long[] c = new long[coeffs.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.multiplyExact(coeffs[i], value);
        }
        return make(Math.multiplyExact(constant, value), monomials, c);
    }

    /** {@code this * o}, distributed into a sum of monomials. */
    public SymInt times(SymInt o) {
        if (o.isConstant()) {
            return times(o.constant);
        }
        if (isConstant()) {
            return o.times(constant);
        }
        TreeMap<Monomial, Long> acc = new TreeMap<>();
        for (int i = 0; i < monomials.length; i++) {
            for (int j = 0; j < o.monomials.length; j++) {
                acc.merge(monomials[i].times(o.monomials[j]), Math.multiplyExact(coeffs[i], o.coeffs[j]), Math::addExact);
            }
            if (o.constant != 0) {
                acc.merge(monomials[i], Math.multiplyExact(coeffs[i], o.constant), Math::addExact);
            }
        }
        if (constant != 0) {
            for (int j = 0; j < o.monomials.length; j++) {
                acc.merge(o.monomials[j], Math.multiplyExact(constant, o.coeffs[j]), Math::addExact);
            }
        }
        return fromTerms(Math.multiplyExact(constant, o.constant), acc);
    }

    /** {@code this} raised to {@code exponent >= 0}. */
    public SymInt pow(int exponent) {
        if (exponent < 0) {
            throw new IllegalArgumentException("pow: exponent " + exponent + " is negative; integer powers must be >= 0");
        }
        SymInt r = ONE;
        for (int i = 0; i < exponent; i++) {
            r = r.times(this);
        }
        return r;
    }

    // ---------------------------------------------------------------- divisions

    /** {@code floor(this / divisor)}. */
    public SymInt floorDiv(SymInt divisor) {
        return divide(DivKind.FLOOR, divisor);
    }

    /** {@code floor(this / divisor)}. */
    public SymInt floorDiv(long divisor) {
        return divide(DivKind.FLOOR, divisor);
    }

    /** {@code ceil(this / divisor)}. */
    public SymInt ceilDiv(SymInt divisor) {
        return divide(DivKind.CEIL, divisor);
    }

    /** {@code ceil(this / divisor)}. */
    public SymInt ceilDiv(long divisor) {
        return divide(DivKind.CEIL, divisor);
    }

    /** {@code this % divisor}, with the divisor's sign: {@code this - divisor * floor(this / divisor)}. */
    public SymInt mod(SymInt divisor) {
        return divide(DivKind.MOD, divisor);
    }

    /** {@code this % divisor}, with the divisor's sign. */
    public SymInt mod(long divisor) {
        return divide(DivKind.MOD, divisor);
    }

    SymInt divide(DivKind kind, SymInt divisor) {
        if (divisor.isConstant()) {
            return divide(kind, divisor.constant);
        }
        // A symbolic divisor may be 0 under some binding; keeping the atom keeps that error for evaluation.
        return atom(new Div(kind, this, divisor));
    }

    SymInt divide(DivKind kind, long c) {
        if (c == 0) {
            throw new ArithmeticException("division by zero: " + Printer.div(kind, this, ZERO));
        }
        if (isConstant()) {
            return of(Arith.apply(kind, constant, c));
        }
        if (c < 0) {
            // floor(a / -c) = floor(-a / c); ceil likewise; a % -c = -((-a) % c).
            SymInt r = negate().divide(kind, Math.negateExact(c));
            return kind == DivKind.MOD ? r.negate() : r;
        }
        if (c == 1) {
            return kind == DivKind.MOD ? ZERO : this;
        }
        // this = c * q + r with every coefficient of r in [0, c): divide q out exactly.
        TreeMap<Monomial, Long> q = new TreeMap<>();
        TreeMap<Monomial, Long> r = new TreeMap<>();
        long g = c;
        for (int i = 0; i < monomials.length; i++) {
            long qi = Math.floorDiv(coeffs[i], c);
            long ri = Math.floorMod(coeffs[i], c);
            if (qi != 0) {
                q.put(monomials[i], qi);
            }
            if (ri != 0) {
                r.put(monomials[i], ri);
                g = Arith.gcd(g, ri);
            }
        }
        long rc = Math.floorMod(constant, c);
        g = Arith.gcd(g, rc);
        SymInt quotient = fromTerms(Math.floorDiv(constant, c), q);
        if (r.isEmpty()) {
            return kind == DivKind.MOD ? of(rc) : quotient.plus(kind == DivKind.CEIL && rc != 0 ? 1 : 0);
        }
        // Common factors cancel: floor(g * r' / (g * c')) = floor(r' / c'), and g * r' % g * c' = g * (r' % c').
        long common = g;
        r.replaceAll((m, v) -> v / common);
        SymInt rest = fromTerms(rc / g, r);
        long cc = c / g;
        SymInt divided = nested(kind, rest, cc);
        return kind == DivKind.MOD ? divided.times(g) : quotient.plus(divided);
    }

    /**
     * {@code kind(rest, c)} for a remainder with coefficients in {@code [0, c)}, merging a division
     * of a division: {@code floor((floor(e / c2) + r) / c) = floor((e + r * c2) / (c2 * c))} (and
     * likewise for ceil), and {@code (e % c2) % c} is {@code e % c} when {@code c} divides {@code c2},
     * or {@code e % c2} when {@code c2} divides {@code c}.
     */
    private static SymInt nested(DivKind kind, SymInt rest, long c) {
        if (rest.monomials.length == 1 && rest.coeffs[0] == 1 && rest.monomials[0].linearAtom() instanceof Div inner
                && inner.kind() == kind && inner.divisor().isConstant()) {
            long c2 = inner.divisor().constant;
            try {
                if (kind != DivKind.MOD) {
                    return inner.numerator().plus(Math.multiplyExact(rest.constant, c2)).divide(kind, Math.multiplyExact(c2, c));
                } else if (rest.constant == 0 && c2 % c == 0) {
                    return inner.numerator().divide(kind, c);
                } else if (rest.constant == 0 && c % c2 == 0) {
                    return rest;
                }
            } catch (ArithmeticException overflow) {
                // Keep the nested form: merging would overflow the divisor.
            }
        }
        return atom(new Div(kind, rest, of(c)));
    }

    /**
     * {@code q} with {@code this == divisor * q} as polynomials, when {@code divisor} is one term
     * (a constant or a monomial times a constant) dividing every term of this; otherwise null.
     * Callers must know {@code divisor != 0}: {@code floor(this / divisor)} equals {@code q} only then.
     */
    SymInt exactQuotient(SymInt divisor) {
        boolean monomial = divisor.constant == 0 && divisor.monomials.length == 1;
        if (!monomial && !(divisor.isConstant() && divisor.constant != 0)) {
            return null;
        }
        long c = monomial ? divisor.coeffs[0] : divisor.constant;
        if (constant % c != 0 || (monomial && constant != 0)) {
            return null;
        }
        try {
            TreeMap<Monomial, Long> q = new TreeMap<>();
            long qc = monomial ? 0 : Math.divideExact(constant, c);
            for (int i = 0; i < monomials.length; i++) {
                Monomial m = monomial ? monomials[i].dividedBy(divisor.monomials[0]) : monomials[i];
                if (m == null || coeffs[i] % c != 0) {
                    return null;
                }
                if (m.atoms.length == 0) {
                    qc = Math.addExact(qc, Math.divideExact(coeffs[i], c)); // the term was the divisor's monomial itself
                } else {
                    q.merge(m, Math.divideExact(coeffs[i], c), Math::addExact);
                }
            }
            return fromTerms(qc, q);
        } catch (ArithmeticException overflow) {
            return null; // Long.MIN_VALUE / -1
        }
    }

    // ---------------------------------------------------------------- min and max

    /** {@code min(a, b)}. */
    public static SymInt min(SymInt a, SymInt b) {
        return extremum(false, List.of(a, b));
    }

    /** {@code max(a, b)}. */
    public static SymInt max(SymInt a, SymInt b) {
        return extremum(true, List.of(a, b));
    }

    /** The least of one or more expressions. */
    public static SymInt min(Collection<SymInt> args) {
        return extremum(false, args);
    }

    /** The greatest of one or more expressions. */
    public static SymInt max(Collection<SymInt> args) {
        return extremum(true, args);
    }

    /**
     * Flattens nested min (or max), folds the constants into one, drops duplicates and every
     * argument another one beats by a constant ({@code min(s, s + 3)} is {@code s}), and sorts.
     */
    static SymInt extremum(boolean max, Collection<SymInt> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException((max ? "max" : "min") + " needs at least one argument");
        }
        TreeSet<SymInt> flat = new TreeSet<>();
        for (SymInt a : args) {
            if (a.monomials.length == 1 && a.constant == 0 && a.coeffs[0] == 1
                    && a.monomials[0].linearAtom() instanceof Extremum e && e.max() == max) {
                flat.addAll(e.args());
            } else {
                flat.add(a);
            }
        }
        List<SymInt> kept = new ArrayList<>();
        outer:
        for (SymInt a : flat) {
            for (SymInt b : flat) {
                if (a != b) {
                    SymInt d = a.minus(b);
                    // a loses to b when a - b is a constant on the wrong side (ties keep the smaller in order).
                    if (d.isConstant() && (max ? d.constant < 0 : d.constant > 0)) {
                        continue outer;
                    }
                }
            }
            kept.add(a);
        }
        return kept.size() == 1 ? kept.get(0) : atom(new Extremum(max, List.copyOf(kept)));
    }

    // ---------------------------------------------------------------- evaluation and rewriting

    /**
     * The value under {@code bindings}, computed exactly.
     *
     * @throws IllegalArgumentException when a symbol has no value
     * @throws ArithmeticException on division by zero or when a value leaves the {@code long} range
     */
    public long evaluate(Bindings bindings) {
        try {
            return evaluateUnchecked(bindings);
        } catch (Arith.DivisionByZero e) {
            throw new ArithmeticException(e.getMessage() + " in " + this + " at " + bindings);
        } catch (ArithmeticException e) {
            throw new ArithmeticException("overflow: " + this + " at " + bindings + " leaves the long range");
        }
    }

    long evaluateUnchecked(Bindings bindings) {
        long v = constant;
        for (int i = 0; i < monomials.length; i++) {
            long t = coeffs[i];
            Monomial m = monomials[i];
            for (int k = 0; k < m.atoms.length; k++) {
                long x = evaluate(m.atoms[k], bindings);
                for (int p = 0; p < m.powers[k]; p++) {
                    t = Math.multiplyExact(t, x);
                }
            }
            v = Math.addExact(v, t);
        }
        return v;
    }

    private static long evaluate(Atom atom, Bindings bindings) {
        return switch (atom) {
            case Symbol s -> bindings.value(s.name());
            case Div d -> {
                long n = d.numerator().evaluateUnchecked(bindings);
                long den = d.divisor().evaluateUnchecked(bindings);
                if (den == 0) {
                    throw new Arith.DivisionByZero("division by zero: the divisor " + d.divisor() + " is 0");
                }
                yield Arith.apply(d.kind(), n, den);
            }
            case Extremum e -> {
                long best = e.args().get(0).evaluateUnchecked(bindings);
                for (int i = 1; i < e.args().size(); i++) {
                    long x = e.args().get(i).evaluateUnchecked(bindings);
                    best = e.max() ? Math.max(best, x) : Math.min(best, x);
                }
                yield best;
            }
        };
    }

    /** This expression with symbols replaced by the given expressions (others stay). */
    public SymInt substitute(Map<String, SymInt> values) {
        return rewrite(a -> a instanceof Symbol s ? values.get(s.name()) : null);
    }

    /**
     * Rebuilds the expression through the canonical operations, replacing each atom for which
     * {@code leaf} returns non-null (atoms it leaves are rebuilt from rewritten children).
     */
    SymInt rewrite(Function<Atom, SymInt> leaf) {
        SymInt out = null; // built only once some atom changes: an unchanged expression is returned as is
        for (int i = 0; i < monomials.length; i++) {
            Monomial m = monomials[i];
            SymInt term = null;
            for (int k = 0; k < m.atoms.length; k++) {
                SymInt r = rewrite(m.atoms[k], leaf);
                if (r != null && term == null) {
                    term = of(coeffs[i]);
                    for (int j = 0; j < k; j++) {
                        term = term.times(atom(m.atoms[j]).pow(m.powers[j]));
                    }
                }
                if (term != null) {
                    term = term.times((r != null ? r : atom(m.atoms[k])).pow(m.powers[k]));
                }
            }
            if (term != null && out == null) {
                out = of(constant);
                for (int j = 0; j < i; j++) {
                    out = out.plus(atomProduct(monomials[j]).times(coeffs[j]));
                }
            }
            if (out != null) {
                out = out.plus(term != null ? term : atomProduct(m).times(coeffs[i]));
            }
        }
        return out != null ? out : this;
    }

    /** The rewritten atom, or null when neither it nor any child changes. */
    private static SymInt rewrite(Atom atom, Function<Atom, SymInt> leaf) {
        SymInt replaced = leaf.apply(atom);
        if (replaced != null) {
            return replaced;
        }
        return switch (atom) {
            case Symbol s -> null;
            case Div d -> {
                SymInt n = d.numerator().rewrite(leaf), q = d.divisor().rewrite(leaf);
                yield n == d.numerator() && q == d.divisor() ? null : n.divide(d.kind(), q);
            }
            case Extremum e -> {
                List<SymInt> args = new ArrayList<>(e.args().size());
                boolean changed = false;
                for (SymInt a : e.args()) {
                    SymInt r = a.rewrite(leaf);
                    changed |= r != a;
                    args.add(r);
                }
                yield changed ? extremum(e.max(), args) : null;
            }
        };
    }

    // ---------------------------------------------------------------- construction helpers

    private static SymInt make(long constant, Monomial[] m, long[] c) {
        return m.length == 0 ? of(constant) : new SymInt(constant, m, c);
    }

    static SymInt fromTerms(long constant, TreeMap<Monomial, Long> terms) {
        terms.values().removeIf(v -> v == 0);
        Monomial[] m = terms.keySet().toArray(new Monomial[0]);
        long[] c = new long[m.length];
        int i = 0;
        for (long v : terms.values()) {
            c[i++] = v;
        }
        return make(constant, m, c);
    }

    // ---------------------------------------------------------------- identity

    /** Structural equality of canonical forms: equal expressions are equal for every binding. */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof SymInt s && hash == s.hash && constant == s.constant
                && Arrays.equals(coeffs, s.coeffs) && Arrays.equals(monomials, s.monomials);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** A total order on canonical forms (by structure, not by value). */
    @Override
    public int compareTo(SymInt o) {
        if (this == o) {
            return 0;
        }
        int c = Integer.compare(monomials.length, o.monomials.length);
        for (int i = 0; c == 0 && i < monomials.length; i++) {
            c = monomials[i].compareTo(o.monomials[i]);
            if (c == 0) {
                c = Long.compare(coeffs[i], o.coeffs[i]);
            }
        }
        return c != 0 ? c : Long.compare(constant, o.constant);
    }

    /** Readable form, for example {@code ceil(s / 128) * 128}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return Printer.print(this);
    }
}
