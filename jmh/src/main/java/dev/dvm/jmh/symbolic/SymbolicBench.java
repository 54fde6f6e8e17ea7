package dev.dvm.jmh.symbolic;

import dev.dvm.jmh.kernels.BenchmarkDefaults;
import dev.dvm.symbolic.Bindings;
import dev.dvm.symbolic.Facts;
import dev.dvm.symbolic.Prover;
import dev.dvm.symbolic.ShapeRules;
import dev.dvm.symbolic.SymInt;
import dev.dvm.symbolic.SymShape;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The symbolic engine's two hot paths in a fuser (issue 3 asks for a median under 1 µs each):
 * proving that two rank-4 shapes are broadcast-compatible or equal, and evaluating a shape under
 * bindings. Sample-time mode, so the report has the median (p0.50) and not only the mean; times in ns.
 *
 * <p>The shapes and facts are those of attention: {@code [b, s, h, d]} with {@code kv == s} (keys
 * and queries share a sequence length), {@code 1 <= s <= 8192}, {@code d % 8 == 0}. The proving
 * benchmarks need the prover, not only structural equality: {@code kv} must be merged with {@code
 * s} and {@code ceil(d / 8) * 8} reduced to {@code d} by the divisibility fact. Everything is built in
 * {@link #setUp} and read from non-final state fields, so nothing is constant-folded.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SymbolicBench extends BenchmarkDefaults {
    private ShapeRules rules;
    /** {@code [b, s, h, d]}. */
    private SymShape query;
    /** {@code [b, kv, 1, d]}: broadcasts against {@link #query} given {@code kv == s}. */
    private SymShape keyBias;
    /** {@code [b, s, h, d]}, built separately from {@link #query}: equal, a different instance. */
    private SymShape queryAgain;
    /** {@code [b, kv, h, ceil(d / 8) * 8]}: equal to {@link #query} only through the facts. */
    private SymShape keyPadded;
    /** {@code [b, s * 2, h, ceil(d / 8) * 8]}, evaluated under {@link #bindings}. */
    private SymShape padded;
    /** Bindings cycled through, so evaluation does not see one value only. */
    private Bindings[] bindings;
    private int next;

    @Setup
    public void setUp() {
        Facts facts = Facts.builder().range("b", 1, 64).range("s", 1, 8192).equal("s", "kv").range("h", 1, 128).multipleOf("d", 8)
                .range("d", 8, 256).build();
        rules = new ShapeRules(new Prover(facts));
        SymInt b = SymInt.symbol("b"), s = SymInt.symbol("s"), kv = SymInt.symbol("kv"), h = SymInt.symbol("h"), d = SymInt.symbol("d");
        query = SymShape.of(b, s, h, d);
        keyBias = SymShape.of(b, kv, SymInt.ONE, d);
        queryAgain = SymShape.parse("[b, s, h, d]");
        keyPadded = SymShape.of(b, kv, h, d.ceilDiv(8).times(8));
        padded = SymShape.parse("[b, s * 2, h, ceil(d / 8) * 8]");
        bindings = new Bindings[8];
        for (int i = 0; i < bindings.length; i++) {
            bindings[i] = facts.bind(Map.of("b", 1L + i, "s", 37L + 101 * i, "h", 8L + i, "d", 64L + 8 * i));
        }
        if (!rules.broadcast(query, keyBias).unconditional() || !rules.sameShape(query, keyPadded).isTrue()) {
            throw new IllegalStateException("the benchmark's shapes must be provably compatible: " + query + ", " + keyBias + ", " + keyPadded);
        }
    }

    /** Broadcast of {@code [b, s, h, d]} and {@code [b, kv, 1, d]}: proves {@code s == kv}, no guard. */
    @Benchmark
    public void broadcastRank4(Blackhole bh) {
        bh.consume(rules.broadcast(query, keyBias));
    }

    /** {@code sameShape} of two equal, separately built shapes (the structural fast path). */
    @Benchmark
    public void sameShapeEqual(Blackhole bh) {
        bh.consume(rules.sameShape(query, queryAgain));
    }

    /** {@code sameShape} of {@code [b, s, h, d]} and {@code [b, kv, h, ceil(d / 8) * 8]}: TRUE through the facts. */
    @Benchmark
    public void sameShapeByFacts(Blackhole bh) {
        bh.consume(rules.sameShape(query, keyPadded));
    }

    /** {@code [b, s * 2, h, ceil(d / 8) * 8]} under one of eight bindings. */
    @Benchmark
    public void evaluateRank4(Blackhole bh) {
        next = (next + 1) & 7;
        bh.consume(padded.evaluate(bindings[next]));
    }
}
