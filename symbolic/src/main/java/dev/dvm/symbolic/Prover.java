package dev.dvm.symbolic;

import static dev.dvm.symbolic.Arith.NEG_INF;
import static dev.dvm.symbolic.Arith.POS_INF;

import dev.dvm.symbolic.Atom.Div;
import dev.dvm.symbolic.Atom.DivKind;
import dev.dvm.symbolic.Atom.Extremum;
import dev.dvm.symbolic.Atom.Symbol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides facts about symbolic integers under {@link Facts}, answering {@link Truth#TRUE}, {@link
 * Truth#FALSE} or {@link Truth#UNKNOWN}. It never answers TRUE or FALSE wrongly for bindings that
 * satisfy the facts and under which the expressions evaluate without error; when it cannot decide
 * it says UNKNOWN.
 *
 * <p>How: both sides are rewritten to canonical form with equal symbols merged, and the question
 * becomes one about the sign, the bounds or the residues of a difference. Bounds come from interval
 * arithmetic through every operator, tightened three ways: by residues (what the expression is
 * modulo some number, from divisibility facts); by replacing each {@code floor}/{@code ceil}/{@code %}
 * with a constant divisor by its exact definition plus a bounded slack ({@code c * floor(e / c) = e -
 * r}, {@code 0 <= r < c}), so that terms cancel; and by splitting on which argument of a {@code min} or
 * {@code max} wins. Immutable and thread-safe.
 */
public final class Prover {
    /** At most this many min/max atoms are split per question (each split multiplies the work). */
    private static final int MAX_SPLITS = 4;
    /** Relaxation scales by the divisors' least common multiple; beyond this it gives up. */
    private static final long MAX_SCALE = 1L << 24;
    private static final Interval ALL = new Interval(NEG_INF, POS_INF);
    private static final Residue NOTHING = new Residue(1, 0);

    private final Facts facts;
    private final boolean mergeSymbols;

    /** A prover under {@code facts}. */
    public Prover(Facts facts) {
        this.facts = facts;
        this.mergeSymbols = facts.hasEqualities();
    }

    /** A prover that knows only that symbols are non-negative. */
    public static Prover withoutFacts() {
        return new Prover(Facts.none());
    }

    /** The facts this prover uses. */
    public Facts facts() {
        return facts;
    }

    // ---------------------------------------------------------------- questions

    /** {@code a == b}. */
    public Truth equal(SymInt a, SymInt b) {
        if (a.equals(b)) {
            return Truth.TRUE;
        }
        try {
            return isZero(canonical(a.minus(b)));
        } catch (ArithmeticException overflow) {
            return Truth.UNKNOWN; // the difference's coefficients leave the long range
        }
    }

    private Truth isZero(SymInt d) {
        if (d.isConstant()) {
            return Truth.of(d.constant == 0);
        }
        Analysis an = new Analysis();
        Residue r = an.residue(d);
        if (r.modulus != 0 && r.residue != 0) {
            return Truth.FALSE;
        }
        Interval i = an.bound(d, 0);
        if (i.lo > 0 || i.hi < 0) {
            return Truth.FALSE;
        }
        return i.lo == 0 && i.hi == 0 ? Truth.TRUE : Truth.UNKNOWN;
    }

    /** {@code a != b}. */
    public Truth notEqual(SymInt a, SymInt b) {
        return equal(a, b).not();
    }

    /** {@code a < b}. */
    public Truth less(SymInt a, SymInt b) {
        Interval i = difference(b, a);
        return i.lo >= 1 ? Truth.TRUE : i.hi <= 0 ? Truth.FALSE : Truth.UNKNOWN;
    }

    /** {@code a <= b}. */
    public Truth lessOrEqual(SymInt a, SymInt b) {
        Interval i = difference(b, a);
        return i.lo >= 0 ? Truth.TRUE : i.hi < 0 ? Truth.FALSE : Truth.UNKNOWN;
    }

    /** {@code a > b}. */
    public Truth greater(SymInt a, SymInt b) {
        return less(b, a);
    }

    /** {@code a >= b}. */
    public Truth greaterOrEqual(SymInt a, SymInt b) {
        return lessOrEqual(b, a);
    }

    /** {@code a % divisor == 0}. */
    public Truth divisible(SymInt a, long divisor) {
        if (divisor == 0) {
            throw new ArithmeticException("division by zero: " + a + " % 0 == 0 asks about a division by zero");
        }
        if (divisor == Long.MIN_VALUE) {
            return Truth.UNKNOWN; // |divisor| has no long
        }
        long d = Math.abs(divisor);
        if (d == 1) {
            return Truth.TRUE;
        }
        SymInt e;
        try {
            e = canonical(a);
        } catch (ArithmeticException undefined) {
            return Truth.UNKNOWN; // merging equal symbols made a divisor 0: no binding evaluates a
        }
        Analysis an = new Analysis();
        Residue r = an.residue(e);
        long g = Arith.gcd(r.modulus, d);
        if (Math.floorMod(r.residue, g) != 0) {
            return Truth.FALSE;
        }
        if (g == d) {
            return Truth.TRUE;
        }
        Interval i = an.bound(e, 0);
        if (i.lo != NEG_INF && i.hi != POS_INF && Arith.satFloorDiv(i.hi, d) < Arith.satCeilDiv(i.lo, d)) {
            return Truth.FALSE; // no multiple of d in [lo, hi]
        }
        return Truth.UNKNOWN;
    }

    /** {@code a % divisor == 0}, for bindings where {@code divisor != 0}. */
    public Truth divisible(SymInt a, SymInt divisor) {
        try {
            return divisibleCanonical(canonical(a), canonical(divisor));
        } catch (ArithmeticException undefined) {
            return Truth.UNKNOWN; // merging equal symbols made a divisor 0: no binding evaluates a
        }
    }

    private Truth divisibleCanonical(SymInt e, SymInt d) {
        if (d.isConstant()) {
            return d.constant == 0 ? Truth.UNKNOWN : divisible(e, d.constant);
        }
        if (e.exactQuotient(d) != null) {
            return Truth.TRUE; // a = d * q as polynomials
        }
        return equal(e.mod(d), SymInt.ZERO);
    }

    /**
     * Sound bounds of {@code e}: {@code min <= e <= max} for every binding that satisfies the facts,
     * {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} meaning unbounded. Returned as {@code {min, max}}.
     */
    public long[] bounds(SymInt e) {
        Interval i = interval(e);
        return new long[] {i.lo, i.hi};
    }

    private Interval interval(SymInt e) {
        try {
            SymInt c = canonical(e);
            return c.isConstant() ? Interval.point(c.constant) : new Analysis().bound(c, 0);
        } catch (ArithmeticException undefined) {
            return ALL; // a divisor became 0 when equal symbols merged: no binding evaluates e
        }
    }

    /** Bounds of {@code a - b}; unbounded when the difference itself overflows. */
    private Interval difference(SymInt a, SymInt b) {
        try {
            return interval(a.minus(b));
        } catch (ArithmeticException overflow) {
            return ALL;
        }
    }

    /**
     * {@code e} with equal symbols merged into their representative, and every {@code min}, {@code
     * max}, {@code floor}, {@code ceil} and {@code %} whose value the facts decide replaced by it
     * (for example {@code min(s, 4096)} is {@code s} when {@code s <= 4096} is known).
     */
    public SymInt simplify(SymInt e) {
        try {
            SymInt c = canonical(e);
            try {
                return c.rewrite(this::simplifyAtom);
            } catch (ArithmeticException overflow) {
                return c;
            }
        } catch (ArithmeticException undefined) {
            return e; // merging equal symbols made a divisor 0: keep the division so evaluation reports it
        }
    }

    private SymInt simplifyAtom(Atom atom) {
        return switch (atom) {
            case Symbol s -> null;
            case Div d -> {
                SymInt n = simplify(d.numerator()), q = simplify(d.divisor());
                if (q.isConstant() && q.constant == 0) {
                    yield null; // every binding divides by zero here; keep the division so evaluation says so
                }
                SymInt rebuilt = n.divide(d.kind(), q);
                SymInt quotient = d.kind() == DivKind.MOD ? null : n.exactQuotient(q);
                if (quotient != null && notEqual(q, SymInt.ZERO).isTrue()) {
                    yield quotient; // floor and ceil of an exact quotient are the quotient
                }
                if (q.isConstant() && q.constant > 0) {
                    Interval i = interval(n);
                    if (i.lo >= 0 && i.hi < q.constant) {
                        yield d.kind() == DivKind.MOD ? n : d.kind() == DivKind.FLOOR ? SymInt.ZERO : rebuilt;
                    }
                }
                yield rebuilt;
            }
            case Extremum x -> {
                List<SymInt> args = new ArrayList<>();
                for (SymInt a : x.args()) {
                    args.add(simplify(a));
                }
                for (SymInt a : args) {
                    boolean wins = true;
                    for (SymInt b : args) {
                        wins &= a == b || (x.max() ? greaterOrEqual(a, b) : lessOrEqual(a, b)).isTrue();
                    }
                    if (wins) {
                        yield a;
                    }
                }
                yield SymInt.extremum(x.max(), args);
            }
        };
    }

    /** {@code e} with every symbol replaced by the representative of its class of equal symbols. */
    SymInt canonical(SymInt e) {
        if (!mergeSymbols) {
            return e;
        }
        return e.rewrite(a -> a instanceof Symbol s && !facts.representative(s.name()).equals(s.name())
                ? SymInt.atom(new Symbol(facts.representative(s.name()))) : null);
    }

    // ---------------------------------------------------------------- analysis

    /** A closed interval; the extreme longs stand for the infinities. */
    record Interval(long lo, long hi) {
        static Interval point(long v) {
            return new Interval(v, v);
        }

        Interval intersect(Interval o) {
            long l = Math.max(lo, o.lo), h = Math.min(hi, o.hi);
            // An empty intersection means no binding reaches here; keep the wider sound answer.
            return l <= h ? new Interval(l, h) : this;
        }

        Interval plus(Interval o) {
            return new Interval(Arith.satAdd(lo, o.lo), Arith.satAdd(hi, o.hi));
        }

        Interval times(Interval o) {
            long a = Arith.satMul(lo, o.lo), b = Arith.satMul(lo, o.hi), c = Arith.satMul(hi, o.lo), d = Arith.satMul(hi, o.hi);
            return new Interval(Math.min(Math.min(a, b), Math.min(c, d)), Math.max(Math.max(a, b), Math.max(c, d)));
        }

        Interval pow(int p) {
            if (p % 2 == 0 && lo < 0 && hi > 0) {
                Interval m = new Interval(0, Math.max(Arith.satNeg(lo), hi));
                return m.powMonotone(p);
            }
            return powMonotone(p);
        }

        private Interval powMonotone(int p) {
            Interval r = point(1);
            for (int i = 0; i < p; i++) {
                r = r.times(this);
            }
            return r;
        }

        Interval hull(Interval o) {
            return new Interval(Math.min(lo, o.lo), Math.max(hi, o.hi));
        }
    }

    /** {@code x % modulus == residue} for every binding; modulus 0 means {@code x == residue}. */
    record Residue(long modulus, long residue) {
        static Residue of(long modulus, long residue) {
            return modulus == 0 ? new Residue(0, residue) : new Residue(modulus, Math.floorMod(residue, modulus));
        }

        Residue plus(Residue o) {
            try {
                long m = Arith.gcd(modulus, o.modulus);
                return m == 1 ? NOTHING : of(m, m == 0 ? Math.addExact(residue, o.residue) : Math.addExact(Math.floorMod(residue, m), Math.floorMod(o.residue, m)));
            } catch (ArithmeticException overflow) {
                return NOTHING;
            }
        }

        Residue times(Residue o) {
            try {
                // (r1 + m1 a)(r2 + m2 b) = r1 r2 + r1 m2 b + r2 m1 a + m1 m2 a b
                long m = Arith.gcd(Arith.gcd(Math.multiplyExact(modulus, o.modulus), Math.multiplyExact(modulus, o.residue)),
                        Math.multiplyExact(o.modulus, residue));
                return m == 1 ? NOTHING : of(m, Math.multiplyExact(m == 0 ? residue : Math.floorMod(residue, m), m == 0 ? o.residue : Math.floorMod(o.residue, m)));
            } catch (ArithmeticException overflow) {
                return NOTHING;
            }
        }
    }

    /** One question's working state: the slack variables introduced by relaxation. */
    private final class Analysis {
        private final Map<String, Interval> slack = new HashMap<>();

        Interval bound(SymInt e, int splits) {
            Interval best = tighten(naive(e), residue(e));
            if (best.lo == best.hi) {
                return best;
            }
            Extremum x = splits < MAX_SPLITS ? findExtremum(e) : null;
            try {
                if (x != null) {
                    return best.intersect(split(e, x, splits));
                }
                return hasPlainDivision(e, null) ? best.intersect(relax(e, splits)) : best;
            } catch (ArithmeticException overflow) {
                return best; // rewriting left the long range: the plain bounds stand
            }
        }

        /** Bounds by cases on which argument of {@code x} is taken; tighter where {@code x} is a plain term. */
        private Interval split(SymInt e, Extremum x, int splits) {
            long coefficient = linearCoefficient(e, x);
            Interval hull = null;
            long loMax = NEG_INF, hiMin = POS_INF;
            for (SymInt arg : x.args()) {
                Interval c = bound(e.rewrite(a -> a.equals(x) ? arg : null), splits + 1);
                hull = hull == null ? c : hull.hull(c);
                loMax = Math.max(loMax, c.lo);
                hiMin = Math.min(hiMin, c.hi);
            }
            if (coefficient == 0) {
                return hull;
            }
            // e = rest + k * min(args) is at most every case when k > 0 (at least, when k < 0); max reverses.
            boolean belowEveryCase = (coefficient > 0) != x.max();
            return belowEveryCase ? new Interval(hull.lo, hiMin) : new Interval(loMax, hull.hi);
        }

        /**
         * Writes each plain term {@code k * (n % c)} as {@code k * (n - c * floor(n / c))}, multiplies
         * by the divisors' least common multiple and replaces each plain term {@code k * floor(n / c)}
         * by {@code k * (n - r) / c} with slack {@code r} in {@code [0, c)} (exact when the residue of
         * {@code n} modulo {@code c} is known); {@code ceil} alike with {@code n + r}.
         */
        private Interval relax(SymInt e, int splits) {
            // Expanding (x % a) % b leaves x % a as a plain term: expand until none is left (each round unnests one).
            SymInt expanded = e;
            for (int round = 0; round < 8 && hasPlainDivision(expanded, DivKind.MOD); round++) {
                SymInt next = SymInt.of(expanded.constant);
                for (int i = 0; i < expanded.monomials.length; i++) {
                    boolean mod = plainDivision(expanded.monomials[i], DivKind.MOD) != null;
                    next = next.plus(mod ? modAsFloor((Div) expanded.monomials[i].linearAtom()).times(expanded.coeffs[i]) : monomial(expanded, i));
                }
                expanded = next;
            }
            long scale = 1;
            for (Monomial m : expanded.monomials) {
                if (floorOrCeil(m) instanceof Div d) {
                    scale = Arith.lcm(scale, d.divisor().constant);
                    if (scale < 0 || scale > MAX_SCALE) {
                        return ALL;
                    }
                }
            }
            SymInt scaled = SymInt.of(expanded.constant).times(scale);
            for (int i = 0; i < expanded.monomials.length; i++) {
                SymInt term;
                if (floorOrCeil(expanded.monomials[i]) instanceof Div d) {
                    long c = d.divisor().constant;
                    SymInt n = d.numerator();
                    Residue r = residue(n);
                    boolean known = r.modulus == 0 || r.modulus % c == 0;
                    // c * floor(n / c) = n - (n mod c); c * ceil(n / c) = n + (-n mod c).
                    term = d.kind() == DivKind.FLOOR ? n.minus(slack(known ? Math.floorMod(r.residue, c) : -1, c))
                            : n.plus(slack(known ? Math.floorMod(-r.residue, c) : -1, c));
                    term = term.times(Math.multiplyExact(expanded.coeffs[i], scale / c));
                } else {
                    term = monomial(expanded, i).times(scale);
                }
                scaled = scaled.plus(term);
            }
            Interval s = tighten(naive(scaled), residue(scaled));
            if (splits < MAX_SPLITS && hasPlainDivision(scaled, null)) {
                s = s.intersect(relax(scaled, splits + 1));
            }
            return new Interval(Arith.satCeilDiv(s.lo, scale), Arith.satFloorDiv(s.hi, scale));
        }

        /** A fresh slack variable in {@code [0, c)}, or the constant {@code exact} when that is >= 0. */
        private SymInt slack(long exact, long c) {
            if (exact >= 0) {
                return SymInt.of(exact);
            }
            String name = "$" + slack.size();
            slack.put(name, new Interval(0, c - 1));
            return SymInt.atom(new Symbol(name));
        }

        Interval naive(SymInt e) {
            Interval r = Interval.point(e.constant);
            for (int i = 0; i < e.monomials.length; i++) {
                Interval t = Interval.point(e.coeffs[i]);
                Monomial m = e.monomials[i];
                for (int k = 0; k < m.atoms.length; k++) {
                    t = t.times(atom(m.atoms[k]).pow(m.powers[k]));
                }
                r = r.plus(t);
            }
            return r;
        }

        private Interval atom(Atom atom) {
            return switch (atom) {
                case Symbol s -> {
                    Interval sl = slack.get(s.name());
                    if (sl != null) {
                        yield sl;
                    }
                    Facts.Fact f = facts.fact(s.name());
                    yield new Interval(f.min(), f.max());
                }
                case Div d -> division(d);
                case Extremum x -> {
                    Interval r = null;
                    for (SymInt a : x.args()) {
                        Interval i = tighten(naive(a), residue(a));
                        r = r == null ? i : x.max() ? new Interval(Math.max(r.lo, i.lo), Math.max(r.hi, i.hi))
                                : new Interval(Math.min(r.lo, i.lo), Math.min(r.hi, i.hi));
                    }
                    yield r;
                }
            };
        }

        /** Bounds of a division over the divisor's negative and positive parts (0 is never a divisor). */
        private Interval division(Div d) {
            Interval n = tighten(naive(d.numerator()), residue(d.numerator()));
            Interval q = tighten(naive(d.divisor()), residue(d.divisor()));
            Interval out = null;
            if (q.hi >= 1) {
                out = divisionBy(d.kind(), n, new Interval(Math.max(q.lo, 1), q.hi));
            }
            if (q.lo <= -1) {
                Interval neg = divisionBy(d.kind(), n, new Interval(q.lo, Math.min(q.hi, -1)));
                out = out == null ? neg : out.hull(neg);
            }
            return out == null ? ALL : out;
        }

        private Interval divisionBy(DivKind kind, Interval n, Interval q) {
            if (kind == DivKind.MOD) {
                if (q.lo > 0) {
                    if (n.lo >= 0 && n.hi < q.lo) {
                        return n;
                    }
                    return new Interval(0, Math.min(Arith.satAdd(q.hi, -1), n.lo >= 0 ? n.hi : POS_INF));
                }
                if (n.hi <= 0 && n.lo > q.hi) {
                    return n;
                }
                return new Interval(Math.max(Arith.satAdd(q.lo, 1), n.hi <= 0 ? n.lo : NEG_INF), 0);
            }
            // floor and ceil are monotone in each operand on a sign-definite divisor: the corners bound them.
            long[] corners = new long[4];
            int k = 0;
            for (long a : new long[] {n.lo, n.hi}) {
                for (long b : new long[] {q.lo, q.hi}) {
                    corners[k++] = kind == DivKind.FLOOR ? Arith.satFloorDiv(a, b) : Arith.satCeilDiv(a, b);
                }
            }
            long lo = POS_INF, hi = NEG_INF;
            for (long c : corners) {
                lo = Math.min(lo, c);
                hi = Math.max(hi, c);
            }
            return new Interval(lo, hi);
        }

        /** What {@code e} is modulo some number, from constants, coefficients and divisibility facts. */
        Residue residue(SymInt e) {
            Residue r = Residue.of(0, e.constant);
            for (int i = 0; i < e.monomials.length && r != NOTHING; i++) {
                Residue t = Residue.of(0, e.coeffs[i]);
                Monomial m = e.monomials[i];
                for (int k = 0; k < m.atoms.length; k++) {
                    Residue a = atomResidue(m.atoms[k]);
                    for (int p = 0; p < m.powers[k]; p++) {
                        t = t.times(a);
                    }
                }
                r = r.plus(t);
            }
            return r;
        }

        private Residue atomResidue(Atom atom) {
            return switch (atom) {
                case Symbol s -> {
                    Interval sl = slack.get(s.name());
                    if (sl != null) {
                        yield sl.lo == sl.hi ? Residue.of(0, sl.lo) : NOTHING;
                    }
                    Facts.Fact f = facts.fact(s.name());
                    yield f.min() == f.max() ? Residue.of(0, f.min()) : Residue.of(f.divisor(), f.remainder());
                }
                case Div d -> {
                    if (!d.divisor().isConstant()) {
                        yield NOTHING;
                    }
                    long c = d.divisor().constant;
                    Residue n = residue(d.numerator());
                    boolean exact = n.modulus == 0;
                    // n = r + m t with c | m: floor(n / c) = (m / c) t + floor(r / c), and n % c = r % c.
                    yield switch (d.kind()) {
                        case FLOOR -> exact ? Residue.of(0, Math.floorDiv(n.residue, c))
                                : n.modulus % c == 0 ? Residue.of(n.modulus / c, Math.floorDiv(n.residue, c)) : NOTHING;
                        case CEIL -> exact ? Residue.of(0, Math.ceilDiv(n.residue, c))
                                : n.modulus % c == 0 ? Residue.of(n.modulus / c, Math.ceilDiv(n.residue, c)) : NOTHING;
                        case MOD -> exact || n.modulus % c == 0 ? Residue.of(0, Math.floorMod(n.residue, c))
                                : Residue.of(Arith.gcd(n.modulus, c), n.residue);
                    };
                }
                case Extremum x -> {
                    // min and max take one of their arguments: what all arguments share modulo g holds.
                    Residue first = residue(x.args().get(0));
                    long g = first.modulus;
                    try {
                        for (SymInt a : x.args()) {
                            Residue r = residue(a);
                            g = Arith.gcd(Arith.gcd(g, r.modulus), Math.subtractExact(r.residue, first.residue));
                        }
                    } catch (ArithmeticException overflow) {
                        yield NOTHING;
                    }
                    yield g == 1 ? NOTHING : Residue.of(g, first.residue);
                }
            };
        }

        /** Moves finite bounds inward to the nearest values with the known residue. */
        private Interval tighten(Interval i, Residue r) {
            if (r.modulus == 0) {
                return i.intersect(Interval.point(r.residue));
            }
            if (r.modulus == 1) {
                return i;
            }
            long lo = i.lo == NEG_INF ? i.lo : Arith.satAdd(i.lo, Arith.modDistance(r.residue, i.lo, r.modulus));
            long hi = i.hi == POS_INF ? i.hi : Arith.satAdd(i.hi, -Arith.modDistance(i.hi, r.residue, r.modulus));
            return lo <= hi ? new Interval(lo, hi) : i;
        }
    }

    // ---------------------------------------------------------------- structure helpers

    private static SymInt monomial(SymInt e, int i) {
        return SymInt.atomProduct(e.monomials[i]).times(e.coeffs[i]);
    }

    /** {@code n % c} as {@code n - c * floor(n / c)}. */
    private static SymInt modAsFloor(Div mod) {
        long c = mod.divisor().constant;
        return mod.numerator().minus(mod.numerator().floorDiv(c).times(c));
    }

    /** The atom of a plain term {@code k * kind(n, c)} with a constant {@code c > 0} (any kind when null), or null. */
    private static Div plainDivision(Monomial m, DivKind kind) {
        return m.linearAtom() instanceof Div d && (kind == null || d.kind() == kind) && d.divisor().isConstant()
                && d.divisor().constant > 0 ? d : null;
    }

    private static Div floorOrCeil(Monomial m) {
        Div d = plainDivision(m, null);
        return d != null && d.kind() != DivKind.MOD ? d : null;
    }

    private static boolean hasPlainDivision(SymInt e, DivKind kind) {
        for (Monomial m : e.monomials) {
            if (plainDivision(m, kind) != null) {
                return true;
            }
        }
        return false;
    }

    /** The first min or max anywhere in {@code e}, or null. */
    private static Extremum findExtremum(SymInt e) {
        for (Monomial m : e.monomials) {
            for (Atom a : m.atoms) {
                Extremum x = switch (a) {
                    case Extremum found -> found;
                    case Div d -> {
                        Extremum in = findExtremum(d.numerator());
                        yield in != null ? in : findExtremum(d.divisor());
                    }
                    case Symbol s -> null;
                };
                if (x != null) {
                    return x;
                }
            }
        }
        return null;
    }

    /** The coefficient of {@code x} when it occurs only as a plain term {@code k * x} of {@code e}, else 0. */
    private static long linearCoefficient(SymInt e, Extremum x) {
        long k = 0;
        for (int i = 0; i < e.monomials.length; i++) {
            Monomial m = e.monomials[i];
            if (x.equals(m.linearAtom())) {
                k = e.coeffs[i];
            } else if (mentions(m, x)) {
                return 0;
            }
        }
        return k;
    }

    private static boolean mentions(Monomial m, Extremum x) {
        for (Atom a : m.atoms) {
            if (a.equals(x) || a instanceof Div d && (mentions(d.numerator(), x) || mentions(d.divisor(), x))
                    || a instanceof Extremum y && y.args().stream().anyMatch(arg -> mentions(arg, x))) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentions(SymInt e, Extremum x) {
        for (Monomial m : e.monomials) {
            if (mentions(m, x)) {
                return true;
            }
        }
        return false;
    }
}
