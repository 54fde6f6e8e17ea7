package dev.dvm.vm;

import static dev.dvm.vm.MathKernels.*;
import static jdk.incubator.vector.VectorOperators.*;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Opcode;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector unit on the Vector API. Every loop has its operator written in it (the API is fast
 * only with constant operators and {@code static final} species); F32 and I64 lanes are the UB's
 * int words reinterpreted, which C2 compiles to no instruction. Each loop covers the largest
 * multiple of the vector width and hands the rest to the scalar unit, whose element semantics
 * are the same. Rare combinations (I64 compares and logic, POW, I64 SELECT, casts to or from I64
 * and to F16) run on the scalar unit entirely; F32 POW is {@link MathKernels#pow}, in double per
 * element.
 */
final class PanamaVectorUnit implements VectorUnit {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final int LANES = I.length();

    /** Elements per pass of SIGMOID and ERF through {@link #scratch}; a multiple of every vector width. */
    private static final int CHUNK = 512;


    /*
     * One loop per opcode and type, each its own lambda: the dispatch through these tables is a
     * megamorphic call C2 does not inline, so every loop is compiled on its own with its vector
     * operations intrinsified, however many opcodes a process runs. (Inlined into one method,
     * the loops of all hot opcodes exceed C2's inlining budget and the later ones box vectors.)
     */
    @FunctionalInterface
    private interface UnaryLoop {
        void run(PanamaVectorUnit u, int d, int s, int bound);
    }

    @FunctionalInterface
    private interface BinaryLoop {
        void run(PanamaVectorUnit u, int d, int a, int b, int bound);
    }

    @FunctionalInterface
    private interface ScalarLoop {
        void run(PanamaVectorUnit u, int d, int a, int bound, long scalar, boolean left);
    }

    private static final UnaryLoop[] UNARY_F32 = new UnaryLoop[Opcode.values().length];
    private static final UnaryLoop[] UNARY_I32 = new UnaryLoop[Opcode.values().length];
    private static final UnaryLoop[] UNARY_I64 = new UnaryLoop[Opcode.values().length];
    private static final BinaryLoop[] BINARY_F32 = new BinaryLoop[Opcode.values().length];
    private static final BinaryLoop[] BINARY_I32 = new BinaryLoop[Opcode.values().length];
    private static final BinaryLoop[] BINARY_I64 = new BinaryLoop[Opcode.values().length];
    private static final ScalarLoop[] SCALAR_F32 = new ScalarLoop[Opcode.values().length];
    private static final ScalarLoop[] SCALAR_I32 = new ScalarLoop[Opcode.values().length];
    private static final ScalarLoop[] SCALAR_I64 = new ScalarLoop[Opcode.values().length];

    static {
        UNARY_F32[Opcode.SQRT.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(s + i).lanewise(SQRT));
            }
        };
        UNARY_F32[Opcode.RSQRT.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, FloatVector.broadcast(F, 1f).div(u.f(s + i).lanewise(SQRT)));
            }
        };
        UNARY_F32[Opcode.ABS.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(s + i).and(MAGNITUDE));
            }
        };
        UNARY_F32[Opcode.NEG.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(s + i).lanewise(XOR, SIGN));
            }
        };
        UNARY_F32[Opcode.LOG.ordinal()] = (u, d, s, bound) -> {
            log(u.ub, d, s, bound);
        };
        UNARY_F32[Opcode.EXP.ordinal()] = (u, d, s, bound) -> {
            exp(u.ub, s, u.ub, d, bound);
        };
        UNARY_F32[Opcode.RECIPROCAL.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, FloatVector.broadcast(F, 1f).div(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.ISFINITE.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(s + i).and(0x7F80_0000).compare(NE, 0x7F80_0000));
            }
        };
        UNARY_F32[Opcode.LOGICAL_NOT.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(s + i).compare(EQ, 0f));
            }
        };
        UNARY_F32[Opcode.ROUND.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, round(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.TRUNC.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, trunc(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.FLOOR.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                FloatVector x = u.f(s + i);
                FloatVector t = trunc(x);
                u.put(d + i, t.blend(t.sub(1f), t.compare(GT, x)));
            }
        };
        UNARY_F32[Opcode.CEIL.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                FloatVector x = u.f(s + i);
                FloatVector t = trunc(x);
                u.put(d + i, t.blend(t.add(1f), t.compare(LT, x)));
            }
        };
        UNARY_F32[Opcode.TANH.ordinal()] = (u, d, s, bound) -> {
            tanh(u.ub, d, s, bound);
        };
        UNARY_F32[Opcode.SIGMOID.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += CHUNK) {
                u.sigmoid(d + i, s + i, Math.min(CHUNK, bound - i));
            }
        };
        UNARY_F32[Opcode.ERF.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += CHUNK) {
                u.erf(d + i, s + i, Math.min(CHUNK, bound - i));
            }
        };
        UNARY_F32[Opcode.SIN.ordinal()] = (u, d, s, bound) -> {
            sinCos(u.ub, d, s, bound, 0);
        };
        UNARY_F32[Opcode.COS.ordinal()] = (u, d, s, bound) -> {
            sinCos(u.ub, d, s, bound, 1);
        };
        UNARY_I32[Opcode.ABS.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(s + i).lanewise(ABS));
            }
        };
        UNARY_I32[Opcode.NEG.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(s + i).neg());
            }
        };
        UNARY_I32[Opcode.LOGICAL_NOT.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(s + i).compare(EQ, 0));
            }
        };
        UNARY_I64[Opcode.ABS.ordinal()] = (u, d, s, words) -> {
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(s + w).lanewise(ABS));
            }
        };
        UNARY_I64[Opcode.NEG.ordinal()] = (u, d, s, words) -> {
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(s + w).neg());
            }
        };
        BINARY_F32[Opcode.EQ.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(EQ, u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.NE.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(NE, u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.GT.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(GT, u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.GE.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(GE, u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.LT.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(LT, u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.LE.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(LE, u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.ADD.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).add(u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.SUB.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).sub(u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.MUL.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).mul(u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.DIV.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).div(u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.MAX.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).max(u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.MIN.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).min(u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.AND.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(NE, 0f).and(u.f(b + i).compare(NE, 0f)));
            }
        };
        BINARY_F32[Opcode.OR.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(NE, 0f).or(u.f(b + i).compare(NE, 0f)));
            }
        };
        BINARY_I32[Opcode.EQ.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(EQ, u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.NE.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(NE, u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.GT.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(GT, u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.GE.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(GE, u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.LT.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(LT, u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.LE.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(LE, u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.ADD.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(a + i).add(u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.SUB.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(a + i).sub(u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.MUL.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(a + i).mul(u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.MAX.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(a + i).max(u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.MIN.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(a + i).min(u.i(b + i)));
            }
        };
        BINARY_I32[Opcode.AND.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(NE, 0).and(u.i(b + i).compare(NE, 0)));
            }
        };
        BINARY_I32[Opcode.OR.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(NE, 0).or(u.i(b + i).compare(NE, 0)));
            }
        };
        BINARY_I64[Opcode.ADD.ordinal()] = (u, d, a, b, words) -> {
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(a + w).add(u.l(b + w)));
            }
        };
        BINARY_I64[Opcode.SUB.ordinal()] = (u, d, a, b, words) -> {
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(a + w).sub(u.l(b + w)));
            }
        };
        BINARY_I64[Opcode.MUL.ordinal()] = (u, d, a, b, words) -> {
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(a + w).mul(u.l(b + w)));
            }
        };
        BINARY_I64[Opcode.MAX.ordinal()] = (u, d, a, b, words) -> {
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(a + w).max(u.l(b + w)));
            }
        };
        BINARY_I64[Opcode.MIN.ordinal()] = (u, d, a, b, words) -> {
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(a + w).min(u.l(b + w)));
            }
        };
        SCALAR_F32[Opcode.EQ.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(EQ, sv));
            }
        };
        SCALAR_F32[Opcode.NE.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(NE, sv));
            }
        };
        SCALAR_F32[Opcode.GT.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(GT, sv));
            }
        };
        SCALAR_F32[Opcode.GE.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(GE, sv));
            }
        };
        SCALAR_F32[Opcode.LT.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(LT, sv));
            }
        };
        SCALAR_F32[Opcode.LE.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(LE, sv));
            }
        };
        SCALAR_F32[Opcode.ADD.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).add(sv));
            }
        };
        SCALAR_F32[Opcode.SUB.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            if (left) {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, sv.sub(u.f(a + i)));
                }
            } else {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, u.f(a + i).sub(sv));
                }
            }
        };
        SCALAR_F32[Opcode.MUL.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).mul(sv));
            }
        };
        SCALAR_F32[Opcode.DIV.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            if (left) {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, sv.div(u.f(a + i)));
                }
            } else {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, u.f(a + i).div(sv));
                }
            }
        };
        SCALAR_F32[Opcode.MAX.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).max(sv));
            }
        };
        SCALAR_F32[Opcode.MIN.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.f(a + i).min(sv));
            }
        };
        SCALAR_F32[Opcode.AND.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            VectorMask<Float> sNonZero = sv.compare(NE, 0f);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(NE, 0f).and(sNonZero));
            }
        };
        SCALAR_F32[Opcode.OR.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            VectorMask<Float> sNonZero = sv.compare(NE, 0f);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.f(a + i).compare(NE, 0f).or(sNonZero));
            }
        };
        SCALAR_I32[Opcode.EQ.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(EQ, sv));
            }
        };
        SCALAR_I32[Opcode.NE.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(NE, sv));
            }
        };
        SCALAR_I32[Opcode.GT.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(GT, sv));
            }
        };
        SCALAR_I32[Opcode.GE.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(GE, sv));
            }
        };
        SCALAR_I32[Opcode.LT.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(LT, sv));
            }
        };
        SCALAR_I32[Opcode.LE.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(LE, sv));
            }
        };
        SCALAR_I32[Opcode.ADD.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(a + i).add(sv));
            }
        };
        SCALAR_I32[Opcode.SUB.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            if (left) {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, sv.sub(u.i(a + i)));
                }
            } else {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, u.i(a + i).sub(sv));
                }
            }
        };
        SCALAR_I32[Opcode.MUL.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(a + i).mul(sv));
            }
        };
        SCALAR_I32[Opcode.MAX.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(a + i).max(sv));
            }
        };
        SCALAR_I32[Opcode.MIN.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, u.i(a + i).min(sv));
            }
        };
        SCALAR_I32[Opcode.AND.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            VectorMask<Integer> sNonZero = sv.compare(NE, 0);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(NE, 0).and(sNonZero));
            }
        };
        SCALAR_I32[Opcode.OR.ordinal()] = (u, d, a, bound, raw, left) -> {
            IntVector sv = IntVector.broadcast(I, (int) raw);
            VectorMask<Integer> sNonZero = sv.compare(NE, 0);
            for (int i = 0; i < bound; i += LANES) {
                u.putBool(d + i, u.i(a + i).compare(NE, 0).or(sNonZero));
            }
        };
        SCALAR_I64[Opcode.ADD.ordinal()] = (u, d, a, words, s, left) -> {
            LongVector sv = LongVector.broadcast(L, s);
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(a + w).add(sv));
            }
        };
        SCALAR_I64[Opcode.SUB.ordinal()] = (u, d, a, words, s, left) -> {
            LongVector sv = LongVector.broadcast(L, s);
            if (left) {
                for (int w = 0; w < words; w += LANES) {
                    u.put(d + w, sv.sub(u.l(a + w)));
                }
            } else {
                for (int w = 0; w < words; w += LANES) {
                    u.put(d + w, u.l(a + w).sub(sv));
                }
            }
        };
        SCALAR_I64[Opcode.MUL.ordinal()] = (u, d, a, words, s, left) -> {
            LongVector sv = LongVector.broadcast(L, s);
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(a + w).mul(sv));
            }
        };
        SCALAR_I64[Opcode.MAX.ordinal()] = (u, d, a, words, s, left) -> {
            LongVector sv = LongVector.broadcast(L, s);
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(a + w).max(sv));
            }
        };
        SCALAR_I64[Opcode.MIN.ordinal()] = (u, d, a, words, s, left) -> {
            LongVector sv = LongVector.broadcast(L, s);
            for (int w = 0; w < words; w += LANES) {
                u.put(d + w, u.l(a + w).min(sv));
            }
        };
    }

    private final int[] ub;
    private final int[] scratch = new int[CHUNK];
    private final ScalarVectorUnit scalar;

    PanamaVectorUnit(int[] ub) {
        this.ub = ub;
        this.scalar = new ScalarVectorUnit(ub);
    }

    private FloatVector f(int word) {
        return IntVector.fromArray(I, ub, word).reinterpretAsFloats();
    }

    private IntVector i(int word) {
        return IntVector.fromArray(I, ub, word);
    }

    private LongVector l(int word) {
        return IntVector.fromArray(I, ub, word).reinterpretAsLongs();
    }

    private void put(int word, FloatVector v) {
        v.reinterpretAsInts().intoArray(ub, word);
    }

    private void put(int word, IntVector v) {
        v.intoArray(ub, word);
    }

    private void put(int word, LongVector v) {
        v.reinterpretAsInts().intoArray(ub, word);
    }

    private void putBool(int word, VectorMask<?> m) {
        IntVector.zero(I).blend(1, m.cast(I)).intoArray(ub, word);
    }

    // ---- unary ----

    @Override
    public void unary(Opcode op, ElementType type, int dst, int src, int n) {
        if (op == Opcode.COPY) {
            scalar.unary(op, type, dst, src, n);
            return;
        }
        switch (type) {
            case F32 -> unaryF32(op, dst, src, n);
            case I32 -> unaryI32(op, dst, src, n);
            case I64 -> unaryI64(op, dst, src, n);
            default -> throw ScalarVectorUnit.unsupported(op, type);
        }
    }

    private void unaryF32(Opcode op, int d, int s, int n) {
        UnaryLoop loop = UNARY_F32[op.ordinal()];
        int bound = loop == null ? 0 : I.loopBound(n);
        if (loop != null) {
            loop.run(this, d, s, bound);
        }
        if (bound < n) {
            scalar.unary(op, ElementType.F32, d + bound, s + bound, n - bound);
        }
    }

    private void unaryI32(Opcode op, int d, int s, int n) {
        UnaryLoop loop = UNARY_I32[op.ordinal()];
        int bound = loop == null ? 0 : I.loopBound(n);
        if (loop != null) {
            loop.run(this, d, s, bound);
        }
        if (bound < n) {
            scalar.unary(op, ElementType.I32, d + bound, s + bound, n - bound);
        }
    }

    private void unaryI64(Opcode op, int d, int s, int n) {
        UnaryLoop loop = UNARY_I64[op.ordinal()];
        int words = loop == null ? 0 : I.loopBound(2 * n);
        if (loop != null) {
            loop.run(this, d, s, words);
        }
        int done = words / 2;
        if (done < n) {
            scalar.unary(op, ElementType.I64, d + words, s + words, n - done);
        }
    }

    // ---- kernels (same constants and order as MathKernels) ----

    /**
     * {@code to[t..) = e^from[f..)} for {@code n} words, a multiple of the vector width. The exp
     * kernel is a loop over arrays, never a method taking or returning a vector: C2 will not inline
     * a big method it has already compiled on its own, and a vector crossing a call that is not
     * inlined is boxed on the heap. SIGMOID and ERF therefore run in three passes over a
     * chunk: the exp argument into {@link #scratch}, exp in place, then the combination.
     */
    private static void exp(int[] from, int f, int[] to, int t, int n) {
        for (int i = 0; i < n; i += LANES) {
            FloatVector x = IntVector.fromArray(I, from, f + i).reinterpretAsFloats();
            FloatVector xc = x.max(EXP_LO).min(EXP_HI);
            FloatVector v = xc.fma(LOG2E, SHIFTER);
            IntVector k = v.reinterpretAsInts().sub(SHIFTER_BITS);
            FloatVector kf = v.sub(SHIFTER);
            FloatVector r = kf.fma(k(-LN2_HI), xc);
            r = kf.fma(k(-LN2_LO), r);
            FloatVector p = r.fma(E0, E1);
            p = p.fma(r, k(E2));
            p = p.fma(r, k(E3));
            p = p.fma(r, k(E4));
            p = p.fma(r, k(E5));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            IntVector half = k.lanewise(ASHR, 1);
            FloatVector s1 = half.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k.sub(half).add(127).lanewise(LSHL, 23).reinterpretAsFloats();
            y.mul(s1).mul(s2).reinterpretAsInts().intoArray(to, t + i);
        }
    }

    /** {@code ub[d..) = log(ub[s..))} for {@code n} words, a multiple of the vector width; {@link MathKernels#log} lane by lane. */
    private static void log(int[] ub, int d, int s, int n) {
        for (int i = 0; i < n; i += LANES) {
            FloatVector x = IntVector.fromArray(I, ub, s + i).reinterpretAsFloats();
            VectorMask<Float> subnormal = x.compare(LT, Float.MIN_NORMAL);
            FloatVector xs = x.blend(x.mul(TWO23_SCALE), subnormal);
            IntVector ix = xs.reinterpretAsInts().sub(SQRT_HALF_BITS);
            IntVector exponent = ix.lanewise(ASHR, 23);
            exponent = exponent.blend(exponent.sub(23), subnormal.cast(I));
            FloatVector e = (FloatVector) exponent.convert(I2F, 0);
            FloatVector f = ix.and(0x007F_FFFF).add(SQRT_HALF_BITS).reinterpretAsFloats().sub(1f);
            FloatVector z = f.mul(f);
            FloatVector p = f.fma(k(L0), k(L1));
            p = p.fma(f, k(L2));
            p = p.fma(f, k(L3));
            p = p.fma(f, k(L4));
            p = p.fma(f, k(L5));
            p = p.fma(f, k(L6));
            p = p.fma(f, k(L7));
            p = p.fma(f, k(L8));
            FloatVector y = p.mul(z.mul(f));
            y = e.fma(k(LOG_LN2_LO), y);
            y = z.fma(k(-0.5f), y);
            FloatVector r = e.fma(k(LOG_LN2_HI), f.add(y));
            r = r.blend(x, x.compare(LT, Float.POSITIVE_INFINITY).not());
            r = r.blend(Float.NEGATIVE_INFINITY, x.compare(EQ, 0f));
            r = r.blend(Float.NaN, x.compare(LT, 0f));
            r.reinterpretAsInts().intoArray(ub, d + i);
        }
    }

    /**
     * {@code ub[d..) = sin(ub[s..) + quarter π/2)} for {@code n} words, a multiple of the vector
     * width: {@link MathKernels#sin} (quarter 0) or {@link MathKernels#cos} (quarter 1) lane by
     * lane; lanes at or beyond the reduction's range take {@link MathKernels#large}.
     */
    private static void sinCos(int[] ub, int d, int s, int n, int quarter) {
        for (int i = 0; i < n; i += LANES) {
            FloatVector x = IntVector.fromArray(I, ub, s + i).reinterpretAsFloats();
            FloatVector t = x.fma(k(TWO_OVER_PI), k(SHIFTER));
            IntVector q = t.reinterpretAsInts().sub(SHIFTER_BITS - quarter);
            FloatVector j = t.sub(SHIFTER);
            FloatVector r = j.fma(k(-PIO2_1), x);
            r = j.fma(k(-PIO2_2), r);
            r = j.fma(k(-PIO2_3), r);
            FloatVector z = r.mul(r);
            FloatVector ps = z.fma(k(S0), k(S1));
            ps = ps.fma(z, k(S2));
            FloatVector sin = ps.mul(z).fma(r, r);
            sin = sin.blend(x, sin.compare(EQ, 0f));
            FloatVector pc = z.fma(k(C0), k(C1));
            pc = pc.fma(z, k(C2));
            pc = pc.fma(z, k(-0.5f));
            FloatVector cos = pc.fma(z, k(1f));
            IntVector y = sin.blend(cos, q.and(1).compare(NE, 0).cast(F)).reinterpretAsInts();
            y.lanewise(XOR, q.and(2).lanewise(LSHL, 30)).intoArray(ub, d + i);
            VectorMask<Float> large = x.abs().compare(LT, SINCOS_FAST).not();
            if (large.anyTrue()) {
                for (int lane = 0; lane < LANES; lane++) {
                    if (large.laneIsSet(lane)) {
                        ub[d + i + lane] = Float.floatToRawIntBits(MathKernels.large(x.lane(lane), quarter));
                    }
                }
            }
        }
    }

    /** A constant broadcast; C2 hoists it out of the loops. */
    private static FloatVector k(float v) {
        return FloatVector.broadcast(F, v);
    }

    private static FloatVector copySign(FloatVector magnitude, IntVector signBits) {
        return magnitude.reinterpretAsInts().and(MAGNITUDE).or(signBits.and(SIGN)).reinterpretAsFloats();
    }

    private FloatVector scratch(int i) {
        return IntVector.fromArray(I, scratch, i).reinterpretAsFloats();
    }

    /**
     * TANH in one pass, e^2|x| computed in the loop by the exp kernel's steps (no scratch round
     * trip). The loop must stay under C2's inlining node budget (NodeCountInliningCutoff), or its
     * last vector calls are left as calls on boxed vectors; hence the single scale factor.
     */
    private static void tanh(int[] ub, int d, int s, int n) {
        for (int i = 0; i < n; i += LANES) {
            IntVector bits = IntVector.fromArray(I, ub, s + i);
            FloatVector x = bits.reinterpretAsFloats();
            FloatVector a = x.abs();
            FloatVector xc = a.add(a).min(TANH_EXP_CLAMP);
            FloatVector v = xc.fma(LOG2E, SHIFTER);
            IntVector m = v.reinterpretAsInts().sub(SHIFTER_BITS);
            FloatVector kf = v.sub(SHIFTER);
            FloatVector r = kf.fma(k(-LN2_HI), xc);
            r = kf.fma(k(-LN2_LO), r);
            FloatVector p = r.fma(E0, E1);
            p = p.fma(r, k(E2));
            p = p.fma(r, k(E3));
            p = p.fma(r, k(E4));
            p = p.fma(r, k(E5));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            // 0 ≤ m ≤ 29: one power-of-two factor gives exp's bits.
            FloatVector e = y.mul(m.add(127).lanewise(LSHL, 23).reinterpretAsFloats());
            FloatVector z = x.mul(x);
            FloatVector q = z.fma(T0, T1);
            q = q.fma(z, k(T2));
            q = q.fma(z, k(T3));
            q = q.fma(z, k(T4));
            FloatVector small = q.mul(z).fma(x, x);
            FloatVector big = k(1f).sub(k(2f).div(e.add(1f)));
            big.blend(small, a.compare(LT, TANH_SMALL)).reinterpretAsInts().and(MAGNITUDE).or(bits.and(SIGN)).intoArray(ub, d + i);
        }
    }

    private void sigmoid(int d, int s, int n) {
        for (int i = 0; i < n; i += LANES) {
            f(s + i).abs().neg().reinterpretAsInts().intoArray(scratch, i);
        }
        exp(scratch, 0, scratch, 0, n);
        for (int i = 0; i < n; i += LANES) {
            FloatVector e = scratch(i);
            put(d + i, e.blend(1f, f(s + i).compare(GE, 0f)).div(e.add(1f)));
        }
    }

    private void erf(int d, int s, int n) {
        for (int i = 0; i < n; i += LANES) {
            FloatVector c = f(s + i).abs().min(ERF_CLAMP);
            FloatVector q = c.fma(B7, B6);
            FloatVector u = c.fma(B5, B4);
            q = q.fma(c.mul(c), u);
            q = q.fma(c, k(B3));
            q = q.fma(c, k(B2));
            q = q.fma(c, k(B1));
            q.fma(c, c).neg().reinterpretAsInts().intoArray(scratch, i);
        }
        exp(scratch, 0, scratch, 0, n);
        for (int i = 0; i < n; i += LANES) {
            FloatVector x = f(s + i);
            FloatVector z = x.mul(x);
            FloatVector p = z.fma(A6, A5);
            p = p.fma(z, k(A4));
            p = p.fma(z, k(A3));
            p = p.fma(z, k(A2));
            p = p.fma(z, k(A1));
            FloatVector small = p.fma(x, x);
            FloatVector big = k(1f).sub(scratch(i));
            put(d + i, copySign(big, x.reinterpretAsInts()).blend(small, x.abs().compare(LT, ERF_SMALL)));
        }
    }

    private static FloatVector round(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        FloatVector a = bits.and(MAGNITUDE).reinterpretAsFloats();
        FloatVector y = a.add(TWO23).sub(TWO23).reinterpretAsInts().or(bits.and(SIGN)).reinterpretAsFloats();
        return x.blend(y, a.compare(LT, TWO23));
    }

    /** Below 2^23, trunc(|x|) is round(|x|) less one where that rounded up; no float-int conversion needed. */
    private static FloatVector trunc(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        FloatVector a = bits.and(MAGNITUDE).reinterpretAsFloats();
        FloatVector r = a.add(TWO23).sub(TWO23);
        FloatVector t = r.blend(r.sub(1f), r.compare(GT, a));
        return x.blend(t.reinterpretAsInts().or(bits.and(SIGN)).reinterpretAsFloats(), a.compare(LT, TWO23));
    }

    // ---- binary ----

    @Override
    public void binary(Opcode op, ElementType type, int dst, int a, int b, int n) {
        switch (type) {
            case F32 -> binaryF32(op, dst, a, b, n);
            case I32 -> binaryI32(op, dst, a, b, n);
            case I64 -> binaryI64(op, dst, a, b, n);
            default -> throw ScalarVectorUnit.unsupported(op, type);
        }
    }

    private void binaryF32(Opcode op, int d, int a, int b, int n) {
        BinaryLoop loop = BINARY_F32[op.ordinal()];
        int bound = loop == null ? 0 : I.loopBound(n);
        if (loop != null) {
            loop.run(this, d, a, b, bound);
        }
        if (bound < n) {
            scalar.binary(op, ElementType.F32, d + bound, a + bound, b + bound, n - bound);
        }
    }

    private void binaryI32(Opcode op, int d, int a, int b, int n) {
        BinaryLoop loop = BINARY_I32[op.ordinal()];
        int bound = loop == null ? 0 : I.loopBound(n);
        if (loop != null) {
            loop.run(this, d, a, b, bound);
        }
        if (bound < n) {
            scalar.binary(op, ElementType.I32, d + bound, a + bound, b + bound, n - bound);
        }
    }

    private void binaryI64(Opcode op, int d, int a, int b, int n) {
        BinaryLoop loop = BINARY_I64[op.ordinal()];
        int words = loop == null ? 0 : I.loopBound(2 * n);
        if (loop != null) {
            loop.run(this, d, a, b, words);
        }
        int done = words / 2;
        if (done < n) {
            scalar.binary(op, ElementType.I64, d + (op.result() == Opcode.Result.BOOL ? done : words), a + words, b + words, n - done);
        }
    }

    // ---- binary with a scalar ----

    @Override
    public void binaryScalar(Opcode op, ElementType type, int dst, int a, int n, long s, boolean scalarLeft) {
        // s > a is a < s: a left scalar mirrors the compares, so only SUB, DIV and POW need left loops.
        boolean mirrored = scalarLeft && ScalarVectorUnit.mirror(op) != op;
        Opcode eff = mirrored ? ScalarVectorUnit.mirror(op) : op;
        boolean left = scalarLeft && !mirrored && !ScalarVectorUnit.commutative(op);
        switch (type) {
            case F32 -> binaryScalarF32(eff, dst, a, n, left, s);
            case I32 -> binaryScalarI32(eff, dst, a, n, left, s);
            case I64 -> binaryScalarI64(eff, dst, a, n, s, left);
            default -> throw ScalarVectorUnit.unsupported(eff, type);
        }
    }

    private void binaryScalarF32(Opcode op, int d, int a, int n, boolean left, long raw) {
        ScalarLoop loop = SCALAR_F32[op.ordinal()];
        int bound = loop == null ? 0 : I.loopBound(n);
        if (loop != null) {
            loop.run(this, d, a, bound, raw, left);
        }
        if (bound < n) {
            scalar.binaryScalar(op, ElementType.F32, d + bound, a + bound, n - bound, raw, left);
        }
    }

    private void binaryScalarI32(Opcode op, int d, int a, int n, boolean left, long raw) {
        ScalarLoop loop = SCALAR_I32[op.ordinal()];
        int bound = loop == null ? 0 : I.loopBound(n);
        if (loop != null) {
            loop.run(this, d, a, bound, raw, left);
        }
        if (bound < n) {
            scalar.binaryScalar(op, ElementType.I32, d + bound, a + bound, n - bound, raw, left);
        }
    }

    private void binaryScalarI64(Opcode op, int d, int a, int n, long s, boolean left) {
        ScalarLoop loop = SCALAR_I64[op.ordinal()];
        int words = loop == null ? 0 : I.loopBound(2 * n);
        if (loop != null) {
            loop.run(this, d, a, words, s, left);
        }
        int done = words / 2;
        if (done < n) {
            scalar.binaryScalar(op, ElementType.I64, d + (op.result() == Opcode.Result.BOOL ? done : words), a + words, n - done, s, left);
        }
    }

    // ---- other vector instructions ----

    @Override
    public void select(ElementType type, int dst, int cond, int a, int b, int n) {
        if (type == ElementType.I64) {
            scalar.select(type, dst, cond, a, b, n);
            return;
        }
        int bound = I.loopBound(n);
        for (int i = 0; i < bound; i += LANES) {
            put(dst + i, i(b + i).blend(i(a + i), i(cond + i).compare(NE, 0)));
        }
        if (bound < n) {
            scalar.select(type, dst + bound, cond + bound, a + bound, b + bound, n - bound);
        }
    }

    @Override
    public void cast(ElementType from, ElementType to, int dst, int src, int n) {
        int bound = I.loopBound(n);
        boolean fromFloat = from.isFloat();
        boolean fromInt = from == ElementType.I32 || from == ElementType.BOOL;
        if (to == ElementType.BOOL && fromFloat) {
            for (int i = 0; i < bound; i += LANES) {
                putBool(dst + i, f(src + i).compare(NE, 0f));
            }
        } else if (to == ElementType.BOOL && fromInt) {
            for (int i = 0; i < bound; i += LANES) {
                putBool(dst + i, i(src + i).compare(NE, 0));
            }
        } else if (fromFloat && to == ElementType.F32 || fromInt && to == ElementType.I32) {
            System.arraycopy(ub, src, ub, dst, n);
            return;
        } else if (fromFloat && to == ElementType.I32) {
            for (int i = 0; i < bound; i += LANES) {
                put(dst + i, (IntVector) f(src + i).convert(F2I, 0));
            }
        } else if (fromInt && to == ElementType.F32) {
            for (int i = 0; i < bound; i += LANES) {
                put(dst + i, (FloatVector) i(src + i).convert(I2F, 0));
            }
        } else if (fromFloat && to == ElementType.BF16) {
            for (int i = 0; i < bound; i += LANES) {
                IntVector v = i(src + i);
                IntVector rounded = v.add(0x7FFF).add(v.lanewise(LSHR, 16).and(1)).and(0xFFFF_0000);
                IntVector quiet = v.or(0x0040_0000).and(0xFFFF_0000);
                put(dst + i, rounded.blend(quiet, v.and(MAGNITUDE).compare(GT, 0x7F80_0000)));
            }
        } else {
            bound = 0;
        }
        if (bound < n) {
            // 32-bit to 32-bit casts keep word offsets equal to element offsets; the rest start at 0.
            scalar.cast(from, to, dst + bound, src + bound, n - bound);
        }
    }

    @Override
    public void fill(ElementType type, int dst, int n, long s) {
        scalar.fill(type, dst, n, s);
    }

    @Override
    public void iota(ElementType type, int dst, int n, int pitch, int mod, long colStart) {
        scalar.iota(type, dst, n, pitch, mod, colStart);
    }

    @Override
    public void broadcastRow(ElementType type, int dst, int src, int rows, int pitch) {
        scalar.broadcastRow(type, dst, src, rows, pitch);
    }

    // ---- reductions ----

    @Override
    public void reduce(Opcode op, ElementType type, int dst, int src, int rows, int pitch, int cols) {
        for (int r = 0; r < rows; r++) {
            switch (type) {
                case F32 -> ub[dst + r] = reduceF32(op, src + r * pitch, cols);
                case I32 -> ub[dst + r] = (int) reduceI32(op, src + r * pitch, cols);
                case I64 -> {
                    long v = reduceI64(op, src + 2 * r * pitch, cols);
                    ub[dst + 2 * r] = (int) v;
                    ub[dst + 2 * r + 1] = (int) (v >>> 32);
                }
                default -> throw ScalarVectorUnit.unsupported(op, type);
            }
        }
    }

    private int reduceF32(Opcode op, int row, int cols) {
        int c = 0;
        switch (op) {
            case REDUCE_SUM -> {
                // Lanes of the accumulators are the canonical partials c mod 16, in increasing c.
                float[] partials = scalar.partials();
                if (LANES == 16) {
                    FloatVector acc = FloatVector.broadcast(F, -0f);
                    for (; c + 16 <= cols; c += 16) {
                        acc = acc.add(f(row + c));
                    }
                    acc.intoArray(partials, 0);
                } else if (LANES == 8) {
                    FloatVector lo = FloatVector.broadcast(F, -0f);
                    FloatVector hi = lo;
                    for (; c + 16 <= cols; c += 16) {
                        lo = lo.add(f(row + c));
                        hi = hi.add(f(row + c + 8));
                    }
                    lo.intoArray(partials, 0);
                    hi.intoArray(partials, 8);
                }
                return scalar.reduceF32(op, row, c, cols, 0f);
            }
            case REDUCE_MAX -> {
                FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                for (; c + LANES <= cols; c += LANES) {
                    acc = acc.max(f(row + c));
                }
                return scalar.reduceF32(op, row, c, cols, acc.reduceLanes(MAX));
            }
            case REDUCE_MIN -> {
                FloatVector acc = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
                for (; c + LANES <= cols; c += LANES) {
                    acc = acc.min(f(row + c));
                }
                return scalar.reduceF32(op, row, c, cols, acc.reduceLanes(MIN));
            }
            default -> throw ScalarVectorUnit.unsupported(op, ElementType.F32);
        }
    }

    private long reduceI32(Opcode op, int row, int cols) {
        int c = 0;
        long start;
        switch (op) {
            case REDUCE_SUM -> {
                IntVector acc = IntVector.zero(I);
                for (; c + LANES <= cols; c += LANES) {
                    acc = acc.add(i(row + c));
                }
                start = acc.reduceLanes(ADD);
            }
            case REDUCE_MAX -> {
                IntVector acc = IntVector.broadcast(I, Integer.MIN_VALUE);
                for (; c + LANES <= cols; c += LANES) {
                    acc = acc.max(i(row + c));
                }
                start = acc.reduceLanes(MAX);
            }
            case REDUCE_MIN -> {
                IntVector acc = IntVector.broadcast(I, Integer.MAX_VALUE);
                for (; c + LANES <= cols; c += LANES) {
                    acc = acc.min(i(row + c));
                }
                start = acc.reduceLanes(MIN);
            }
            default -> throw ScalarVectorUnit.unsupported(op, ElementType.I32);
        }
        return scalar.reduceI64(op, row, 1, c, cols, start);
    }

    private long reduceI64(Opcode op, int row, int cols) {
        int half = LANES / 2;
        int c = 0;
        long start;
        switch (op) {
            case REDUCE_SUM -> {
                LongVector acc = LongVector.zero(L);
                for (; c + half <= cols; c += half) {
                    acc = acc.add(l(row + 2 * c));
                }
                start = acc.reduceLanes(ADD);
            }
            case REDUCE_MAX -> {
                LongVector acc = LongVector.broadcast(L, Long.MIN_VALUE);
                for (; c + half <= cols; c += half) {
                    acc = acc.max(l(row + 2 * c));
                }
                start = acc.reduceLanes(MAX);
            }
            case REDUCE_MIN -> {
                LongVector acc = LongVector.broadcast(L, Long.MAX_VALUE);
                for (; c + half <= cols; c += half) {
                    acc = acc.min(l(row + 2 * c));
                }
                start = acc.reduceLanes(MIN);
            }
            default -> throw ScalarVectorUnit.unsupported(op, ElementType.I64);
        }
        return scalar.reduceI64(op, row, 2, c, cols, start);
    }
}
