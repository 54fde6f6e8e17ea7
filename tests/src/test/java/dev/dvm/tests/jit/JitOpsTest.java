package dev.dvm.tests.jit;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.dvm.core.DType;
import dev.dvm.tests.property.KernelProperty;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.KernelSpec.InputSpec;
import dev.dvm.tests.reference.OpSpec;
import dev.dvm.tests.reference.OpSpec.BinaryOp;
import dev.dvm.tests.reference.OpSpec.Scalar;
import dev.dvm.tests.reference.OpSpec.UnaryOp;
import dev.dvm.tests.reference.RefTensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Kernels beyond F32 arithmetic through the JIT tier: compares, selects, logic, casts, I32
 * arithmetic, BOOL, BF16 and F16 memory, strided (transposed) loads, the polynomial LOG, ERF, SIN
 * and COS. Each compiles whole (at one shape) and runs forced through the JIT on three cores bit-identically to
 * the interpreter on one, and within the reference's bounds, at shapes with row and column tails.
 */
class JitOpsTest {
    private static final long[][] SHAPES = {{1, 1}, {3, 5}, {33, 96}, {130, 1000}, {600, 700}};

    @AutoClose
    private static final KernelProperty RUNNER = new KernelProperty(true);

    /** where(x > 0, x, 0.1 x) over BF16, with the mask as a BOOL output and its negation. */
    @Test
    void selectOnBf16WithBoolOutputs() {
        KernelSpec spec = new KernelSpec("leaky_relu_bf16", List.of(new InputSpec(DType.BF16, new long[] {-1, -1})), List.of(
                new OpSpec.BinaryScalar(BinaryOp.GREATER, 0, Scalar.of(0.0), false),
                new OpSpec.BinaryScalar(BinaryOp.MUL, 0, Scalar.of(0.1), false),
                new OpSpec.Select(1, 0, 2),
                new OpSpec.Unary(UnaryOp.LOGICAL_NOT, 1)), List.of(3, 1, 4));
        check(spec, 33, 96);
    }

    /** where(x != 0, x, Σ x over the row): a SELECT whose value operand is a row value, computed in the pass after the sum. */
    @Test
    void selectOfARowValue() {
        KernelSpec spec = new KernelSpec("select_row_value", List.of(new InputSpec(DType.F32, new long[] {-1, -1})), List.of(
                new OpSpec.Reduce(OpSpec.ReduceOp.SUM, 0, true, new int[] {-1}),
                new OpSpec.BinaryScalar(BinaryOp.NOT_EQUAL, 0, Scalar.of(0.0), false),
                new OpSpec.Select(2, 0, 1)), List.of(3));
        check(spec, 33, 96);
    }

    /** Casts between F32, I32 and BOOL, I32 arithmetic with a left scalar, logic and IS_FINITE. */
    @Test
    void integerArithmeticCastsAndLogic() {
        KernelSpec spec = new KernelSpec("int_mix", List.of(new InputSpec(DType.F32, new long[] {-1, -1}),
                new InputSpec(DType.I32, new long[] {-1, -1})), List.of(
                new OpSpec.Cast(0, DType.I32),
                new OpSpec.BinaryScalar(BinaryOp.SUB, 2, Scalar.of(7L), true),
                new OpSpec.Binary(BinaryOp.MAXIMUM, 3, 1),
                new OpSpec.Binary(BinaryOp.MUL, 4, 1),
                new OpSpec.Cast(5, DType.F32),
                new OpSpec.Unary(UnaryOp.IS_FINITE, 0),
                new OpSpec.Binary(BinaryOp.LESS_EQUAL, 0, 6),
                new OpSpec.Binary(BinaryOp.LOGICAL_AND, 7, 8),
                new OpSpec.Cast(9, DType.F32),
                new OpSpec.Binary(BinaryOp.ADD, 10, 6)), List.of(5, 11, 9));
        check(spec, 33, 96);
    }

    /** A transposed (strided) input, the polynomial LOG, ERF, SIN and COS, and an F16 output. */
    @Test
    void stridedLoadTranscendentalsAndF16Store() {
        KernelSpec spec = new KernelSpec("transposed_math", List.of(new InputSpec(DType.F32, new long[] {-1, -1})), List.of(
                new OpSpec.Permute(0, new int[] {1, 0}),
                new OpSpec.Unary(UnaryOp.ABS, 1),
                new OpSpec.Unary(UnaryOp.LOG, 2),
                new OpSpec.Unary(UnaryOp.ERF, 1),
                new OpSpec.Unary(UnaryOp.SIN, 1),
                new OpSpec.Unary(UnaryOp.COS, 1),
                new OpSpec.Binary(BinaryOp.ADD, 3, 4),
                new OpSpec.Binary(BinaryOp.MUL, 5, 6),
                new OpSpec.Binary(BinaryOp.ADD, 7, 8),
                new OpSpec.Cast(9, DType.F16)), List.of(10));
        // Rows too long for one tile: at [33, 96] the whole transposed input fits one, whose two inner dims stay interpreted.
        check(spec, 600, 700);
    }

    private static void check(KernelSpec spec, long rows, long cols) {
        JitAssertions.assertCompilable(spec, rows, cols);
        KernelSpec.Built built = spec.build();
        for (long[] shape : SHAPES) {
            List<RefTensor> inputs = inputs(spec, shape, shape[0] * 31 + shape[1]);
            assertNull(RUNNER.checkInputs(spec, built.kernel(), inputs), spec.name() + " on " + shape[0] + " x " + shape[1]);
        }
    }

    /** Values in [-4, 4) with one in eight special: zeros of both signs, infinities, NaN, huge. */
    private static List<RefTensor> inputs(KernelSpec spec, long[] shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] specials = {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 3e38, -1e30};
        return spec.inputs().stream().map(in -> {
            int n = Math.toIntExact(shape[0] * shape[1]);
            if (in.dtype() == DType.I32) {
                return RefTensor.ofInts(DType.I32, shape.clone(), r.longs(n, -50, 50).toArray());
            }
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextInt(8) == 0 ? specials[r.nextInt(specials.length)] : r.nextDouble(-4, 4);
            }
            return RefTensor.ofFloats(in.dtype(), shape.clone(), v);
        }).toList();
    }
}
