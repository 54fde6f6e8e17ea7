package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Accuracy of the F32 kernels against {@link StrictMath} (and a series for erf) in double, in
 * ulps of the float result, over a dense sweep of each function's interesting range. The bounds
 * asserted here are the ones documented on {@link MathKernels}.
 */
class MathKernelsTest {
    @Test
    void expWithinOneUlp() {
        // 0.91 ulp is the maximum over every float, found by an exhaustive run; here a dense sample.
        assertMaxUlps(MathKernels::exp, StrictMath::exp, -104f, 89f, 0.92);
        assertMaxUlpsOverBits(MathKernels::exp, StrictMath::exp, Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(-104f), 97, 0.92);
        assertMaxUlpsOverBits(MathKernels::exp, StrictMath::exp, 0, Float.floatToRawIntBits(88.7f), 97, 0.92);
        assertEquals(Float.POSITIVE_INFINITY, MathKernels.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, MathKernels.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, MathKernels.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, MathKernels.exp(-104f));
        assertEquals(1f, MathKernels.exp(-0f));
        assertTrue(Float.isNaN(MathKernels.exp(Float.NaN)));
    }

    @Test
    void tanhWithinTwoUlps() {
        assertMaxUlps(MathKernels::tanh, StrictMath::tanh, -12f, 12f, 2.0);
        assertMaxUlps(MathKernels::tanh, StrictMath::tanh, -1e-3f, 1e-3f, 2.0);
        assertEquals(1f, MathKernels.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, MathKernels.tanh(-1e30f));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(MathKernels.tanh(-0f)));
        assertTrue(Float.isNaN(MathKernels.tanh(Float.NaN)));
    }

    @Test
    void sigmoidWithinTwoAndAHalfUlps() {
        assertMaxUlps(MathKernels::sigmoid, x -> 1 / (1 + StrictMath.exp(-x)), -87f, 30f, 2.5);
        assertEquals(1f, MathKernels.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, MathKernels.sigmoid(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(MathKernels.sigmoid(Float.NaN)));
    }

    @Test
    void erfWithinTwoUlps() {
        assertMaxUlps(MathKernels::erf, MathKernelsTest::erf, -5f, 5f, 2.0);
        assertMaxUlps(MathKernels::erf, MathKernelsTest::erf, -1e-3f, 1e-3f, 2.0);
        assertEquals(1f, MathKernels.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, MathKernels.erf(-100f));
        assertTrue(Float.isNaN(MathKernels.erf(Float.NaN)));
    }

    @Test
    void logWithinOneUlpOverEveryExponent() {
        // Every 199th bit pattern of the positive floats, subnormals included: each binade is sampled.
        assertMaxUlpsOverBits(MathKernels::log, StrictMath::log, 1, 0x7F7F_FFFF, 199, 1.0);
        assertMaxUlps(MathKernels::log, StrictMath::log, 0.5f, 2f, 1.0);
        assertEquals(Float.NEGATIVE_INFINITY, MathKernels.log(0f));
        assertEquals(Float.NEGATIVE_INFINITY, MathKernels.log(-0f));
        assertEquals(Float.POSITIVE_INFINITY, MathKernels.log(Float.POSITIVE_INFINITY));
        assertEquals(0f, MathKernels.log(1f));
        assertTrue(Float.isNaN(MathKernels.log(-1f)));
        assertTrue(Float.isNaN(MathKernels.log(-Float.MIN_VALUE)));
        assertTrue(Float.isNaN(MathKernels.log(Float.NEGATIVE_INFINITY)));
        assertTrue(Float.isNaN(MathKernels.log(Float.NaN)));
    }

    @Test
    void sinAndCosWithinTwoUlpsOverTheWholeRange() {
        // The reduced path (every 97th float below 2^17, both signs), then the StrictMath path beyond.
        int reduced = Float.floatToRawIntBits(MathKernels.SINCOS_FAST);
        for (int sign : new int[] {0, MathKernels.SIGN}) {
            assertMaxUlpsOverBits(MathKernels::sin, StrictMath::sin, sign, sign | reduced + 1000, 97, 2.0);
            assertMaxUlpsOverBits(MathKernels::cos, StrictMath::cos, sign, sign | reduced + 1000, 97, 2.0);
            assertMaxUlpsOverBits(MathKernels::sin, StrictMath::sin, sign | reduced, sign | 0x7F7F_FFFF, 9973, 0.5 + 1e-6);
            assertMaxUlpsOverBits(MathKernels::cos, StrictMath::cos, sign | reduced, sign | 0x7F7F_FFFF, 9973, 0.5 + 1e-6);
        }
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(MathKernels.sin(-0f)));
        assertEquals(Float.MIN_VALUE, MathKernels.sin(Float.MIN_VALUE));
        assertEquals(1f, MathKernels.cos(-0f));
        assertEquals(0.5403023f, MathKernels.cos(1f));
        for (float special : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertTrue(Float.isNaN(MathKernels.sin(special)) && Float.isNaN(MathKernels.cos(special)), "sin, cos of " + special);
        }
    }

    @Test
    void powWithinHalfAnUlpAndWithMathPowsSpecialCases() {
        Random random = new Random(11);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            float a = (float) Math.exp((random.nextDouble() - 0.5) * 40);
            float b = (float) ((random.nextDouble() - 0.5) * (i % 2 == 0 ? 8 : 60));
            double exact = Math.pow(a, b);
            if (Math.abs(exact) >= Float.MIN_NORMAL && Math.abs(exact) <= Float.MAX_VALUE) {
                worst = Math.max(worst, Math.abs(MathKernels.pow(a, b) - exact) / Math.ulp((float) exact));
            }
        }
        assertTrue(worst <= 0.5 + 1e-6, "pow max error " + worst + " ulp");
        // Subnormal results: the double result is rounded once, to the subnormal spacing.
        double worstSubnormal = 0;
        for (int i = 0; i < 100_000; i++) {
            float a = (float) (0.5 + random.nextDouble());
            // b log2 a in [-149, -130]: a^b between 2^-149 and 2^-130.
            float b = (float) (-(130 + random.nextDouble() * 19) * Math.log(2) / Math.log(a));
            double exact = Math.pow(a, b);
            if (exact < Float.MIN_NORMAL && exact > Float.MIN_VALUE) {
                worstSubnormal = Math.max(worstSubnormal, Math.abs(MathKernels.pow(a, b) - exact) / Float.MIN_VALUE);
            }
        }
        assertTrue(worstSubnormal <= 0.5 + 1e-6, "pow max error on subnormal results " + worstSubnormal + " ulp");
        for (int a = 1; a <= 40; a++) {
            for (int b = -6; b <= 6; b++) {
                assertEquals((float) Math.pow(a, b), MathKernels.pow(a, b), a + "^" + b + " is exact or correctly rounded");
            }
        }
        float[] special = {0f, -0f, 1f, -1f, 2f, -2f, 0.5f, -0.5f, 3f, -3f, 2.5f, -2.5f, Float.MIN_VALUE, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (float a : special) {
            for (float b : special) {
                float expected = (float) Math.pow(a, b);
                float got = MathKernels.pow(a, b);
                assertTrue(Float.isNaN(expected) ? Float.isNaN(got) : Float.floatToRawIntBits(expected) == Float.floatToRawIntBits(got),
                        "pow(" + a + ", " + b + ") = " + got + ", Math.pow gives " + expected);
            }
        }
    }

    @Test
    void roundingFunctionsMatchMath() {
        float[] xs = {-0f, 0f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 0.49999997f, 8388607.5f, -8388609f, 1e20f, Float.MIN_VALUE, -3.7f, 3.7f};
        for (float x : xs) {
            assertEquals(Float.floatToRawIntBits((float) Math.rint(x)), Float.floatToRawIntBits(MathKernels.round(x)), "round " + x);
            assertEquals(Float.floatToRawIntBits((float) Math.floor(x)), Float.floatToRawIntBits(MathKernels.floor(x)), "floor " + x);
            assertEquals(Float.floatToRawIntBits((float) Math.ceil(x)), Float.floatToRawIntBits(MathKernels.ceil(x)), "ceil " + x);
            double t = x < 0 ? Math.ceil(x) : Math.floor(x);
            assertEquals(Float.floatToRawIntBits((float) t), Float.floatToRawIntBits(MathKernels.trunc(x)), "trunc " + x);
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(0x3F80_0000, MathKernels.roundBf16(0x3F80_8000)); // tie, even stays
        assertEquals(0x3F82_0000, MathKernels.roundBf16(0x3F81_8000)); // tie, odd rounds up
        assertEquals(0x3F81_0000, MathKernels.roundBf16(0x3F80_8001));
        assertEquals(0x7F80_0000, MathKernels.roundBf16(0x7F7F_FFFF)); // overflow to infinity
        assertTrue(Float.isNaN(Float.intBitsToFloat(MathKernels.roundBf16(0x7F80_0001)))); // NaN stays NaN
    }

    private static void assertMaxUlps(FloatUnary f, DoubleUnaryOperator reference, float from, float to, double bound) {
        double worst = 0;
        float worstAt = 0;
        int steps = 200_000;
        for (int i = 0; i <= steps; i++) {
            float x = from + (to - from) * i / steps;
            double exact = reference.applyAsDouble(x);
            float got = f.apply(x);
            double ulp = Math.ulp((float) exact);
            double err = Math.abs(got - exact) / (exact == 0 ? Float.MIN_VALUE : ulp);
            if (err > worst) {
                worst = err;
                worstAt = x;
            }
        }
        assertTrue(worst <= bound, "max error " + worst + " ulp at " + worstAt + " (bound " + bound + ")");
    }

    /** Like {@link #assertMaxUlps} over every {@code step}-th float bit pattern in [{@code fromBits}, {@code toBits}]. */
    private static void assertMaxUlpsOverBits(FloatUnary f, DoubleUnaryOperator reference, int fromBits, int toBits, int step,
            double bound) {
        double worst = 0;
        float worstAt = 0;
        for (long bits = fromBits; bits <= toBits; bits += step) {
            float x = Float.intBitsToFloat((int) bits);
            double exact = reference.applyAsDouble(x);
            float got = f.apply(x);
            double err = Math.abs(got - exact) / ((float) exact == 0f ? Float.MIN_VALUE : Math.ulp((float) exact));
            if (err > worst) {
                worst = err;
                worstAt = x;
            }
        }
        assertTrue(worst <= bound, "max error " + worst + " ulp at " + worstAt + " (bound " + bound + ")");
    }

    @FunctionalInterface
    private interface FloatUnary {
        float apply(float x);
    }

    /** erf in double: 2/√π e^(-x²) Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), a series of positive terms (no cancellation). */
    static double erf(double x) {
        double a = Math.abs(x);
        if (a >= 6) {
            return Math.signum(x);
        }
        double term = a;
        double sum = a;
        for (int n = 1; term > 1e-18 * sum; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
        }
        return Math.copySign(2 / Math.sqrt(Math.PI) * StrictMath.exp(-a * a) * sum, x);
    }
}
