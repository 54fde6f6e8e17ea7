package dev.dvm.tests.reference;

import dev.dvm.core.DType;
import dev.dvm.tests.reference.OpSpec.BinaryOp;
import dev.dvm.tests.reference.OpSpec.UnaryOp;
import java.util.Arrays;

/**
 * Every tolerance the tests use, in one place.
 *
 * <p>The reference evaluator computes each op in float64 on the reference's own (F32) operand
 * values, rounds its result to F32 (the kernel's compute precision) and carries, per element, an
 * absolute error bound {@code e}: the kernel's F32 value may differ from the reference's by at most
 * {@code e}. An op's bound is the sum of three parts:
 * <ol>
 *   <li><b>propagated error</b>: how far the exact result can move when each operand moves within
 *       its bound (sums of bounds for add/sub, |a|·eb + |b|·ea + ea·eb for mul, the function over
 *       the operand's error interval for monotone functions, Lipschitz 1 for sin/cos/abs/neg);
 *       compares, logic, floor/round and casts to integers become "unchecked" when the interval
 *       straddles a decision point;
 *   <li><b>own error</b> (table below): how far a correct F32 implementation may be from the
 *       reference's F32 result when the operands are exactly the reference's;
 *   <li><b>re-rounding</b>: when an operand carries error (nonzero bound) and the op rounds its
 *       result, 1 ulp (F32) of the largest magnitude the exact result can reach, |r| + propagated.
 *       The kernel rounds the exact result at <i>its</i> operands, which may lie on the other side
 *       of a rounding boundary than the reference's: |fl(f(a')) − fl(f(a))| ≤ |f(a') − f(a)| +
 *       ½ulp(f(a')) + ½ulp(f(a)). Ops whose result is exactly representable (abs, neg, max, min,
 *       round, floor, ceil, trunc, compares, logic, select, layout ops) do not round and add
 *       nothing; casts to F16/BF16 add 1 ulp of the target type (below), taken at |x| + bound for
 *       the same reason. F16/BF16 values are held in F32 between ops (rounded only by a cast or
 *       the final store), so F32 ulps are the right unit for every op but those.
 * </ol>
 * So an error that grows through a chain is allowed exactly as much as the chain's conditioning
 * permits, plus one rounding per inexact step, and an op on exact operands is held to its own
 * error alone (0 for the correctly rounded ones).
 *
 * <table>
 *   <caption>Own error of each op (u = 2<sup>-24</sup>, ulp = unit in the last place of the F32 result)</caption>
 *   <tr><th>op</th><th>own error</th></tr>
 *   <tr><td>add, sub, mul, div, sqrt, reciprocal</td><td>none: IEEE F32 operations are correctly rounded, and the
 *       reference's float64 result rounded to F32 is that same value</td></tr>
 *   <tr><td>rsqrt</td><td>2 ulp</td></tr>
 *   <tr><td>abs, neg, max, min, round, floor, ceil, trunc, compares, logic, select, copy, every layout op</td><td>exact</td></tr>
 *   <tr><td>exp, tanh, sigmoid</td><td>4 ulp + the smallest normal (results in the subnormal range may flush)</td></tr>
 *   <tr><td>erf</td><td>4 ulp + 2<sup>-22</sup> absolute (polynomial approximations)</td></tr>
 *   <tr><td>log</td><td>4 ulp + 2<sup>-23</sup> absolute (near 1 the result is tiny)</td></tr>
 *   <tr><td>sin, cos</td><td>4 ulp + 2 ulp of max(1, |x|) (argument reduction)</td></tr>
 *   <tr><td>pow (floats)</td><td>16 ulp × (1 + |b·ln|a||) + the smallest normal</td></tr>
 *   <tr><td>reduceSum (floats)</td><td>1 ulp + (2·√n + 16)·u·Σ|x| over the n summed elements (Σ|x| taken over the
 *       operands' bounds too); this covers the final rounding, so no re-rounding term</td></tr>
 *   <tr><td>matmul (F32 result)</td><td>exact for K ≤ 1 (one fused multiply-add into +0 rounds a·b once, correctly); else
 *       1 ulp + (2·√n + 16)·u·Σ|a·b| + n·2<sup>-150</sup>, where n = K + ⌈K/256⌉ counts the roundings of the
 *       documented order (one per FMA, one per 256-element chunk sum), Σ|a·b| runs over the finite products
 *       (and the operands' bounds) and n·2<sup>-150</sup> covers results in the subnormal range. It is reduceSum's
 *       rule, since an FMA adds the exact product: F16/BF16 operands widen to F32 exactly and F32 products are
 *       exact in float64, so the reference's sum differs from the exact one by under K·2<sup>-53</sup>·Σ|a·b|.
 *       Relative to Σ|a·b| it is 3·10<sup>-6</sup> at K = 300 and 9·10<sup>-6</sup> at K = 4096: rounding
 *       errors of random data add up like a random walk (√n·u); n·u is reached only by adversarial data.
 *       Unchecked where an F32 partial sum may overflow (Σ|a·b| near the F32 maximum); an infinite or NaN
 *       operand gives IEEE's infinity or NaN, the same in every order, and is compared exactly</td></tr>
 *   <tr><td>cast to F16/BF16</td><td>exact for an exact operand, else + 1 ulp of the target type at the largest
 *       magnitude the operand can reach, |x| + its bound</td></tr>
 *   <tr><td>integer and BOOL results</td><td>exact (wrapping as documented)</td></tr>
 *   <tr><td>F16/BF16 outputs</td><td>the stored value must be the reference rounded to the output type when exact, else between the ends of the
 *       reference's error interval, each rounded to the output type (rounding is monotone; an infinite end admits
 *       infinity)</td></tr>
 * </table>
 *
 * <p>NaN matches only NaN, and ±infinity only itself; an element whose bound is infinite is not
 * compared.
 */
public final class Tolerances {
    private Tolerances() {}

    /** Smallest normal F32: results below it may be flushed or computed less precisely. */
    static final double TINY = Float.MIN_NORMAL;

    /**
     * Own error of one op: {@code resultUlps} F32 ulps of the result, {@code argUlps} ulps of
     * max(1, |x|), plus {@code absolute}; {@code rounds} when the op rounds its result (so it adds
     * the re-rounding term for operands that carry error).
     */
    public record OpTolerance(double resultUlps, double argUlps, double absolute, boolean rounds) {
        /** The own error for result {@code r} of argument {@code x}. */
        public double bound(double r, double x) {
            double e = absolute;
            if (resultUlps != 0) {
                e += resultUlps * RefTypes.ulp(DType.F32, r);
            }
            if (argUlps != 0) {
                e += argUlps * RefTypes.ulp(DType.F32, Math.max(1, Math.abs(x)));
            }
            return e;
        }

        /**
         * The re-rounding term for exact result {@code r} whose operands' errors move it by up to
         * {@code propagated}: 0 for exact operands or an op that does not round, else 1 F32 ulp of
         * |r| + propagated.
         */
        public double reRounding(double r, double propagated) {
            return rounds && propagated != 0 ? RefTypes.ulp(DType.F32, Math.abs(r) + propagated) : 0;
        }
    }

    /** An op whose result is exactly representable: no own error, no rounding. */
    private static final OpTolerance EXACT = new OpTolerance(0, 0, 0, false);
    /** A correctly rounded IEEE op: no own error on exact operands. */
    private static final OpTolerance CORRECTLY_ROUNDED = new OpTolerance(0, 0, 0, true);

    /** The table's row for a unary op. */
    public static OpTolerance of(UnaryOp op) {
        return switch (op) {
            case SQRT, RECIPROCAL -> CORRECTLY_ROUNDED;
            case RSQRT -> new OpTolerance(2, 0, 0, true);
            case ABS, NEG, ROUND, FLOOR, CEIL, TRUNC, IS_FINITE, LOGICAL_NOT -> EXACT;
            case EXP, TANH, SIGMOID -> new OpTolerance(4, 0, TINY, true);
            case ERF -> new OpTolerance(4, 0, 0x1p-22, true);
            case LOG -> new OpTolerance(4, 0, 0x1p-23, true);
            case SIN, COS -> new OpTolerance(4, 2, TINY, true);
        };
    }

    /** The table's row for a binary op on floats (pow scales it by 1 + |b·ln|a||, see {@link #powScale}). */
    public static OpTolerance of(BinaryOp op) {
        return switch (op) {
            case POW -> new OpTolerance(16, 0, TINY, true);
            case ADD, SUB, MUL, DIV -> CORRECTLY_ROUNDED;
            default -> EXACT;
        };
    }

    /** How pow's own error grows with the size of the exponent's effect. */
    public static double powScale(double a, double b) {
        double s = Math.abs(b * Math.log(Math.abs(a)));
        return 1 + (Double.isFinite(s) ? s : 0);
    }

    /** Rounding error bound of summing {@code n} elements whose absolute values total {@code absSum}, in any fixed order. */
    public static double sumBound(long n, double absSum) {
        return (2 * Math.sqrt(n) + 16) * RefTypes.U32 * absSum;
    }

    /** The k chunk of a matrix product's documented summation order. */
    static final int MATMUL_K_CHUNK = 256;

    /** Own error of one element of a matrix product over {@code k} products whose absolute values total {@code absSum}, of magnitude up to {@code result} (see the table). */
    public static double matmulBound(long k, double absSum, double result) {
        if (k <= 1) {
            return 0;
        }
        long roundings = k + (k + MATMUL_K_CHUNK - 1) / MATMUL_K_CHUNK;
        return sumBound(roundings, absSum) + roundings * 0x1p-150 + RefTypes.ulp(DType.F32, result);
    }

    /**
     * Where {@code got} first differs from {@code expected} beyond the bounds, or {@code null}.
     * {@code got} holds the values read from the kernel's output tensor.
     */
    public static Mismatch firstMismatch(RefTensor expected, RefTensor got) {
        if (expected.dtype() != got.dtype() || !Arrays.equals(expected.shape(), got.shape())) {
            return new Mismatch(-1, got.toString(), expected.toString(), 0, "dtype or shape differs");
        }
        for (int i = 0; i < expected.size(); i++) {
            double bound = expected.err()[i];
            if (bound == Double.POSITIVE_INFINITY) {
                continue;
            }
            if (!expected.isFloat()) {
                if (expected.ints()[i] != got.ints()[i]) {
                    return new Mismatch(i, Long.toString(got.ints()[i]), Long.toString(expected.ints()[i]), 0, "");
                }
                continue;
            }
            DType t = expected.dtype();
            double r = expected.floats()[i];
            double want = RefTypes.roundTo(t, r);
            double g = got.floats()[i];
            if (!matches(t, r, want, bound, g)) {
                double tol = bound == 0 ? 0 : Math.max(RefTypes.roundTo(t, r + bound) - want, want - RefTypes.roundTo(t, r - bound));
                return new Mismatch(i, Double.toString(g), Double.toString(want), tol,
                        want == r ? "" : "(reference before rounding to " + RefTypes.name(t) + ": " + r + ")");
            }
        }
        return null;
    }

    /**
     * Whether stored value {@code g} can come from a kernel value within {@code bound} of the
     * reference's {@code r}: rounding to the output type is monotone, so the stored value lies
     * between the interval's ends rounded to that type. (Adding one ulp of the type at |r| is not
     * enough: a wide interval's far end rounds with the ulp of its own, larger, magnitude.)
     */
    private static boolean matches(DType t, double r, double want, double bound, double g) {
        if (Double.isNaN(want) || Double.isNaN(g)) {
            return Double.isNaN(want) && Double.isNaN(g);
        }
        if (bound == 0) {
            return g == want;
        }
        return RefTypes.roundTo(t, r - bound) <= g && g <= RefTypes.roundTo(t, r + bound);
    }

    /** An output element outside its bound. */
    public record Mismatch(int index, String got, String expected, double tolerance, String note) {
        /** {@code index} as a multi-index of {@code shape}. */
        public static String multiIndex(int index, long[] shape) {
            long[] idx = new long[shape.length];
            long rest = index;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = shape[d] == 0 ? 0 : rest % shape[d];
                rest = shape[d] == 0 ? 0 : rest / shape[d];
            }
            return Arrays.toString(idx);
        }
    }
}
