package dev.dvm.tests.symbolic;

import dev.dvm.symbolic.Bindings;
import dev.dvm.symbolic.Facts;
import dev.dvm.symbolic.Prover;
import dev.dvm.symbolic.SymInt;
import dev.dvm.symbolic.Truth;
import dev.dvm.tests.property.Property;
import dev.dvm.tests.symbolic.Expr.Bin;
import dev.dvm.tests.symbolic.Expr.Op;
import dev.dvm.tests.symbolic.Expr.Undefined;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The symbolic property: random expressions over random facts, checked at random bindings that
 * satisfy the facts against the property's own tree evaluator ({@link Expr#eval}).
 *
 * <ol>
 *   <li>Canonical forms agree with the tree: {@code SymInt.evaluate} equals the tree's value wherever
 *       both are defined; the canonical form never divides by zero where the tree does not (it may
 *       drop a division the tree makes, as in {@code 0 * floor(x / y)}, and overflow skips a sample).
 *   <li>Prover soundness: for {@code ==, !=, <, <=, >, >=}, {@code divisible(a, d)}, {@code
 *       divisible(a, b)}, {@code divisible(a * c, c)}, {@code bounds} and {@code simplify}, every
 *       TRUE/FALSE answer holds at every sample where both sides are defined.
 *   <li>Canonicalisation is idempotent ({@code parse(toString())}, {@code substitute}), commuted,
 *       reassociated and distributed constructions are equal, and equal forms hash equal and are
 *       proved equal.
 *   <li>{@code Facts.bind} accepts the generated bindings and rejects a value that breaks a range, a
 *       congruence or an equality, naming the symbol.
 * </ol>
 * A check returns {@code "[what] details"}; {@link #kind} is the bracketed part. {@link #stats()}
 * counts samples and the prover's decided and UNKNOWN answers over every case checked.
 */
public final class SymbolicProperty {
    /** Counts over all cases checked (including shrinking candidates). Not thread-safe: one property per thread. */
    public static final class Stats {
        long cases;
        long bindings;
        long evaluations;
        long evaluationsSkipped;
        long decisionSamples;
        long boundsSamples;
        long identityChecks;
        long proverOverflows;
        /** Question to counts of TRUE, FALSE and UNKNOWN answers. */
        final Map<String, long[]> answers = new LinkedHashMap<>();

        /** Samples checked against a TRUE/FALSE answer of the prover. */
        public long decisionSamples() {
            return decisionSamples;
        }

        /** Prover answers that were TRUE or FALSE. */
        public long decided() {
            return answers.values().stream().mapToLong(a -> a[0] + a[1]).sum();
        }

        /** Prover questions asked. */
        public long questions() {
            return answers.values().stream().mapToLong(a -> a[0] + a[1] + a[2]).sum();
        }

        /** Tree-vs-canonical evaluations compared. */
        public long evaluations() {
            return evaluations;
        }

        /** Cases checked. */
        public long cases() {
            return cases;
        }

        /** A multi-line summary, one line per question. */
        public String summary() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "%d cases, %d bindings; %d evaluations compared (%d skipped: overflow or a division the canonical form dropped); "
                            + "%d identities; %d samples against prover decisions, %d against bounds; %d questions, %d decided (%.1f%%); "
                            + "%d prover calls overflowed%n",
                    cases, bindings, evaluations, evaluationsSkipped, identityChecks, decisionSamples, boundsSamples, questions(), decided(),
                    100.0 * decided() / Math.max(1, questions()), proverOverflows));
            answers.forEach((q, a) -> sb.append(String.format(Locale.ROOT, "  %-22s TRUE %6d  FALSE %6d  UNKNOWN %6d%n", q, a[0], a[1], a[2])));
            return sb.toString();
        }
    }

    private final Stats stats = new Stats();

    /** The counts so far. */
    public Stats stats() {
        return stats;
    }

    /** The property over cases of {@code bindings} bindings each. */
    public Property<SymbolicCase> property(int bindings) {
        return new Property<>("symbolic integers agree with a tree evaluator, the prover is sound", new SymbolicCaseGen(bindings),
                new SymbolicCaseShrinker(), this::check, SymbolicCase::toString, SymbolicProperty::kind);
    }

    /** The bracketed check name of a failure, or the exception and its first frame. */
    public static String kind(SymbolicCase c, String failure) {
        if (failure.startsWith("[")) {
            return failure.substring(0, failure.indexOf(']') + 1);
        }
        String[] lines = failure.split("\n");
        String frame = lines.length > 1 ? lines[1].strip().replaceAll("\\(.*", "") : "";
        return "exception: " + lines[0].split(":")[0] + " " + frame;
    }

    /** A value or why there is none. */
    private record Outcome(long value, Undefined undefined) {
        static final Outcome DIVISION_BY_ZERO = new Outcome(0, Undefined.DIVISION_BY_ZERO);
        static final Outcome OVERFLOW = new Outcome(0, Undefined.OVERFLOW);

        boolean defined() {
            return undefined == null;
        }

        @Override
        public String toString() {
            return defined() ? Long.toString(value) : undefined.toString().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    private static Outcome tree(Expr e, Map<String, Long> values) {
        try {
            return new Outcome(e.eval(values), null);
        } catch (Expr.UndefinedException u) {
            return u.why == Undefined.OVERFLOW ? Outcome.OVERFLOW : Outcome.DIVISION_BY_ZERO;
        }
    }

    private static Outcome canonical(SymInt e, Bindings b) {
        try {
            return new Outcome(e.evaluate(b), null);
        } catch (ArithmeticException x) {
            // SymInt.evaluate's contract: division by zero says so; anything else is an overflow.
            return String.valueOf(x.getMessage()).startsWith("division by zero") ? Outcome.DIVISION_BY_ZERO : Outcome.OVERFLOW;
        }
    }

    /** {@code null} when {@code c} passes, else {@code "[check] details"}. */
    public String check(SymbolicCase c) {
        stats.cases++;
        FactModel model = c.model();
        Facts facts;
        try {
            facts = c.buildFacts();
        } catch (IllegalArgumentException e) {
            return "[facts build] satisfiable facts rejected: " + e.getMessage();
        }
        List<Map<String, Long>> maps = c.bindings();
        List<Bindings> bindings = new ArrayList<>();
        for (Map<String, Long> m : maps) {
            try {
                Bindings b = facts.bind(m);
                for (Map.Entry<String, Long> e : m.entrySet()) {
                    if (b.value(e.getKey()) != e.getValue()) {
                        return "[facts bind] bind(" + m + ") gives " + b;
                    }
                }
                bindings.add(b);
            } catch (IllegalArgumentException e) {
                return "[facts bind] a binding that meets every fact was rejected: " + m + ": " + e.getMessage();
            }
        }
        stats.bindings += bindings.size();
        String failure = checkRejections(c, model, facts, maps.isEmpty() ? null : maps.get(0));
        if (failure != null) {
            return failure;
        }

        Expr[] trees = {c.a(), c.b(), c.c()};
        String[] names = {"a", "b", "c"};
        SymInt[] forms = new SymInt[3];
        Outcome[][] values = new Outcome[3][bindings.size()];
        for (int k = 0; k < 3; k++) {
            String buildError = null;
            try {
                forms[k] = trees[k].toSymInt();
            } catch (ArithmeticException e) {
                buildError = String.valueOf(e.getMessage());
            }
            for (int i = 0; i < bindings.size(); i++) {
                Outcome t = tree(trees[k], maps.get(i));
                values[k][i] = t;
                if (forms[k] == null) {
                    // Building divides by a constant 0 only where the tree always does (or overflows).
                    if (buildError.startsWith("division by zero") && t.defined()) {
                        return "[canonical build] " + names[k] + " = " + trees[k] + " threw '" + buildError + "' but the tree is " + t
                                + " at " + maps.get(i);
                    }
                    continue;
                }
                Outcome s = canonical(forms[k], bindings.get(i));
                stats.evaluations++;
                if (t.defined() && s.defined()) {
                    if (t.value() != s.value()) {
                        return "[canonical value] " + names[k] + " = " + trees[k] + " is " + t + " but its canonical form " + forms[k]
                                + " evaluates to " + s + " at " + maps.get(i);
                    }
                } else if (s.undefined() == Undefined.DIVISION_BY_ZERO && t.defined()) {
                    return "[canonical division by zero] " + names[k] + " = " + trees[k] + " is " + t + " but its canonical form "
                            + forms[k] + " divides by zero at " + maps.get(i);
                } else if (!(t.undefined() == Undefined.DIVISION_BY_ZERO && s.undefined() == Undefined.DIVISION_BY_ZERO)) {
                    stats.evaluationsSkipped++;
                }
                if (!s.defined()) {
                    values[k][i] = s;
                }
            }
        }
        failure = checkIdentities(c, forms, facts);
        if (failure != null) {
            return failure;
        }
        return checkProver(c, new Prover(facts), forms, values, maps, bindings);
    }

    // ---------------------------------------------------------------- (b) prover soundness

    /** The truth of a question at one sample, or null when it is undefined there. */
    @FunctionalInterface
    private interface Truthful {
        Boolean at(int sample);
    }

    private String checkProver(SymbolicCase c, Prover prover, SymInt[] f, Outcome[][] v, List<Map<String, Long>> maps,
            List<Bindings> bindings) {
        SymInt a = f[0], b = f[1], cc = f[2];
        Outcome[] va = v[0], vb = v[1], vc = v[2];
        String failure = null;
        if (a != null && b != null) {
            failure = first(failure, () -> decide("a == b", () -> prover.equal(a, b), i -> both(va[i], vb[i]) ? va[i].value() == vb[i].value() : null, c, maps));
            failure = first(failure, () -> decide("a != b", () -> prover.notEqual(a, b), i -> both(va[i], vb[i]) ? va[i].value() != vb[i].value() : null, c, maps));
            failure = first(failure, () -> decide("a < b", () -> prover.less(a, b), i -> both(va[i], vb[i]) ? va[i].value() < vb[i].value() : null, c, maps));
            failure = first(failure, () -> decide("a <= b", () -> prover.lessOrEqual(a, b), i -> both(va[i], vb[i]) ? va[i].value() <= vb[i].value() : null, c, maps));
            failure = first(failure, () -> decide("a > b", () -> prover.greater(a, b), i -> both(va[i], vb[i]) ? va[i].value() > vb[i].value() : null, c, maps));
            failure = first(failure, () -> decide("a >= b", () -> prover.greaterOrEqual(a, b), i -> both(va[i], vb[i]) ? va[i].value() >= vb[i].value() : null, c, maps));
            failure = first(failure, () -> decide("divisible(a, b)", () -> prover.divisible(a, b),
                    i -> both(va[i], vb[i]) && vb[i].value() != 0 ? Math.floorMod(va[i].value(), vb[i].value()) == 0 : null, c, maps));
        }
        if (a != null) {
            failure = first(failure, () -> decide("divisible(a, d)", () -> prover.divisible(a, c.d()),
                    i -> va[i].defined() ? Math.floorMod(va[i].value(), c.d()) == 0 : null, c, maps));
            failure = first(failure, () -> checkBoundsAndSimplify("a", a, prover, va, maps, bindings));
        }
        if (b != null) {
            failure = first(failure, () -> checkBoundsAndSimplify("b", b, prover, vb, maps, bindings));
        }
        if (a != null && cc != null) {
            SymInt product = SymbolicCase.build(new Bin(Op.MUL, c.a(), c.c()));
            if (product != null) {
                failure = first(failure, () -> decide("divisible(a * c, c)", () -> prover.divisible(product, cc), i -> {
                    if (!both(va[i], vc[i]) || vc[i].value() == 0) {
                        return null;
                    }
                    try {
                        return Math.floorMod(Math.multiplyExact(va[i].value(), vc[i].value()), vc[i].value()) == 0;
                    } catch (ArithmeticException overflow) {
                        return null;
                    }
                }, c, maps));
            }
            failure = first(failure, () -> decide("c <= a", () -> prover.lessOrEqual(cc, a), i -> both(va[i], vc[i]) ? vc[i].value() <= va[i].value() : null, c, maps));
        }
        return failure;
    }

    private static String first(String failure, Supplier<String> next) {
        return failure != null ? failure : next.get();
    }

    private static boolean both(Outcome x, Outcome y) {
        return x.defined() && y.defined();
    }

    /** Asks one question and, when the answer is TRUE or FALSE, checks it at every sample. */
    private String decide(String question, Supplier<Truth> ask, Truthful truth, SymbolicCase c, List<Map<String, Long>> maps) {
        long[] counts = stats.answers.computeIfAbsent(question, q -> new long[3]);
        Truth answer;
        try {
            answer = ask.get();
        } catch (ArithmeticException overflow) {
            // A canonical difference whose coefficients overflow: no answer, and nothing claimed.
            stats.proverOverflows++;
            counts[2]++;
            return null;
        }
        counts[answer.ordinal()]++;
        if (answer == Truth.UNKNOWN) {
            return null;
        }
        for (int i = 0; i < maps.size(); i++) {
            Boolean holds = truth.at(i);
            if (holds == null) {
                continue;
            }
            stats.decisionSamples++;
            if (holds != answer.isTrue()) {
                return "[prover " + question + "] answered " + answer + " but at " + maps.get(i) + " it is " + holds + " (a = " + c.a()
                        + ", b = " + c.b() + ", c = " + c.c() + ", d = " + c.d() + ")";
            }
        }
        return null;
    }

    private String checkBoundsAndSimplify(String name, SymInt e, Prover prover, Outcome[] v, List<Map<String, Long>> maps,
            List<Bindings> bindings) {
        long[] bounds;
        SymInt simple;
        try {
            bounds = prover.bounds(e);
            simple = prover.simplify(e);
        } catch (ArithmeticException overflow) {
            stats.proverOverflows++;
            return null;
        }
        for (int i = 0; i < maps.size(); i++) {
            if (!v[i].defined()) {
                continue;
            }
            stats.boundsSamples++;
            if (v[i].value() < bounds[0] || v[i].value() > bounds[1]) {
                return "[prover bounds] bounds(" + name + " = " + e + ") = [" + bounds[0] + ", " + bounds[1] + "] but " + name + " = "
                        + v[i] + " at " + maps.get(i);
            }
            Outcome s = canonical(simple, bindings.get(i));
            if (s.defined() ? s.value() != v[i].value() : s.undefined() == Undefined.DIVISION_BY_ZERO) {
                return "[prover simplify] simplify(" + name + " = " + e + ") = " + simple + " is " + s + " but " + name + " = " + v[i]
                        + " at " + maps.get(i);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- (c) canonicalisation

    private String checkIdentities(SymbolicCase c, SymInt[] f, Facts facts) {
        Prover prover = new Prover(facts);
        String[] names = {"a", "b", "c"};
        for (int k = 0; k < 3; k++) {
            SymInt e = f[k];
            if (e == null) {
                continue;
            }
            stats.identityChecks++;
            SymInt parsed;
            try {
                parsed = SymInt.parse(e.toString());
            } catch (RuntimeException x) {
                return "[canonical parse] parse(\"" + e + "\") threw " + x;
            }
            if (!parsed.equals(e) || parsed.hashCode() != e.hashCode()) {
                return "[canonical parse] " + names[k] + ": parse(\"" + e + "\") gives " + parsed + ", not equal (or not hash equal)";
            }
            if (!e.substitute(Map.of()).equals(e)) {
                return "[canonical substitute] " + names[k] + ": " + e + ".substitute({}) gives " + e.substitute(Map.of());
            }
        }
        Expr rewritten = SymbolicCaseGen.equivalent(new SplittableRandom(c.bindingSeed()), c.a());
        String failure = same("equivalent rewrite of a", () -> f[0], () -> SymbolicCase.build(rewritten), prover);
        SymInt x = f[0], y = f[1], z = f[2];
        if (x == null || y == null || z == null) {
            return failure;
        }
        BinaryOperator<SymInt> min = SymInt::min, max = SymInt::max;
        failure = first(failure, () -> same("a + b = b + a", () -> x.plus(y), () -> y.plus(x), prover));
        failure = first(failure, () -> same("a * b = b * a", () -> x.times(y), () -> y.times(x), prover));
        failure = first(failure, () -> same("(a + b) + c = a + (b + c)", () -> x.plus(y).plus(z), () -> x.plus(y.plus(z)), prover));
        failure = first(failure, () -> same("(a * b) * c = a * (b * c)", () -> x.times(y).times(z), () -> x.times(y.times(z)), prover));
        failure = first(failure, () -> same("a * (b + c) = a * b + a * c", () -> x.times(y.plus(z)), () -> x.times(y).plus(x.times(z)), prover));
        failure = first(failure, () -> same("a - b = a + (-1) * b", () -> x.minus(y), () -> x.plus(SymInt.of(-1).times(y)), prover));
        failure = first(failure, () -> same("(a + b) - b = a", () -> x.plus(y).minus(y), () -> x, prover));
        failure = first(failure, () -> same("min(a, b) = min(b, a)", () -> min.apply(x, y), () -> min.apply(y, x), prover));
        failure = first(failure, () -> same("max(a, b) = max(b, a)", () -> max.apply(x, y), () -> max.apply(y, x), prover));
        failure = first(failure, () -> same("min(min(a, b), c) = min(a, min(b, c))", () -> min.apply(min.apply(x, y), z),
                () -> min.apply(x, min.apply(y, z)), prover));
        failure = first(failure, () -> same("max(max(a, b), c) = max(a, max(b, c))", () -> max.apply(max.apply(x, y), z),
                () -> max.apply(x, max.apply(y, z)), prover));
        for (int i = 0; i < 3 && failure == null; i++) {
            for (int j = i + 1; j < 3 && failure == null; j++) {
                if (f[i].equals(f[j])) {
                    failure = provedEqual(names[i] + " = " + names[j], f[i], f[j], prover);
                }
            }
        }
        return failure;
    }

    /** Both constructions give equal, hash-equal forms the prover proves equal; an overflow while building skips. */
    private String same(String identity, Supplier<SymInt> left, Supplier<SymInt> right, Prover prover) {
        SymInt l, r;
        try {
            l = left.get();
            r = right.get();
        } catch (ArithmeticException overflow) {
            return null;
        }
        if (l == null || r == null) {
            return null;
        }
        stats.identityChecks++;
        if (!l.equals(r)) {
            return "[canonical identity] " + identity + ": " + l + " vs " + r + " are not equal";
        }
        return provedEqual(identity, l, r, prover);
    }

    private static String provedEqual(String what, SymInt l, SymInt r, Prover prover) {
        if (l.hashCode() != r.hashCode()) {
            return "[canonical hash] " + what + ": " + l + " equals " + r + " but the hash codes differ";
        }
        Truth t = prover.equal(l, r);
        return t == Truth.TRUE ? null : "[canonical prover] " + what + ": " + l + " equals " + r + " but prover.equal says " + t;
    }

    // ---------------------------------------------------------------- (d) facts reject violations

    /**
     * For each class of equal symbols, values just outside its range, off its congruence, or two
     * different values for two of its members: {@code Facts.bind} must throw an
     * IllegalArgumentException whose message names a member.
     */
    private static String checkRejections(SymbolicCase c, FactModel model, Facts facts, Map<String, Long> valid) {
        if (valid == null) {
            return null;
        }
        for (FactModel.SymbolClass k : model.classes.values()) {
            List<Map<String, Long>> bad = new ArrayList<>();
            long v = valid.get(k.members.get(0));
            for (long candidate : new long[] {k.hi == Long.MAX_VALUE ? v : k.hi + 1, k.lo == Long.MIN_VALUE ? v : k.lo - 1, v + 1}) {
                if (!k.admits(candidate)) {
                    Map<String, Long> m = new LinkedHashMap<>(valid);
                    k.members.forEach(s -> m.put(s, candidate));
                    bad.add(m);
                }
            }
            if (k.members.size() > 1) {
                Long other = k.nearest(v + 1);
                if (other == null || other == v) {
                    other = k.nearest(v - 1);
                }
                if (other != null && other != v) {
                    Map<String, Long> m = new LinkedHashMap<>(valid);
                    m.put(k.members.get(1), other);
                    bad.add(m);
                }
            }
            for (Map<String, Long> m : bad) {
                try {
                    Bindings b = facts.bind(m);
                    return "[facts reject] bind(" + m + ") accepted a binding that breaks a fact of " + k.members + ": " + b + " (facts " + c.facts() + ")";
                } catch (IllegalArgumentException e) {
                    String message = String.valueOf(e.getMessage());
                    if (k.members.stream().noneMatch(s -> Pattern.compile("\\b" + s + "\\b").matcher(message).find())) {
                        return "[facts reject] the error for " + m + " names none of " + k.members + ": " + message;
                    }
                }
            }
        }
        return null;
    }
}
