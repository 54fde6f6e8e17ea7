package dev.dvm.vm;

import static java.lang.Float.floatToRawIntBits;
import static java.lang.Float.intBitsToFloat;

/**
 * F32 transcendental and rounding kernels, written once as scalar code with {@link Math#fma}.
 * {@link PanamaVectorUnit} evaluates the same constants in the same order with vector FMAs, so
 * both units give the same bits. Accuracy (measured in {@code MathKernelsTest} against
 * {@link StrictMath} in double): exp ≤ 1 ulp, tanh ≤ 2 ulp, sigmoid ≤ 2.5 ulp, erf ≤ 2 ulp.
 */
final class MathKernels {
    // exp: x = n ln2 + r, n = round(x log2 e) by adding 1.5 × 2^23, ln 2 split in a hi part exact in
    // 24 bits and a lo part (Cody-Waite), e^r by a degree-6 minimax polynomial (Cephes expf).
    static final float LOG2E = 1.44269504f;
    static final float SHIFTER = 0x1.8p23f;
    static final int SHIFTER_BITS = floatToRawIntBits(SHIFTER);
    static final float LN2_HI = 0.693145751953125f;
    static final float LN2_LO = 1.428606765330187045e-6f;
    static final float EXP_LO = -104f;
    static final float EXP_HI = 89f;
    static final float E0 = 1.9875691500e-4f, E1 = 1.3981999507e-3f, E2 = 8.3334519073e-3f,
            E3 = 4.1665795894e-2f, E4 = 1.6666665459e-1f, E5 = 5.0000001201e-1f;

    // tanh: odd polynomial below 0.625 (Cephes tanhf), 1 - 2 / (e^2|x| + 1) above.
    static final float TANH_SMALL = 0.625f;
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

    /** Below this magnitude a float may have a fraction; at or above it every float is an integer. */
    static final float TWO23 = 0x1.0p23f;
    static final int SIGN = 0x8000_0000;
    static final int MAGNITUDE = 0x7FFF_FFFF;

    private MathKernels() {}

    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(xc, LOG2E, SHIFTER);
        int n = floatToRawIntBits(t) - SHIFTER_BITS;
        float nf = t - SHIFTER;
        float r = Math.fma(nf, -LN2_HI, xc);
        r = Math.fma(nf, -LN2_LO, r);
        float p = Math.fma(E0, r, E1);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E5);
        float y = Math.fma(p, r * r, r) + 1f;
        // 2^n as two factors so n = 128 and subnormal results scale without overflow or double rounding.
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
            r = 1f - 2f / (exp(a + a) + 1f);
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
