package dev.dvm.tests.reference;

import dev.dvm.core.DType;

/**
 * The reference's own dtype rules, written from the documentation (DType's and KernelBuilder's
 * Javadoc, the CAST row of the instruction table) without calling dvm-core: promotion, the dtype a
 * Java scalar takes, result dtypes of op families, and rounding to F32, F16 and BF16.
 */
public final class RefTypes {
    private RefTypes() {}

    /** The largest F16 value; values from here on (rounded) may overflow to infinity. */
    static final double F16_MAX = 65504.0;

    /** Unit roundoff of F32 (half an ulp of 1). */
    public static final double U32 = 0x1p-24;

    /** Promotion order {@code BOOL < I32 < I64 < BF16, F16 < F32}; F16 with BF16 gives F32. */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if ((a == DType.F16 && b == DType.BF16) || (a == DType.BF16 && b == DType.F16)) {
            return DType.F32;
        }
        return order(a) >= order(b) ? a : b;
    }

    private static int order(DType t) {
        return switch (t) {
            case BOOL -> 0;
            case I32 -> 1;
            case I64 -> 2;
            case BF16, F16 -> 3;
            case F32 -> 4;
        };
    }

    /** The dtype of a tensor-scalar op's operands when the scalar is a Java double. */
    public static DType withDoubleScalar(DType tensor) {
        return isFloat(tensor) ? tensor : DType.F32;
    }

    /** The dtype of a tensor-scalar op's operands when the scalar is a Java long. */
    public static DType withLongScalar(DType tensor) {
        return tensor == DType.BOOL ? DType.I32 : tensor;
    }

    public static boolean isFloat(DType t) {
        return t == DType.F16 || t == DType.BF16 || t == DType.F32;
    }

    /** Ops that only exist for floats take F32 when given integers or BOOL. */
    public static DType floatOnly(DType t) {
        return isFloat(t) ? t : DType.F32;
    }

    /** {@code x} rounded to F32 (infinity beyond the F32 range). */
    public static double f32(double x) {
        return (float) x;
    }

    /** {@code x} rounded to F16 (10 fraction bits, exponents from -14), nearest even; beyond 65504 rounds to infinity. */
    public static double f16(double x) {
        double r = roundFraction(x, 10, -14);
        return Math.abs(r) > F16_MAX ? Math.copySign(Double.POSITIVE_INFINITY, r) : r;
    }

    /** {@code x} rounded to BF16 (7 fraction bits, F32's exponent range), nearest even; NaN stays NaN. */
    public static double bf16(double x) {
        double r = roundFraction(x, 7, -126);
        return Math.abs(r) > maxFinite(DType.BF16) ? Math.copySign(Double.POSITIVE_INFINITY, r) : r;
    }

    /** {@code x} rounded, ties to even, to {@code fractionBits} bits after the leading one (fixed below {@code minExponent}: subnormals). */
    private static double roundFraction(double x, int fractionBits, int minExponent) {
        if (!Double.isFinite(x) || x == 0) {
            return x;
        }
        double ulp = Math.scalb(1.0, Math.max(Math.getExponent(x), minExponent) - fractionBits);
        return Math.rint(x / ulp) * ulp;
    }

    /** {@code x} rounded to the precision of a float dtype. */
    public static double roundTo(DType t, double x) {
        return switch (t) {
            case F16 -> f16(x);
            case BF16 -> bf16(x);
            case F32 -> f32(x);
            default -> throw new IllegalArgumentException("not a float dtype: " + t);
        };
    }

    /** One unit in the last place of {@code |x|} in float dtype {@code t} (at least the smallest normal's ulp). */
    public static double ulp(DType t, double x) {
        double a = Math.min(Math.abs(x), Float.MAX_VALUE);
        return switch (t) {
            case F32 -> Math.ulp((float) a);
            case F16 -> Math.max(Math.scalb(1.0, Math.getExponent(Math.max(a, 0x1p-14)) - 10), 0x1p-24);
            case BF16 -> Math.scalb(1.0, Math.getExponent(Math.max((float) a, Float.MIN_NORMAL)) - 7);
            default -> 0;
        };
    }

    /** The largest finite value of a float dtype. */
    public static double maxFinite(DType t) {
        return switch (t) {
            case F16 -> F16_MAX;
            case BF16 -> Float.intBitsToFloat(0x7F7F0000);
            default -> Float.MAX_VALUE;
        };
    }

    /** An integer value wrapped to the range of an integer dtype (BOOL: nonzero gives 1). */
    public static long wrap(DType t, long v) {
        return switch (t) {
            case I32 -> (int) v;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    /** Float to integer: truncate toward zero, saturate, NaN gives 0. */
    public static long truncToInt(DType t, double v) {
        if (Double.isNaN(v)) {
            return 0;
        }
        return t == DType.I32 ? (long) (int) v : (long) v;
    }

    /** Lower-case name used in printed kernels. */
    public static String name(DType t) {
        return t.name().toLowerCase(java.util.Locale.ROOT);
    }
}
