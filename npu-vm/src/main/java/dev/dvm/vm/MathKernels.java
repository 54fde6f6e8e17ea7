package dev.dvm.vm;

import static java.lang.Float.floatToRawIntBits;
import static java.lang.Float.intBitsToFloat;

/**
 * F32 transcendental and rounding kernels, written once as scalar code with {@link Math#fma}.
 * {@link PanamaVectorUnit} evaluates the same constants in the same order with vector FMAs, so
 * both units give the same bits whatever the JIT has compiled (the Vector API's own LOG, SIN, COS
 * and POW differ between its SVML stubs and its Java fallback, so they are never used). Every
 * operation here is IEEE-exact given its inputs (+, -, ×, /, fma, bit operations) or is
 * {@link StrictMath}, whose results are specified bit for bit. Accuracy (measured in
 * {@code MathKernelsTest} against {@link StrictMath} in double): exp ≤ 0.91 ulp, tanh ≤ 2 ulp,
 * sigmoid ≤ 2.5 ulp, erf ≤ 2 ulp, log ≤ 1 ulp, sin and cos ≤ 1 ulp, pow ≤ 0.5 ulp + 2^-21.
 */
final class MathKernels {
    // exp: x = n ln2 + r, n = round(x log2 e) by adding 1.5 × 2^23, ln 2 split in a hi part exact in
    // 24 bits and a lo part (Cody-Waite), e^r = 1 + r (1 + r P(r)) with P of degree 4, a relative
    // minimax fit on |r| ≤ 0.3466 (Remez, error 3.1e-9) in Horner form: six FMAs, one fewer than
    // Cephes expf's degree-7 polynomial, and at most 0.91 ulp over every float (Cephes' gave 1.013),
    // found by an exhaustive run against StrictMath.
    static final float LOG2E = 1.44269504f;
    static final float SHIFTER = 0x1.8p23f;
    static final int SHIFTER_BITS = floatToRawIntBits(SHIFTER);
    static final float LN2_HI = 0.693145751953125f;
    static final float LN2_LO = 1.428606765330187045e-6f;
    static final float EXP_LO = -104f;
    static final float EXP_HI = 89f;
    /** For |x| ≤ 87, e^x = y 2^n is a normal float, so adding n to y's exponent bits is exact (and equals the product). */
    static final float EXP_NORMAL = 87f;
    static final float E2 = 0x1.fffffcp-2f, E3 = 0x1.555492p-3f, E4 = 0x1.5558f2p-5f, E5 = 0x1.1239ep-7f,
            E6 = 0x1.6a243ap-10f;

    // tanh: odd polynomial below 0.625 (Cephes tanhf), 1 - 2 / (e^2|x| + 1) above.
    static final float TANH_SMALL = 0.625f;
    /** From 2|x| = 20 on, 1 - 2 / (e^2|x| + 1) rounds to 1; clamping there keeps e^2|x| below 2^30. */
    static final float TANH_EXP_CLAMP = 20f;
    static final float T0 = -5.70498872745e-3f, T1 = 2.06390887954e-2f, T2 = -5.37397155531e-2f,
            T3 = 1.33314422036e-1f, T4 = -3.33332819422e-1f;

    // erf: x + x P(x^2) below 475/512, 1 - e^-Q(|x|) up to 4, where erf rounds to 1 (minimax
    // coefficients published by N. Juffa).
    static final float ERF_SMALL = 0.927734375f;
    static final float ERF_CLAMP = 4f;
    static final float A1 = 1.28379166e-1f, A2 = -3.76125336e-1f, A3 = 1.12819925e-1f, A4 = -2.67681349e-2f,
            A5 = 4.99119423e-3f, A6 = -5.96761703e-4f;
    static final float B1 = 1.28717512e-1f, B2 = 6.34846687e-1f, B3 = 1.06777877e-1f, B4 = -2.42546219e-2f,
            B5 = 3.88396438e-3f, B6 = -3.83197126e-4f, B7 = 1.72853470e-5f;

    // log: x = 2^e m with m in [√½, √2), log x = e ln 2 + log1p(m - 1) by a degree-8 polynomial
    // (Cephes logf); ln 2 split as for exp, the hi part having few bits so e × hi is exact.
    static final int SQRT_HALF_BITS = 0x3F35_04F3;
    static final float TWO23_SCALE = 0x1.0p23f;
    static final float LOG_LN2_HI = 0.693359375f;
    static final float LOG_LN2_LO = -2.12194440e-4f;
    static final float L0 = 7.0376836292e-2f, L1 = -1.1514610310e-1f, L2 = 1.1676998740e-1f, L3 = -1.2420140846e-1f,
            L4 = 1.4249322787e-1f, L5 = -1.6668057665e-1f, L6 = 2.0000714765e-1f, L7 = -2.4999993993e-1f,
            L8 = 3.3333331174e-1f;

    // sin, cos: x = j π/2 + r with |r| ≤ π/4, j = round(x 2/π) by the shifter, π/2 in three float parts
    // (Cody-Waite; with FMAs x - j P1 is exact and the reduction is good to 2^-50 for |x| < 2^17),
    // then the sine or cosine polynomial of r (Cephes sinf/cosf) by quadrant j mod 4. From 2^17 on,
    // and for infinities and NaN, StrictMath in double (fdlibm's exact reduction), rounded to float.
    static final float SINCOS_FAST = 0x1.0p17f;
    static final float TWO_OVER_PI = 0x1.45f306p-1f;
    static final float PIO2_1 = 0x1.921fb6p0f, PIO2_2 = -0x1.777a5cp-25f, PIO2_3 = -0x1.ee59dap-50f;
    static final float S0 = -1.9515295891e-4f, S1 = 8.3321608736e-3f, S2 = -1.6666654611e-1f;
    static final float C0 = 2.443315711809948e-5f, C1 = -1.388731625493765e-3f, C2 = 4.166664568298827e-2f;

    // pow, in double: ln m = 2 (s + s^3/3 + ... + s^19/19) for |s| ≤ 0.1716, and e^t = Σ t^k / k! to
    // k = 12 for |t| ≤ ln2 / 2; y = b log2 a is clamped to ±200, where every float result is 0 or ∞.
    static final long SQRT_HALF_D_BITS = Double.doubleToRawLongBits(0.7071067811865476);
    static final long MANTISSA_D = 0x000F_FFFF_FFFF_FFFFL;
    static final double TWO_LOG2E = 2 * 1.4426950408889634;
    static final double Q1 = 1 / 3d, Q2 = 1 / 5d, Q3 = 1 / 7d, Q4 = 1 / 9d, Q5 = 1 / 11d, Q6 = 1 / 13d, Q7 = 1 / 15d,
            Q8 = 1 / 17d, Q9 = 1 / 19d;
    static final double POW_Y_LO = -200, POW_Y_HI = 200;
    static final double SHIFTER_D = 0x1.8p52;
    static final long SHIFTER_D_BITS = Double.doubleToRawLongBits(SHIFTER_D);
    static final double LN2_D = 0x1.62e42fefa39efp-1;
    static final double P2 = 1 / 2d, P3 = 1 / 6d, P4 = 1 / 24d, P5 = 1 / 120d, P6 = 1 / 720d, P7 = 1 / 5040d,
            P8 = 1 / 40320d, P9 = 1 / 362880d, P10 = 1 / 3628800d, P11 = 1 / 39916800d, P12 = 1 / 479001600d;

    /** Below this magnitude a float may have a fraction; at or above it every float is an integer. */
    static final float TWO23 = 0x1.0p23f;
    static final int SIGN = 0x8000_0000;
    static final int MAGNITUDE = 0x7FFF_FFFF;

    private MathKernels() {}

    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(xc, LOG2E, SHIFTER);
        float nf = t - SHIFTER;
        float r = Math.fma(nf, -LN2_HI, xc);
        r = Math.fma(nf, -LN2_LO, r);
        float p = Math.fma(E6, r, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, 1f);
        float y = Math.fma(p, r, 1f);
        if (Math.abs(x) <= EXP_NORMAL) {
            // t's bits shifted left by 23 are n << 23: the shifter's bits shift out.
            return intBitsToFloat(floatToRawIntBits(y) + (floatToRawIntBits(t) << 23));
        }
        // 2^n as two factors so n = 128 and subnormal results scale without overflow or double rounding.
        int n = floatToRawIntBits(t) - SHIFTER_BITS;
        int half = n >> 1;
        return y * intBitsToFloat(half + 127 << 23) * intBitsToFloat(n - half + 127 << 23);
    }

    static float tanh(float x) {
        int bits = floatToRawIntBits(x);
        float a = intBitsToFloat(bits & MAGNITUDE);
        float r;
        if (a < TANH_SMALL) {
            float z = x * x;
            float p = Math.fma(T0, z, T1);
            p = Math.fma(p, z, T2);
            p = Math.fma(p, z, T3);
            p = Math.fma(p, z, T4);
            r = Math.fma(p * z, x, x);
        } else {
            r = 1f - 2f / (exp(Math.min(a + a, TANH_EXP_CLAMP)) + 1f);
        }
        // The result has the sign of x in both branches; this keeps tanh(-0) = -0.
        return intBitsToFloat(floatToRawIntBits(r) & MAGNITUDE | bits & SIGN);
    }

    static float sigmoid(float x) {
        // e^-|x| never overflows; for x < 0, e^x / (1 + e^x) keeps the tiny results exp gives.
        float e = exp(-Math.abs(x));
        return (x >= 0f ? 1f : e) / (1f + e);
    }

    static float erf(float x) {
        int bits = floatToRawIntBits(x);
        float a = intBitsToFloat(bits & MAGNITUDE);
        if (a < ERF_SMALL) {
            float z = x * x;
            float p = Math.fma(A6, z, A5);
            p = Math.fma(p, z, A4);
            p = Math.fma(p, z, A3);
            p = Math.fma(p, z, A2);
            p = Math.fma(p, z, A1);
            return Math.fma(p, x, x);
        }
        float c = Math.min(a, ERF_CLAMP);
        float q = Math.fma(B7, c, B6);
        float u = Math.fma(B5, c, B4);
        q = Math.fma(q, c * c, u);
        q = Math.fma(q, c, B3);
        q = Math.fma(q, c, B2);
        q = Math.fma(q, c, B1);
        q = Math.fma(q, c, c);
        float r = 1f - exp(-q);
        return intBitsToFloat(floatToRawIntBits(r) & MAGNITUDE | bits & SIGN);
    }

    /** Natural log; NaN below zero, -∞ at ±0, +∞ at +∞, NaN stays NaN. */
    static float log(float x) {
        // Subnormals are scaled into the normal range first.
        boolean subnormal = x < Float.MIN_NORMAL;
        float xs = subnormal ? x * TWO23_SCALE : x;
        int ix = floatToRawIntBits(xs) - SQRT_HALF_BITS;
        float e = (float) ((ix >> 23) - (subnormal ? 23 : 0));
        float f = intBitsToFloat((ix & 0x007F_FFFF) + SQRT_HALF_BITS) - 1f;
        float z = f * f;
        float p = Math.fma(L0, f, L1);
        p = Math.fma(p, f, L2);
        p = Math.fma(p, f, L3);
        p = Math.fma(p, f, L4);
        p = Math.fma(p, f, L5);
        p = Math.fma(p, f, L6);
        p = Math.fma(p, f, L7);
        p = Math.fma(p, f, L8);
        float y = p * (z * f);
        y = Math.fma(e, LOG_LN2_LO, y);
        y = Math.fma(-0.5f, z, y);
        float r = Math.fma(e, LOG_LN2_HI, f + y);
        if (!(x < Float.POSITIVE_INFINITY)) {
            return x;
        }
        return x < 0f ? Float.NaN : x == 0f ? Float.NEGATIVE_INFINITY : r;
    }

    static float sin(float x) {
        return sinCos(x, 0);
    }

    static float cos(float x) {
        return sinCos(x, 1);
    }

    /** sin(x + quarter × π/2): quarter 0 gives sin, 1 gives cos. */
    private static float sinCos(float x, int quarter) {
        if (!(Math.abs(x) < SINCOS_FAST)) {
            return large(x, quarter);
        }
        float t = Math.fma(x, TWO_OVER_PI, SHIFTER);
        int q = floatToRawIntBits(t) - SHIFTER_BITS + quarter;
        float j = t - SHIFTER;
        float r = Math.fma(j, -PIO2_1, x);
        r = Math.fma(j, -PIO2_2, r);
        r = Math.fma(j, -PIO2_3, r);
        float z = r * r;
        float y;
        if ((q & 1) == 0) {
            float p = Math.fma(S0, z, S1);
            p = Math.fma(p, z, S2);
            y = Math.fma(p * z, r, r);
            // Only x = ±0 gives 0 here, as +0 (the reduction's +0 + -0): sin(±0) is x itself.
            y = y == 0f ? x : y;
        } else {
            float p = Math.fma(C0, z, C1);
            p = Math.fma(p, z, C2);
            p = Math.fma(p, z, -0.5f);
            y = Math.fma(p, z, 1f);
        }
        return intBitsToFloat(floatToRawIntBits(y) ^ (q & 2) << 30);
    }

    /** sin or cos where the float reduction is not accurate enough, or of ±∞ and NaN; the vector unit calls it for those lanes. */
    static float large(float x, int quarter) {
        return (float) (quarter == 0 ? StrictMath.sin(x) : StrictMath.cos(x));
    }

    /**
     * Float pow. For a positive finite base and a finite exponent, 2^(b log2 a) in double: log2 by
     * a = 2^e m, m in [√½, √2), ln m = 2 atanh(s), s = (m - 1) / (m + 1), as an odd series to
     * s^19; 2^y by y = n + r, |r| ≤ ½, e^(r ln 2) by its Taylor polynomial to degree 12, then
     * 2^n exactly, rounded once to float. The double result is good to about 2^-45, so the float is
     * within 0.5 ulp + 2^-21 ulp (1 ulp at worst, when the exact value lies that close to a
     * rounding midpoint). Every other case (zero, negative or non-finite base, non-finite
     * exponent, NaN) is {@link StrictMath#pow} in double rounded once, so those follow
     * {@link Math#pow}'s rules exactly. Only +, ×, /, fma and bit operations: the vector unit
     * computes the same bits lane by lane.
     */
    static float pow(float a, float b) {
        if (!(a > 0f && a < Float.POSITIVE_INFINITY && Math.abs(b) < Float.POSITIVE_INFINITY)) {
            return (float) StrictMath.pow(a, b);
        }
        long ix = Double.doubleToRawLongBits(a) - SQRT_HALF_D_BITS;
        double e = (double) (ix >> 52);
        double m = Double.longBitsToDouble((ix & MANTISSA_D) + SQRT_HALF_D_BITS);
        double sv = (m - 1d) / (m + 1d);
        double z = sv * sv;
        double q = Math.fma(Q9, z, Q8);
        q = Math.fma(q, z, Q7);
        q = Math.fma(q, z, Q6);
        q = Math.fma(q, z, Q5);
        q = Math.fma(q, z, Q4);
        q = Math.fma(q, z, Q3);
        q = Math.fma(q, z, Q2);
        q = Math.fma(q, z, Q1);
        double atanh = Math.fma(q * z, sv, sv);
        double y = b * Math.fma(atanh, TWO_LOG2E, e);
        y = Math.min(Math.max(y, POW_Y_LO), POW_Y_HI);
        double v = y + SHIFTER_D;
        long n = Double.doubleToRawLongBits(v) - SHIFTER_D_BITS;
        double t = (y - (v - SHIFTER_D)) * LN2_D;
        double p = Math.fma(P12, t, P11);
        p = Math.fma(p, t, P10);
        p = Math.fma(p, t, P9);
        p = Math.fma(p, t, P8);
        p = Math.fma(p, t, P7);
        p = Math.fma(p, t, P6);
        p = Math.fma(p, t, P5);
        p = Math.fma(p, t, P4);
        p = Math.fma(p, t, P3);
        p = Math.fma(p, t, P2);
        p = Math.fma(p, t, 1d);
        p = Math.fma(p, t, 1d);
        return (float) (p * Double.longBitsToDouble(n + 1023 << 52));
    }

    /** Rounds to an integer, ties to even: adding and subtracting 2^23 rounds in the FPU's default mode. */
    static float round(float x) {
        int bits = floatToRawIntBits(x);
        float a = intBitsToFloat(bits & MAGNITUDE);
        if (!(a < TWO23)) {
            return x;
        }
        return intBitsToFloat(floatToRawIntBits(a + TWO23 - TWO23) | bits & SIGN);
    }

    static float trunc(float x) {
        int bits = floatToRawIntBits(x);
        float a = intBitsToFloat(bits & MAGNITUDE);
        if (!(a < TWO23)) {
            return x;
        }
        float r = a + TWO23 - TWO23;
        float t = r > a ? r - 1f : r;
        return intBitsToFloat(floatToRawIntBits(t) | bits & SIGN);
    }

    static float floor(float x) {
        float t = trunc(x);
        return t > x ? t - 1f : t;
    }

    static float ceil(float x) {
        float t = trunc(x);
        return t < x ? t + 1f : t;
    }

    /** Rounds to F16 precision, nearest even; overflow gives infinity, NaN stays NaN. */
    static int roundF16(int bits) {
        return floatToRawIntBits(Float.float16ToFloat(Float.floatToFloat16(intBitsToFloat(bits))));
    }

    /** Rounds to BF16 precision (the upper 16 bits), nearest even; NaN stays a quiet NaN of the same sign. */
    static int roundBf16(int bits) {
        if ((bits & MAGNITUDE) > 0x7F80_0000) {
            return (bits | 0x0040_0000) & 0xFFFF_0000;
        }
        return bits + 0x7FFF + (bits >>> 16 & 1) & 0xFFFF_0000;
    }
}
