package dev.dvm.vm;

import static java.lang.Float.floatToRawIntBits;
import static java.lang.Float.intBitsToFloat;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Opcode;
import java.util.Arrays;

/**
 * The portable vector unit: plain loops over the UB, one element at a time. It defines the bits
 * {@link PanamaVectorUnit} must reproduce, and computes that unit's loop tails.
 */
final class ScalarVectorUnit implements VectorUnit {
    private final int[] ub;
    private final float[] partials = new float[16];

    ScalarVectorUnit(int[] ub) {
        this.ub = ub;
    }

    @Override
    public void unary(Opcode op, ElementType type, int dst, int src, int n) {
        if (op == Opcode.COPY) {
            System.arraycopy(ub, src, ub, dst, type == ElementType.I64 ? 2 * n : n);
            return;
        }
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    ub[dst + i] = unaryF32(op, ub[src + i]);
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    ub[dst + i] = unaryI32(op, ub[src + i]);
                }
            }
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    long v = get64(src + 2 * i);
                    if (op == Opcode.LOGICAL_NOT) {
                        ub[dst + i] = v == 0 ? 1 : 0;
                    } else {
                        put64(dst + 2 * i, switch (op) {
                            case ABS -> Math.abs(v);
                            case NEG -> -v;
                            default -> throw unsupported(op, type);
                        });
                    }
                }
            }
            default -> throw unsupported(op, type);
        }
    }

    @Override
    public void binary(Opcode op, ElementType type, int dst, int a, int b, int n) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    ub[dst + i] = binaryF32(op, intBitsToFloat(ub[a + i]), intBitsToFloat(ub[b + i]));
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    ub[dst + i] = (int) binaryI64(op, ub[a + i], ub[b + i]);
                }
            }
            case I64 -> {
                boolean bool = op.result() == Opcode.Result.BOOL;
                for (int i = 0; i < n; i++) {
                    long r = binaryI64(op, get64(a + 2 * i), get64(b + 2 * i));
                    if (bool) {
                        ub[dst + i] = (int) r;
                    } else {
                        put64(dst + 2 * i, r);
                    }
                }
            }
            default -> throw unsupported(op, type);
        }
    }

    @Override
    public void binaryScalar(Opcode op, ElementType type, int dst, int a, int n, long scalar, boolean scalarLeft) {
        // Commutative operations compute a op s either way, so both units agree on NaN payloads.
        boolean left = scalarLeft && !commutative(op);
        switch (type) {
            case F32 -> {
                float s = intBitsToFloat((int) scalar);
                for (int i = 0; i < n; i++) {
                    float x = intBitsToFloat(ub[a + i]);
                    ub[dst + i] = left ? binaryF32(op, s, x) : binaryF32(op, x, s);
                }
            }
            case I32 -> {
                int s = (int) scalar;
                for (int i = 0; i < n; i++) {
                    int x = ub[a + i];
                    ub[dst + i] = (int) (left ? binaryI64(op, s, x) : binaryI64(op, x, s));
                }
            }
            case I64 -> {
                boolean bool = op.result() == Opcode.Result.BOOL;
                for (int i = 0; i < n; i++) {
                    long x = get64(a + 2 * i);
                    long r = left ? binaryI64(op, scalar, x) : binaryI64(op, x, scalar);
                    if (bool) {
                        ub[dst + i] = (int) r;
                    } else {
                        put64(dst + 2 * i, r);
                    }
                }
            }
            default -> throw unsupported(op, type);
        }
    }

    @Override
    public void select(ElementType type, int dst, int cond, int a, int b, int n) {
        if (type == ElementType.I64) {
            for (int i = 0; i < n; i++) {
                int from = ub[cond + i] != 0 ? a : b;
                ub[dst + 2 * i] = ub[from + 2 * i];
                ub[dst + 2 * i + 1] = ub[from + 2 * i + 1];
            }
        } else {
            for (int i = 0; i < n; i++) {
                ub[dst + i] = ub[cond + i] != 0 ? ub[a + i] : ub[b + i];
            }
        }
    }

    @Override
    public void cast(ElementType from, ElementType to, int dst, int src, int n) {
        boolean widening = to == ElementType.I64 && from != ElementType.I64;
        // Widening in place must run backwards so no source word is overwritten before it is read.
        for (int k = 0; k < n; k++) {
            int i = widening ? n - 1 - k : k;
            switch (from) {
                case F32, F16, BF16 -> castFloat(to, dst, i, ub[src + i]);
                case I32, BOOL -> castLong(to, dst, i, ub[src + i]);
                case I64 -> castLong(to, dst, i, get64(src + 2 * i));
            }
        }
    }

    private void castFloat(ElementType to, int dst, int i, int bits) {
        float f = intBitsToFloat(bits);
        switch (to) {
            case F32 -> ub[dst + i] = bits;
            case F16 -> ub[dst + i] = MathKernels.roundF16(bits);
            case BF16 -> ub[dst + i] = MathKernels.roundBf16(bits);
            case I32 -> ub[dst + i] = (int) f;
            case BOOL -> ub[dst + i] = f != 0f ? 1 : 0;
            case I64 -> put64(dst + 2 * i, (long) f);
        }
    }

    private void castLong(ElementType to, int dst, int i, long v) {
        switch (to) {
            case F32 -> ub[dst + i] = floatToRawIntBits((float) v);
            case F16 -> ub[dst + i] = MathKernels.roundF16(floatToRawIntBits((float) v));
            case BF16 -> ub[dst + i] = MathKernels.roundBf16(floatToRawIntBits((float) v));
            case I32 -> ub[dst + i] = (int) v;
            case BOOL -> ub[dst + i] = v != 0 ? 1 : 0;
            case I64 -> put64(dst + 2 * i, v);
        }
    }

    @Override
    public void fill(ElementType type, int dst, int n, long scalar) {
        if (type == ElementType.I64) {
            for (int i = 0; i < n; i++) {
                put64(dst + 2 * i, scalar);
            }
        } else {
            Arrays.fill(ub, dst, dst + n, (int) scalar);
        }
    }

    @Override
    public void iota(ElementType type, int dst, int n, int pitch, int mod, long colStart) {
        int words = type == ElementType.I64 ? 2 : 1;
        int first = Math.min(n, pitch);
        long v = colStart % mod;
        for (int c = 0; c < first; c++) {
            if (words == 2) {
                put64(dst + 2 * c, v);
            } else {
                ub[dst + c] = (int) v;
            }
            if (++v == mod) {
                v = 0;
            }
        }
        // Every row holds the same values: copy the first.
        for (int e = pitch; e < n; e += pitch) {
            System.arraycopy(ub, dst, ub, dst + e * words, Math.min(pitch, n - e) * words);
        }
    }

    @Override
    public void broadcastRow(ElementType type, int dst, int src, int rows, int pitch) {
        if (type == ElementType.I64) {
            for (int r = rows - 1; r >= 0; r--) {
                long v = get64(src + 2 * r);
                for (int c = 0; c < pitch; c++) {
                    put64(dst + 2 * (r * pitch + c), v);
                }
            }
        } else {
            // Backwards, so a broadcast into the buffer holding its own source reads each value first.
            for (int r = rows - 1; r >= 0; r--) {
                Arrays.fill(ub, dst + r * pitch, dst + (r + 1) * pitch, ub[src + r]);
            }
        }
    }

    @Override
    public void reduce(Opcode op, ElementType type, int dst, int src, int rows, int pitch, int cols) {
        for (int r = 0; r < rows; r++) {
            switch (type) {
                case F32 -> ub[dst + r] = reduceF32(op, src + r * pitch, 0, cols, -0f);
                case I32 -> ub[dst + r] = (int) reduceI64(op, src + r * pitch, 1, 0, cols, identity(op, Integer.MIN_VALUE, Integer.MAX_VALUE));
                case I64 -> put64(dst + 2 * r, reduceI64(op, src + 2 * r * pitch, 2, 0, cols, identity(op, Long.MIN_VALUE, Long.MAX_VALUE)));
                default -> throw unsupported(op, type);
            }
        }
    }

    /**
     * Reduces columns {@code [from, cols)} of the F32 row at {@code row}. For REDUCE_SUM the 16
     * canonical partials start from {@code -0f} (the exact additive identity) unless the caller
     * passes them in {@link #partials} already accumulated up to {@code from}; MAX and MIN
     * continue from {@code start}.
     */
    int reduceF32(Opcode op, int row, int from, int cols, float start) {
        switch (op) {
            case REDUCE_SUM -> {
                if (from == 0) {
                    Arrays.fill(partials, -0f);
                }
                for (int c = from; c < cols; c++) {
                    partials[c & 15] += intBitsToFloat(ub[row + c]);
                }
                return floatToRawIntBits(combine(partials));
            }
            case REDUCE_MAX -> {
                float m = from == 0 ? Float.NEGATIVE_INFINITY : start;
                for (int c = from; c < cols; c++) {
                    m = Math.max(m, intBitsToFloat(ub[row + c]));
                }
                // A NaN result is the canonical NaN: which NaN's payload would win depends on the order.
                return Float.floatToIntBits(m);
            }
            case REDUCE_MIN -> {
                float m = from == 0 ? Float.POSITIVE_INFINITY : start;
                for (int c = from; c < cols; c++) {
                    m = Math.min(m, intBitsToFloat(ub[row + c]));
                }
                return Float.floatToIntBits(m);
            }
            default -> throw unsupported(op, ElementType.F32);
        }
    }

    /** The partials array REDUCE_SUM accumulates in, for the Panama unit's tail. */
    float[] partials() {
        return partials;
    }

    /** The canonical tree: p[i] += p[i + 8], then 4, 2, 1. */
    static float combine(float[] p) {
        for (int half = 8; half >= 1; half >>= 1) {
            for (int i = 0; i < half; i++) {
                p[i] += p[i + half];
            }
        }
        return p[0];
    }

    /** Integer reductions are associative, so any order gives these bits; {@code words} is 1 (I32) or 2 (I64). */
    long reduceI64(Opcode op, int row, int words, int from, int cols, long start) {
        long acc = start;
        for (int c = from; c < cols; c++) {
            long v = words == 2 ? get64(row + 2 * c) : ub[row + c];
            acc = switch (op) {
                case REDUCE_SUM -> acc + v;
                case REDUCE_MAX -> Math.max(acc, v);
                case REDUCE_MIN -> Math.min(acc, v);
                default -> throw unsupported(op, ElementType.I64);
            };
        }
        return acc;
    }

    static boolean commutative(Opcode op) {
        return switch (op) {
            case EQ, NE, ADD, MUL, MAX, MIN, AND, OR -> true;
            default -> false;
        };
    }

    /** The compare with its operands swapped ({@code s > a} is {@code a < s}); other operations map to themselves. */
    static Opcode mirror(Opcode op) {
        return switch (op) {
            case GT -> Opcode.LT;
            case GE -> Opcode.LE;
            case LT -> Opcode.GT;
            case LE -> Opcode.GE;
            default -> op;
        };
    }

    static long identity(Opcode op, long min, long max) {
        return op == Opcode.REDUCE_MAX ? min : op == Opcode.REDUCE_MIN ? max : 0;
    }

    // ---- element semantics, shared with the Panama unit's scalar paths ----

    static int unaryF32(Opcode op, int bits) {
        float x = intBitsToFloat(bits);
        return switch (op) {
            case SQRT -> floatToRawIntBits((float) Math.sqrt(x));
            case RSQRT -> floatToRawIntBits(1f / (float) Math.sqrt(x));
            case ABS -> bits & MathKernels.MAGNITUDE;
            case NEG -> bits ^ MathKernels.SIGN;
            case LOG -> floatToRawIntBits(MathKernels.log(x));
            case EXP -> floatToRawIntBits(MathKernels.exp(x));
            case RECIPROCAL -> floatToRawIntBits(1f / x);
            case ISFINITE -> (bits & 0x7F80_0000) != 0x7F80_0000 ? 1 : 0;
            case LOGICAL_NOT -> x == 0f ? 1 : 0;
            case ROUND -> floatToRawIntBits(MathKernels.round(x));
            case FLOOR -> floatToRawIntBits(MathKernels.floor(x));
            case CEIL -> floatToRawIntBits(MathKernels.ceil(x));
            case TRUNC -> floatToRawIntBits(MathKernels.trunc(x));
            case TANH -> floatToRawIntBits(MathKernels.tanh(x));
            case SIGMOID -> floatToRawIntBits(MathKernels.sigmoid(x));
            case ERF -> floatToRawIntBits(MathKernels.erf(x));
            case SIN -> floatToRawIntBits(MathKernels.sin(x));
            case COS -> floatToRawIntBits(MathKernels.cos(x));
            default -> throw unsupported(op, ElementType.F32);
        };
    }

    static int unaryI32(Opcode op, int x) {
        return switch (op) {
            case ABS -> Math.abs(x);
            case NEG -> -x;
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
            default -> throw unsupported(op, ElementType.I32);
        };
    }

    /** A binary F32 operation; compares and logic give 0 or 1, the rest float bits. */
    static int binaryF32(Opcode op, float a, float b) {
        return switch (op) {
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case ADD -> floatToRawIntBits(a + b);
            case SUB -> floatToRawIntBits(a - b);
            case MUL -> floatToRawIntBits(a * b);
            case DIV -> floatToRawIntBits(a / b);
            case POW -> floatToRawIntBits(MathKernels.pow(a, b));
            // floatToIntBits: the canonical NaN, as the Panama unit (payloads would depend on the JIT)
            case MAX -> Float.floatToIntBits(Math.max(a, b));
            case MIN -> Float.floatToIntBits(Math.min(a, b));
            case AND -> a != 0f && b != 0f ? 1 : 0;
            case OR -> a != 0f || b != 0f ? 1 : 0;
            default -> throw unsupported(op, ElementType.F32);
        };
    }

    /** A binary integer operation in 64 bits; I32 callers pass sign-extended values and keep the low word (wrapping). */
    static long binaryI64(Opcode op, long a, long b) {
        return switch (op) {
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case POW -> pow(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case AND -> a != 0 && b != 0 ? 1 : 0;
            case OR -> a != 0 || b != 0 ? 1 : 0;
            default -> throw unsupported(op, ElementType.I64);
        };
    }

    /** Integer power by repeated squaring, wrapping; a negative exponent gives 1 / a^|b| truncated. */
    static long pow(long a, long b) {
        if (b < 0) {
            return a == 1 ? 1 : a == -1 ? ((b & 1) == 0 ? 1 : -1) : 0;
        }
        long result = 1;
        long base = a;
        for (long e = b; e != 0; e >>>= 1) {
            if ((e & 1) != 0) {
                result *= base;
            }
            base *= base;
        }
        return result;
    }

    @Override
    public long element(ElementType type, int word) {
        return type == ElementType.I64 ? get64(word) : ub[word];
    }

    private long get64(int word) {
        return ub[word] & 0xFFFF_FFFFL | (long) ub[word + 1] << 32;
    }

    private void put64(int word, long v) {
        ub[word] = (int) v;
        ub[word + 1] = (int) (v >>> 32);
    }

    static IllegalArgumentException unsupported(Opcode op, ElementType type) {
        return new IllegalArgumentException(op + " is not defined for " + type + " (the verifier should have rejected it)");
    }
}
