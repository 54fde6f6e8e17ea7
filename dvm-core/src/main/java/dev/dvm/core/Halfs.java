package dev.dvm.core;

/**
 * The one place dvm-core converts between {@code float} and the 16-bit float formats. The virtual
 * machine's LOAD, STORE and CAST must give the same bits: F16 uses the JDK's
 * {@link Float#floatToFloat16} / {@link Float#float16ToFloat} (round to nearest even); BF16 is the
 * upper half of the float bits, narrowed with round to nearest even, NaN kept a (quiet) NaN.
 */
final class Halfs {
    private Halfs() {}

    /** F16 bits of {@code f}, rounded to nearest even. */
    static short toF16(float f) {
        return Float.floatToFloat16(f);
    }

    /** The float an F16 bit pattern holds (exact). */
    static float fromF16(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** BF16 bits of {@code f}, rounded to nearest even; NaN stays NaN (quiet bit set). */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** The float a BF16 bit pattern holds (exact). */
    static float fromBf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** {@code f} rounded to the precision of {@code dtype} (F16, BF16) or unchanged (F32). */
    static float round(float f, DType dtype) {
        return switch (dtype) {
            case F16 -> fromF16(toF16(f));
            case BF16 -> fromBf16(toBf16(f));
            default -> f;
        };
    }
}
