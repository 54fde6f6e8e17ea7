package dev.dvm.tests.symbolic;

import dev.dvm.symbolic.Facts;
import dev.dvm.symbolic.SymInt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One case of the {@link SymbolicProperty}: symbols with facts, three expressions ({@code a} and
 * {@code b} are the pair the prover compares, often related so that questions are decidable;
 * {@code c} is a third operand for the algebraic identities), a constant divisor {@code d}, and
 * {@code bindingCount} bindings drawn from {@code bindingSeed} that satisfy the facts.
 *
 * @param symbols every symbol of the case (all are bound in every binding)
 * @param facts satisfiable facts over {@code symbols}
 * @param a the first expression
 * @param b the second expression
 * @param c the third expression
 * @param d a non-zero constant divisor for {@code divisible(a, d)}
 * @param bindingSeed seeds the bindings; a prefix of them survives shrinking the count
 * @param bindingCount how many bindings to check
 */
public record SymbolicCase(List<String> symbols, List<FactSpec> facts, Expr a, Expr b, Expr c, long d, long bindingSeed,
        int bindingCount) {

    public SymbolicCase {
        symbols = List.copyOf(symbols);
        facts = List.copyOf(facts);
    }

    /** The facts through {@code Facts.builder()}. */
    public Facts buildFacts() {
        Facts.Builder b = Facts.builder();
        facts.forEach(f -> f.declare(b));
        return b.build();
    }

    /** The property's own model of the facts. */
    FactModel model() {
        return new FactModel(symbols, facts);
    }

    /** The bindings, each satisfying every fact. */
    public List<Map<String, Long>> bindings() {
        FactModel m = model();
        SplittableRandom r = new SplittableRandom(bindingSeed);
        List<Map<String, Long>> out = new ArrayList<>(bindingCount);
        for (int i = 0; i < bindingCount; i++) {
            out.add(m.binding(r));
        }
        return out;
    }

    SymbolicCase withFacts(List<FactSpec> f) {
        return new SymbolicCase(symbols, f, a, b, c, d, bindingSeed, bindingCount);
    }

    SymbolicCase withExprs(Expr na, Expr nb, Expr nc) {
        return new SymbolicCase(symbols, facts, na, nb, nc, d, bindingSeed, bindingCount);
    }

    SymbolicCase withDivisor(long nd) {
        return new SymbolicCase(symbols, facts, a, b, c, nd, bindingSeed, bindingCount);
    }

    SymbolicCase withBindingCount(int n) {
        return new SymbolicCase(symbols, facts, a, b, c, d, bindingSeed, n);
    }

    @Override
    public String toString() {
        return "symbols " + symbols + "\nfacts   " + (facts.isEmpty() ? "none" : facts) + "\na       " + a + "\n   as    " + canonical(a)
                + "\nb       " + b + "\n   as    " + canonical(b) + "\nc       " + c + "\n   as    " + canonical(c) + "\nd       " + d
                + "\nbindings " + bindingCount + " from seed " + bindingSeed;
    }

    private static String canonical(Expr e) {
        try {
            return e.toSymInt().toString();
        } catch (RuntimeException x) {
            return "(not buildable: " + x.getMessage() + ")";
        }
    }

    /** The canonical form of {@code e}, or null when building it throws (see {@link Expr#toSymInt}). */
    static SymInt build(Expr e) {
        try {
            return e.toSymInt();
        } catch (ArithmeticException x) {
            return null;
        }
    }
}
