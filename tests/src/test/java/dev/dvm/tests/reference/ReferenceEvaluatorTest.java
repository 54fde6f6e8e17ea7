package dev.dvm.tests.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.DType;
import dev.dvm.tests.reference.OpSpec.BinaryOp;
import dev.dvm.tests.reference.OpSpec.ReduceOp;
import dev.dvm.tests.reference.OpSpec.Scalar;
import dev.dvm.tests.reference.OpSpec.UnaryOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed cases for every op of the reference evaluator, its dtype rules and its bounds. */
class ReferenceEvaluatorTest {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;

    private static RefTensor f32(long[] shape, double... v) {
        return RefTensor.ofFloats(DType.F32, shape, v);
    }

    private static RefTensor f32(double... v) {
        return f32(new long[] {v.length}, v);
    }

    private static RefTensor zeros(long[] shape) {
        return f32(shape, new double[Math.toIntExact(RefTensor.count(shape))]);
    }

    private static RefTensor ints(DType t, long... v) {
        return RefTensor.ofInts(t, new long[] {v.length}, v);
    }

    private static long[] s(long... dims) {
        return dims;
    }

    private static RefTensor eval(OpSpec op, RefTensor... values) {
        return ReferenceEvaluator.apply(op, List.of(values));
    }

    private static void assertFloats(RefTensor t, DType dtype, double... expected) {
        assertEquals(dtype, t.dtype());
        assertArrayEquals(expected, t.floats(), 0.0);
    }

    private static void assertInts(RefTensor t, DType dtype, long... expected) {
        assertEquals(dtype, t.dtype());
        assertArrayEquals(expected, t.ints());
    }

    // ---- dtype rules

    @Test
    void promotionTable() {
        DType[] order = {DType.BOOL, DType.I32, DType.I64, DType.BF16, DType.F16, DType.F32};
        String[] table = {
            // BOOL  I32   I64   BF16  F16   F32
            "BOOL  I32   I64   BF16  F16   F32",
            "I32   I32   I64   BF16  F16   F32",
            "I64   I64   I64   BF16  F16   F32",
            "BF16  BF16  BF16  BF16  F32   F32",
            "F16   F16   F16   F32   F16   F32",
            "F32   F32   F32   F32   F32   F32",
        };
        for (int i = 0; i < order.length; i++) {
            String[] row = table[i].trim().split("\\s+");
            for (int j = 0; j < order.length; j++) {
                assertEquals(DType.valueOf(row[j]), RefTypes.promote(order[i], order[j]), order[i] + " with " + order[j]);
            }
        }
    }

    @Test
    void scalarDtypes() {
        assertEquals(DType.F32, RefTypes.withDoubleScalar(DType.I32));
        assertEquals(DType.F32, RefTypes.withDoubleScalar(DType.I64));
        assertEquals(DType.F32, RefTypes.withDoubleScalar(DType.BOOL));
        assertEquals(DType.F16, RefTypes.withDoubleScalar(DType.F16));
        assertEquals(DType.BF16, RefTypes.withDoubleScalar(DType.BF16));
        assertEquals(DType.I32, RefTypes.withLongScalar(DType.BOOL));
        assertEquals(DType.I64, RefTypes.withLongScalar(DType.I64));
        assertEquals(DType.F16, RefTypes.withLongScalar(DType.F16));
    }

    @Test
    void resultDtypesOfOpFamilies() {
        assertEquals(DType.F32, eval(new OpSpec.Unary(UnaryOp.SQRT, 0), ints(DType.I32, 4)).dtype());
        assertEquals(DType.I32, eval(new OpSpec.Unary(UnaryOp.ABS, 0), ints(DType.BOOL, 1)).dtype());
        assertInts(eval(new OpSpec.Unary(UnaryOp.FLOOR, 0), ints(DType.I64, -7)), DType.I64, -7);
        assertInts(eval(new OpSpec.Unary(UnaryOp.IS_FINITE, 0), ints(DType.I32, 3)), DType.BOOL, 1);
        assertFloats(eval(new OpSpec.Binary(BinaryOp.DIV, 0, 1), ints(DType.I32, 7), ints(DType.I32, 2)), DType.F32, 3.5);
        assertEquals(DType.BOOL, eval(new OpSpec.Binary(BinaryOp.LESS, 0, 1), f32(1), f32(2)).dtype());
        assertInts(eval(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[0]), ints(DType.BOOL, 1, 1, 0, 1)), DType.I32, 3);
        // I32 with F16 computes in F16: 2049 is not an F16 value and rounds to 2048 (even).
        assertFloats(eval(new OpSpec.Binary(BinaryOp.ADD, 0, 1), ints(DType.I32, 2049), RefTensor.ofFloats(DType.F16, s(1), new double[] {0})), DType.F16, 2048);
    }

    // ---- unary

    @Test
    void unaryFloatOps() {
        RefTensor x = f32(4, 0.25, -0.0);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.SQRT, 0), x), DType.F32, 2, 0.5, -0.0);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.RSQRT, 0), x), DType.F32, 0.5, 2, -INF);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.RECIPROCAL, 0), x), DType.F32, 0.25, 4, -INF);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.LOG, 0), f32(1, 0, -1)), DType.F32, 0, -INF, NAN);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.EXP, 0), f32(0, 1, 100)), DType.F32, 1, (float) Math.E, INF);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.ABS, 0), f32(-2.5, NAN)), DType.F32, 2.5, NAN);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.NEG, 0), f32(-2.5, 0)), DType.F32, 2.5, -0.0);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.TANH, 0), f32(0, 20)), DType.F32, 0, 1);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.SIGMOID, 0), f32(0, -200)), DType.F32, 0.5, 0);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.ERF, 0), f32(0, 0.5, -1, 4, 10)), DType.F32,
                0, (float) 0.5204998778130465, (float) -0.8427007929497149, (float) 0.9999999845827421, 1);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.SIN, 0), f32(0, Math.PI / 2)), DType.F32, 0, 1);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.COS, 0), f32(0)), DType.F32, 1);
    }

    @Test
    void roundingOps() {
        RefTensor x = f32(0.5, 1.5, 2.5, -0.5, -1.5, 2.7, -2.7);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.ROUND, 0), x), DType.F32, 0, 2, 2, -0.0, -2, 3, -3);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.FLOOR, 0), x), DType.F32, 0, 1, 2, -1, -2, 2, -3);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.CEIL, 0), x), DType.F32, 1, 2, 3, -0.0, -1, 3, -2);
        assertFloats(eval(new OpSpec.Unary(UnaryOp.TRUNC, 0), x), DType.F32, 0, 1, 2, -0.0, -1, 2, -2);
    }

    @Test
    void predicatesAndIntegerUnary() {
        assertInts(eval(new OpSpec.Unary(UnaryOp.IS_FINITE, 0), f32(1, NAN, INF, -INF)), DType.BOOL, 1, 0, 0, 0);
        assertInts(eval(new OpSpec.Unary(UnaryOp.LOGICAL_NOT, 0), f32(0, -0.0, NAN, 2)), DType.BOOL, 1, 1, 0, 0);
        assertInts(eval(new OpSpec.Unary(UnaryOp.LOGICAL_NOT, 0), ints(DType.I64, 0, 5)), DType.BOOL, 1, 0);
        assertInts(eval(new OpSpec.Unary(UnaryOp.ABS, 0), ints(DType.I32, Integer.MIN_VALUE, -3)), DType.I32, Integer.MIN_VALUE, 3);
        assertInts(eval(new OpSpec.Unary(UnaryOp.NEG, 0), ints(DType.I64, Long.MIN_VALUE, 4)), DType.I64, Long.MIN_VALUE, -4);
        assertInts(eval(new OpSpec.Unary(UnaryOp.NEG, 0), ints(DType.BOOL, 1, 0)), DType.I32, -1, 0);
    }

    // ---- binary

    @Test
    void integerArithmeticWraps() {
        RefTensor a = ints(DType.I32, Integer.MAX_VALUE, Integer.MIN_VALUE, 70000);
        RefTensor b = ints(DType.I32, 1, 1, 70000);
        assertInts(eval(new OpSpec.Binary(BinaryOp.ADD, 0, 1), a, b), DType.I32, Integer.MIN_VALUE, Integer.MIN_VALUE + 1, 140000);
        assertInts(eval(new OpSpec.Binary(BinaryOp.SUB, 0, 1), a, b), DType.I32, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0);
        assertInts(eval(new OpSpec.Binary(BinaryOp.MUL, 0, 1), a, b), DType.I32, Integer.MAX_VALUE, Integer.MIN_VALUE, (int) (70000L * 70000L));
        assertInts(eval(new OpSpec.Binary(BinaryOp.ADD, 0, 1), ints(DType.I64, Long.MAX_VALUE), ints(DType.I64, 1)), DType.I64, Long.MIN_VALUE);
    }

    @Test
    void integerPow() {
        RefTensor base = ints(DType.I32, 2, 3, -1, 1, 0, 2, -2, 0, 2);
        RefTensor exp = ints(DType.I32, 10, -1, -3, -5, -2, 31, 3, 0, 0);
        assertInts(eval(new OpSpec.Binary(BinaryOp.POW, 0, 1), base, exp), DType.I32, 1024, 0, -1, 1, 0, Integer.MIN_VALUE, -8, 1, 1);
        assertInts(eval(new OpSpec.Binary(BinaryOp.POW, 0, 1), ints(DType.I64, 3), ints(DType.I64, 40)), DType.I64, -6289078614652622815L); // 3^40 wraps mod 2^64
    }

    @Test
    void floatBinaryOps() {
        RefTensor a = f32(1, -2, 3, NAN);
        RefTensor b = f32(4, 0.5, -0.0, 1);
        assertFloats(eval(new OpSpec.Binary(BinaryOp.ADD, 0, 1), a, b), DType.F32, 5, -1.5, 3, NAN);
        assertFloats(eval(new OpSpec.Binary(BinaryOp.SUB, 0, 1), a, b), DType.F32, -3, -2.5, 3, NAN);
        assertFloats(eval(new OpSpec.Binary(BinaryOp.MUL, 0, 1), a, b), DType.F32, 4, -1, -0.0, NAN);
        assertFloats(eval(new OpSpec.Binary(BinaryOp.DIV, 0, 1), a, b), DType.F32, 0.25, -4, -INF, NAN);
        assertFloats(eval(new OpSpec.Binary(BinaryOp.MAXIMUM, 0, 1), a, b), DType.F32, 4, 0.5, 3, NAN);
        assertFloats(eval(new OpSpec.Binary(BinaryOp.MINIMUM, 0, 1), a, b), DType.F32, 1, -2, -0.0, NAN);
        assertFloats(eval(new OpSpec.Binary(BinaryOp.POW, 0, 1), f32(2, 4, -2), f32(0.5, -0.5, 3)), DType.F32, (float) Math.sqrt(2), 0.5, -8);
        // 0.1 + 0.2 in F32 arithmetic, not in double.
        assertFloats(eval(new OpSpec.Binary(BinaryOp.ADD, 0, 1), f32(0.1), f32(0.2)), DType.F32, (float) ((double) (float) 0.1 + (float) 0.2));
    }

    @Test
    void comparesAndLogic() {
        RefTensor a = f32(1, 2, NAN, 3);
        RefTensor b = f32(2, 2, NAN, 1);
        assertInts(eval(new OpSpec.Binary(BinaryOp.EQUAL, 0, 1), a, b), DType.BOOL, 0, 1, 0, 0);
        assertInts(eval(new OpSpec.Binary(BinaryOp.NOT_EQUAL, 0, 1), a, b), DType.BOOL, 1, 0, 1, 1);
        assertInts(eval(new OpSpec.Binary(BinaryOp.GREATER, 0, 1), a, b), DType.BOOL, 0, 0, 0, 1);
        assertInts(eval(new OpSpec.Binary(BinaryOp.GREATER_EQUAL, 0, 1), a, b), DType.BOOL, 0, 1, 0, 1);
        assertInts(eval(new OpSpec.Binary(BinaryOp.LESS, 0, 1), a, b), DType.BOOL, 1, 0, 0, 0);
        assertInts(eval(new OpSpec.Binary(BinaryOp.LESS_EQUAL, 0, 1), a, b), DType.BOOL, 1, 1, 0, 0);
        assertInts(eval(new OpSpec.Binary(BinaryOp.LOGICAL_AND, 0, 1), f32(0, 1, NAN, 2), ints(DType.I32, 5, 0, 1, 3)), DType.BOOL, 0, 0, 1, 1);
        assertInts(eval(new OpSpec.Binary(BinaryOp.LOGICAL_OR, 0, 1), f32(0, 1, 0, -0.0), ints(DType.I32, 0, 0, 7, 0)), DType.BOOL, 0, 1, 1, 0);
        // I64 compares exactly, beyond double precision.
        assertInts(eval(new OpSpec.Binary(BinaryOp.LESS, 0, 1), ints(DType.I64, (1L << 53) + 1), ints(DType.I64, (1L << 53) + 2)), DType.BOOL, 1);
    }

    @Test
    void boolArithmeticIsLogic() {
        RefTensor a = ints(DType.BOOL, 0, 0, 1, 1);
        RefTensor b = ints(DType.BOOL, 0, 1, 0, 1);
        assertInts(eval(new OpSpec.Binary(BinaryOp.ADD, 0, 1), a, b), DType.BOOL, 0, 1, 1, 1);
        assertInts(eval(new OpSpec.Binary(BinaryOp.SUB, 0, 1), a, b), DType.BOOL, 0, 1, 1, 0);
        assertInts(eval(new OpSpec.Binary(BinaryOp.MUL, 0, 1), a, b), DType.BOOL, 0, 0, 0, 1);
        assertInts(eval(new OpSpec.Binary(BinaryOp.POW, 0, 1), a, b), DType.BOOL, 1, 0, 1, 1);
    }

    @Test
    void broadcastingBinary() {
        RefTensor a = f32(s(2, 1), 10, 20);
        RefTensor b = f32(s(3), 1, 2, 3);
        RefTensor r = eval(new OpSpec.Binary(BinaryOp.ADD, 0, 1), a, b);
        assertArrayEquals(s(2, 3), r.shape());
        assertFloats(r, DType.F32, 11, 12, 13, 21, 22, 23);
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Binary(BinaryOp.ADD, 0, 1), f32(s(2), 1, 2), f32(s(3), 1, 2, 3)));
    }

    @Test
    void scalarOperands() {
        assertFloats(eval(new OpSpec.BinaryScalar(BinaryOp.ADD, 0, Scalar.of(0.5), false), ints(DType.I32, 2)), DType.F32, 2.5);
        assertInts(eval(new OpSpec.BinaryScalar(BinaryOp.ADD, 0, Scalar.of(2L), false), ints(DType.BOOL, 1)), DType.I32, 3);
        assertFloats(eval(new OpSpec.BinaryScalar(BinaryOp.SUB, 0, Scalar.of(1.0), true), f32(3)), DType.F32, -2);
        assertFloats(eval(new OpSpec.BinaryScalar(BinaryOp.POW, 0, Scalar.of(2L), true), f32(3)), DType.F32, 8);
        // The scalar is rounded to the F16 compute dtype: 0.1 becomes 0.0999755859375.
        RefTensor h = RefTensor.ofFloats(DType.F16, s(1), new double[] {0});
        assertFloats(eval(new OpSpec.BinaryScalar(BinaryOp.ADD, 0, Scalar.of(0.1), false), h), DType.F16, 0.0999755859375);
    }

    // ---- select, cast

    @Test
    void selectBroadcastsAndPromotes() {
        RefTensor cond = RefTensor.ofInts(DType.BOOL, s(2, 1), new long[] {1, 0});
        RefTensor r = eval(new OpSpec.Select(0, 1, 2), cond, ints(DType.I32, 1, 2), f32(s(1), 0.5));
        assertArrayEquals(s(2, 2), r.shape());
        assertFloats(r, DType.F32, 1, 2, 0.5, 0.5);
    }

    @Test
    void castRules() {
        RefTensor x = f32(-2.7, 2.7, 1e10, -1e10, NAN, INF, -0.0);
        assertInts(ReferenceEvaluator.convert(x, DType.I32), DType.I32, -2, 2, Integer.MAX_VALUE, Integer.MIN_VALUE, 0, Integer.MAX_VALUE, 0);
        assertInts(ReferenceEvaluator.convert(x, DType.I64), DType.I64, -2, 2, 10_000_000_000L, -10_000_000_000L, 0, Long.MAX_VALUE, 0);
        assertInts(ReferenceEvaluator.convert(x, DType.BOOL), DType.BOOL, 1, 1, 1, 1, 1, 1, 0);
        // F16: 1 + 2^-11 is a tie between 1 and 1 + 2^-10: even is 1; 65520 rounds to infinity, 65519 to 65504.
        assertFloats(ReferenceEvaluator.convert(f32(1 + 0x1p-11, 1 + 3 * 0x1p-11, 65520, 65519, 1e-8), DType.F16), DType.F16,
                1, 1 + 0x1p-9, INF, 65504, 0);
        // BF16: ties to even at 7 fraction bits; NaN stays NaN.
        assertFloats(ReferenceEvaluator.convert(f32(1 + 0x1p-8, 1 + 3 * 0x1p-8, NAN, 3.0e38), DType.BF16), DType.BF16,
                1, 1 + 0x1p-6, NAN, Float.intBitsToFloat(0x7F62_0000));
        assertInts(ReferenceEvaluator.convert(ints(DType.I64, (1L << 32) + 5, -1L << 31, (1L << 31)), DType.I32), DType.I32, 5, Integer.MIN_VALUE, Integer.MIN_VALUE);
        assertFloats(ReferenceEvaluator.convert(ints(DType.BOOL, 1, 0), DType.F32), DType.F32, 1, 0);
        assertInts(ReferenceEvaluator.convert(ints(DType.I32, 0, -4), DType.BOOL), DType.BOOL, 0, 1);
        assertFloats(ReferenceEvaluator.convert(ints(DType.I32, 16777217), DType.F32), DType.F32, 16777216);
    }

    // ---- layout

    @Test
    void broadcastReshapePermute() {
        RefTensor x = f32(s(3), 1, 2, 3);
        RefTensor b = eval(new OpSpec.Broadcast(0, s(2, -1)), x);
        assertArrayEquals(s(2, 3), b.shape());
        assertFloats(b, DType.F32, 1, 2, 3, 1, 2, 3);
        RefTensor col = f32(s(2, 1), 5, 6);
        assertFloats(eval(new OpSpec.BroadcastLike(0, 1), col, b), DType.F32, 5, 5, 5, 6, 6, 6);
        RefTensor m = f32(s(2, 3), 1, 2, 3, 4, 5, 6);
        assertArrayEquals(s(3, 2), eval(new OpSpec.Reshape(0, s(-1, 2)), m).shape());
        assertArrayEquals(s(2, 1, 3), eval(new OpSpec.Reshape(0, s(0, 1, 3)), m).shape());
        RefTensor t = eval(new OpSpec.Permute(0, new int[] {1, 0}), m);
        assertArrayEquals(s(3, 2), t.shape());
        assertFloats(t, DType.F32, 1, 4, 2, 5, 3, 6);
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Reshape(0, s(4, -1)), m));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Permute(0, new int[] {0, 0}), m));
    }

    @Test
    void slicesClampLikePython() {
        RefTensor x = f32(s(6), 0, 1, 2, 3, 4, 5);
        assertFloats(eval(new OpSpec.Slice(0, s(-2), s(Long.MAX_VALUE), s(1)), x), DType.F32, 4, 5);
        assertFloats(eval(new OpSpec.Slice(0, s(1), s(100), s(2)), x), DType.F32, 1, 3, 5);
        assertFloats(eval(new OpSpec.Slice(0, s(-100), s(-4), s(1)), x), DType.F32, 0, 1);
        assertFloats(eval(new OpSpec.Slice(0, s(4), s(2), s(1)), x), DType.F32);
        RefTensor m = f32(s(2, 3), 1, 2, 3, 4, 5, 6);
        assertFloats(eval(new OpSpec.Slice(0, s(1, 0), s(2, 3), s(1, 2)), m), DType.F32, 4, 6);
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Slice(0, s(0), s(1), s(0)), x));
    }

    @Test
    void concatAndSplit() {
        RefTensor a = f32(s(2, 1), 1, 2);
        RefTensor b = RefTensor.ofInts(DType.I32, s(2, 2), new long[] {3, 4, 5, 6});
        RefTensor c = eval(new OpSpec.Concat(-1, new int[] {0, 1}), a, b);
        assertArrayEquals(s(2, 3), c.shape());
        assertFloats(c, DType.F32, 1, 3, 4, 2, 5, 6);
        RefTensor m = f32(s(2, 3), 1, 2, 3, 4, 5, 6);
        assertFloats(eval(new OpSpec.Split(0, 1, s(1, -1), 0, 1), m), DType.F32, 2, 3, 5, 6);
        assertFloats(eval(new OpSpec.Split(0, 0, null, 2, 1), m), DType.F32, 4, 5, 6);
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Split(0, 1, null, 2, 0), m));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Concat(0, new int[] {0, 1}), a, b));
    }

    @Test
    void oneHotFillCopyElemAny() {
        RefTensor idx = ints(DType.I32, 0, 2, -1, 3);
        RefTensor h = eval(new OpSpec.OneHot(0, 3, 2.5, -1, DType.F32), idx);
        assertArrayEquals(s(4, 3), h.shape());
        assertFloats(h, DType.F32, 2.5, -1, -1, -1, -1, 2.5, -1, -1, -1, -1, -1, -1);
        assertInts(eval(new OpSpec.Fill(7, DType.I64, 0), idx), DType.I64, 7, 7, 7, 7);
        // Integer dtypes take only integral constants in range, as KernelBuilder documents in its errors.
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.OneHot(0, 3, 2.5, -1, DType.I64), idx));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Fill(0.5, DType.I32, 0), idx));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Fill(3e9, DType.I32, 0), idx));
        assertInts(eval(new OpSpec.OneHot(0, 2, 2.5, 0, DType.BOOL), idx), DType.BOOL, 1, 0, 0, 0, 0, 0, 0, 0);
        assertFloats(eval(new OpSpec.Copy(0), f32(1, NAN)), DType.F32, 1, NAN);
        assertInts(eval(new OpSpec.ElemAny(0), f32(0, -0.0, 0)), DType.BOOL, 0);
        assertInts(eval(new OpSpec.ElemAny(0), f32(0, NAN)), DType.BOOL, 1);
        assertInts(eval(new OpSpec.ElemAny(0), f32(s(0))), DType.BOOL, 0);
    }

    @Test
    void reductions() {
        RefTensor x = f32(s(2, 3), 1, 5, 3, -4, 2, NAN);
        RefTensor sum = eval(new OpSpec.Reduce(ReduceOp.SUM, 0, true, new int[] {0}), x);
        assertArrayEquals(s(1, 3), sum.shape());
        assertFloats(sum, DType.F32, -3, 7, NAN);
        assertFloats(eval(new OpSpec.Reduce(ReduceOp.MAX, 0, false, new int[] {-1}), x), DType.F32, 5, NAN);
        assertFloats(eval(new OpSpec.Reduce(ReduceOp.MIN, 0, false, new int[] {1}), x), DType.F32, 1, NAN);
        RefTensor all = eval(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[0]), f32(s(2, 2), 1, 2, 3, 4));
        assertArrayEquals(s(), all.shape());
        assertFloats(all, DType.F32, 10);
        assertFloats(eval(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[] {0}), f32(s(0, 2))), DType.F32, 0, 0);
        assertInts(eval(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[0]), ints(DType.I32, Integer.MAX_VALUE, 1)), DType.I32, Integer.MIN_VALUE);
        assertInts(eval(new OpSpec.Reduce(ReduceOp.MAX, 0, false, new int[0]), ints(DType.BOOL, 0, 1)), DType.BOOL, 1);
        // F16 sums accumulate in F32 and round back: 2048 + 1 + 1 = 2050 (2048 + 1 alone would round to 2048 in F16).
        RefTensor half = RefTensor.ofFloats(DType.F16, s(3), new double[] {2048, 1, 1});
        assertFloats(eval(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[0]), half), DType.F16, 2050);
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[] {0, -2}), x));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[] {2}), x));
    }

    @Test
    void matmulTransposesAndBroadcastsBatches() {
        // a [2, 2, 3] (two matrices), b [3, 2] shared by both: [[1, 2, 3], [4, 5, 6]]·[[1, 0], [0, 1], [1, 1]] = [[4, 5], [10, 11]].
        RefTensor a = f32(s(2, 2, 3), 1, 2, 3, 4, 5, 6, 0, 0, 0, -1, 0, 1);
        RefTensor b = f32(s(3, 2), 1, 0, 0, 1, 1, 1);
        RefTensor product = eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS), a, b);
        assertArrayEquals(s(2, 2, 2), product.shape());
        assertFloats(product, DType.F32, 4, 5, 10, 11, 0, 0, 0, 1);
        // The same products with both operands stored transposed: a as [3, 2] per matrix, b as [2, 3].
        RefTensor at = f32(s(2, 3, 2), 1, 4, 2, 5, 3, 6, 0, -1, 0, 0, 0, 1);
        RefTensor bt = f32(s(2, 3), 1, 0, 1, 0, 1, 1);
        assertFloats(eval(new OpSpec.MatMul(0, 1, true, true, OpSpec.MatMul.NO_BIAS), at, bt), DType.F32, 4, 5, 10, 11, 0, 0, 0, 1);
        // A batch dim of 1 on one side broadcasts against 2 on the other: [1, 2, 2, 1]·[2, 1, 1, 2] is [2, 2, 2, 2].
        RefTensor col = f32(s(1, 2, 2, 1), 1, 2, 3, 4);
        RefTensor row = RefTensor.ofFloats(DType.BF16, s(2, 1, 1, 2), new double[] {1, 10, -1, 0.5});
        RefTensor outer = eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS), col, row);
        assertArrayEquals(s(2, 2, 2, 2), outer.shape());
        assertFloats(outer, DType.F32, 1, 10, 2, 20, 3, 30, 4, 40, -1, 0.5, -2, 1, -3, 1.5, -4, 2);
        // A bias [N] is added like add(); the result stays F32 for an F16 bias.
        RefTensor bias = RefTensor.ofFloats(DType.F16, s(2), new double[] {0.5, -1});
        assertFloats(eval(new OpSpec.MatMul(0, 1, false, false, 2), a, b, bias), DType.F32, 4.5, 4, 10.5, 10, 0.5, -1, 0.5, 0);
        // Inner dims, ranks, dtypes, batches and a bias that would grow the product are rejected.
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.MatMul(0, 1, true, false, OpSpec.MatMul.NO_BIAS), a, b));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS), f32(1, 2, 3), b));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS), zeros(s(1, 1, 1, 1, 3)), b));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS),
                RefTensor.ofInts(DType.I32, s(1, 3), new long[] {1, 2, 3}), b));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS), a, zeros(s(3, 3, 2))));
        assertThrows(ReferenceException.class, () -> eval(new OpSpec.MatMul(0, 1, false, false, 2), zeros(s(2, 3)), b, zeros(s(3, 2, 2))));
    }

    @Test
    void matmulBounds() {
        // K = 1: one FMA into +0 rounds a·b once, so the F32 value must be exact; 1/3·3 rounds to 1.
        RefTensor third = f32(s(1, 1), 1.0 / 3);
        RefTensor one = eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS), third, f32(s(1, 1), 3));
        assertEquals(0, one.err()[0]);
        assertFloats(one, DType.F32, RefTypes.f32((double) (float) (1.0 / 3) * 3));
        // K = 4096 products of 1/3 and 1: bounded by reduceSum's rule over n = 4096 + 16 roundings.
        int k = 4096;
        double[] ones = new double[k];
        java.util.Arrays.fill(ones, 1);
        double[] thirds = new double[k];
        java.util.Arrays.fill(thirds, 1.0 / 3);
        RefTensor sum = eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS), f32(s(1, k), thirds), f32(s(k, 1), ones));
        double absSum = k * (double) (float) (1.0 / 3);
        assertEquals(Tolerances.sumBound(k + 16, absSum) + (k + 16) * 0x1p-150 + Math.ulp((float) absSum), sum.err()[0], 1e-12);
        assertTrue(sum.err()[0] < 1e-5 * absSum, "bound " + sum.err()[0]);
        // Infinite and NaN operands give IEEE's result exactly; a sum that may overflow F32 is unchecked.
        RefTensor specials = eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS), f32(s(3, 2), INF, 1, INF, NAN, 1e30, 1e30),
                f32(s(2, 1), 1e20, -1e20));
        assertFloats(specials, DType.F32, INF, NAN, 0);
        assertArrayEquals(new double[] {0, 0, INF}, specials.err());
        // Operand bounds propagate like mul's and add's.
        RefTensor inexact = new RefTensor(DType.F32, s(1, 2), new double[] {1, 2}, null, new double[] {1e-6, 1e-6});
        RefTensor p = eval(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS), inexact, f32(s(2, 1), 3, 4));
        assertTrue(p.err()[0] >= 7e-6, "bound " + p.err()[0]);
    }

    // ---- bounds and comparison

    @Test
    void boundsGrowWithConditioning() {
        RefTensor e = eval(new OpSpec.Unary(UnaryOp.EXP, 0), f32(1));
        double bound = e.err()[0];
        assertTrue(bound > 0 && bound <= 5 * Math.ulp((float) Math.E), "exp bound " + bound);
        RefTensor sum = eval(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[0]), f32(new long[] {4}, 1, -1, 1, -1));
        assertTrue(sum.err()[0] > 0 && sum.err()[0] < 1e-5);
        // Exact inputs give exact compares; a compare of an inexact value at a near-tie is unchecked.
        RefTensor near = eval(new OpSpec.Binary(BinaryOp.GREATER, 0, 1), e, f32((float) Math.E));
        assertEquals(INF, near.err()[0]);
        RefTensor far = eval(new OpSpec.Binary(BinaryOp.GREATER, 0, 1), e, f32(2));
        assertEquals(0, far.err()[0]);
        assertInts(far, DType.BOOL, 1);
    }

    @Test
    void uncheckedOperandsGiveUncheckedResults() {
        // An unchecked value may be anything, NaN included (an F32 sum that overflows to +inf and meets -inf),
        // so even a bounded function of it is unchecked.
        RefTensor unknown = new RefTensor(DType.F32, s(1), new double[] {0}, null, new double[] {INF});
        for (UnaryOp op : new UnaryOp[] {UnaryOp.ERF, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.SIN, UnaryOp.EXP}) {
            assertEquals(INF, eval(new OpSpec.Unary(op, 0), unknown).err()[0], op.name());
        }
    }

    @Test
    void roundingOpsOnInexactOperandsAllowOneMoreUlp() {
        // Exact operands: a correctly rounded op must give the reference's value exactly.
        RefTensor exactSum = eval(new OpSpec.BinaryScalar(BinaryOp.ADD, 0, Scalar.of(1.0), false), f32(0.1));
        assertEquals(0, exactSum.err()[0]);
        // An operand off by up to 1e-9: the kernel rounds x' + 1 where the reference rounds x + 1, and the two
        // may round apart, so the bound is the propagated 1e-9 plus 1 F32 ulp of the result.
        RefTensor inexact = new RefTensor(DType.F32, s(1), new double[] {(float) 0.1}, null, new double[] {1e-9});
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
            RefTensor r = eval(new OpSpec.BinaryScalar(op, 0, Scalar.of(1.0), false), inexact);
            double ulp = Math.ulp((float) Math.abs(r.floats()[0]));
            assertTrue(r.err()[0] >= 1e-9 + ulp && r.err()[0] <= 1e-9 + 2 * ulp, op + " bound " + r.err()[0]);
        }
        RefTensor root = eval(new OpSpec.Unary(UnaryOp.SQRT, 0), inexact);
        assertTrue(root.err()[0] >= Math.ulp((float) root.floats()[0]), "sqrt bound " + root.err()[0]);
        // Ops whose result is exact do not round: only the propagated error.
        assertEquals(1e-9, eval(new OpSpec.Unary(UnaryOp.NEG, 0), inexact).err()[0]);
        assertEquals(1e-9, eval(new OpSpec.BinaryScalar(BinaryOp.MAXIMUM, 0, Scalar.of(0.0), false), inexact).err()[0]);
    }

    @Test
    void toleranceComparison() {
        RefTensor want = eval(new OpSpec.Unary(UnaryOp.EXP, 0), f32(1, 0));
        assertNull(Tolerances.firstMismatch(want, f32(Math.nextUp((float) Math.E), 1)));
        Tolerances.Mismatch m = Tolerances.firstMismatch(want, f32((float) Math.E, 1.001));
        assertNotNull(m);
        assertEquals(1, m.index());
        assertNull(Tolerances.firstMismatch(f32(NAN, INF), f32(NAN, INF)));
        assertNotNull(Tolerances.firstMismatch(f32(NAN), f32(0)));
        assertNotNull(Tolerances.firstMismatch(f32(1), f32(Math.nextUp(1f))));
        assertNotNull(Tolerances.firstMismatch(ints(DType.I32, 1, 2), ints(DType.I32, 1, 3)));
        // An exact F16 output must be the reference rounded to F16.
        RefTensor half = RefTensor.ofFloats(DType.F16, s(1), new double[] {0});
        RefTensor sum = eval(new OpSpec.BinaryScalar(BinaryOp.ADD, 0, Scalar.of(1.0), false), half);
        assertNull(Tolerances.firstMismatch(sum, RefTensor.ofFloats(DType.F16, s(1), new double[] {1})));
        assertNotNull(Tolerances.firstMismatch(sum, RefTensor.ofFloats(DType.F16, s(1), new double[] {1 + 0x1p-10})));
        assertEquals("[1, 2]", Tolerances.Mismatch.multiIndex(5, s(2, 3)));
    }

    @Test
    void wideIntervalsRoundToTheOutputTypeAtTheirEnds() {
        // sigmoid(17) is 1 - 4e-8: within its bound of 1, so floor may give 0 or 1 and erf 0 or erf(1) = 0.8427.
        // The kernel stores bf16(erf(1)) = 0.84375, beyond 0 + the bound + 1 bf16 ulp at 0; rounding the
        // interval's ends to BF16 admits it.
        RefTensor x = RefTensor.ofFloats(DType.BF16, s(1), new double[] {17});
        RefTensor floor = eval(new OpSpec.Unary(UnaryOp.FLOOR, 0), eval(new OpSpec.Unary(UnaryOp.SIGMOID, 0), x));
        assertFloats(floor, DType.BF16, 0);
        RefTensor erf = eval(new OpSpec.Unary(UnaryOp.ERF, 0), floor);
        assertTrue(erf.err()[0] < 0.84375, "erf bound " + erf.err()[0]);
        double bf16ErfOne = RefTypes.bf16(RefMath.erf(1));
        assertNull(Tolerances.firstMismatch(erf, RefTensor.ofFloats(DType.BF16, s(1), new double[] {bf16ErfOne})));
        assertNotNull(Tolerances.firstMismatch(erf, RefTensor.ofFloats(DType.BF16, s(1), new double[] {bf16ErfOne + 0x1p-7})));
        assertNotNull(Tolerances.firstMismatch(erf, RefTensor.ofFloats(DType.BF16, s(1), new double[] {-bf16ErfOne - 0x1p-7})));
        // The same for a cast: the kernel's value may be 0.8427, which rounds to 0.84375 in BF16.
        RefTensor wide = new RefTensor(DType.F32, s(1), new double[] {0}, null, new double[] {erf.err()[0]});
        assertTrue(ReferenceEvaluator.convert(wide, DType.BF16).err()[0] >= 0.84375);
    }

    @Test
    void kernelSpecEvaluatesOpsInOrder() {
        KernelSpec spec = new KernelSpec("k", List.of(new KernelSpec.InputSpec(DType.F32, s(-1, 2)), new KernelSpec.InputSpec(DType.I32, s(2))),
                List.of(new OpSpec.Binary(BinaryOp.ADD, 0, 1), new OpSpec.Reduce(ReduceOp.SUM, 2, false, new int[] {1})), List.of(3, 2));
        List<RefTensor> out = ReferenceEvaluator.evaluate(spec, List.of(f32(s(2, 2), 1, 2, 3, 4), ints(DType.I32, 10, 20)));
        assertFloats(out.get(0), DType.F32, 33, 37);
        assertFloats(out.get(1), DType.F32, 11, 22, 13, 24);
        assertThrows(ReferenceException.class, () -> ReferenceEvaluator.infer(spec, List.of(s(2, 3), s(2))));
        assertTrue(spec.toString().contains("%2 = add(%0, %1)"), spec.toString());
    }
}
