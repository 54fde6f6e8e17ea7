package dev.dvm.vm;

import static dev.dvm.vm.MathKernels.*;
import static jdk.incubator.vector.VectorOperators.*;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Opcode;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector unit on the Vector API. Every loop has its operator written in it (the API is fast
 * only with constant operators and {@code static final} species); F32 and I64 lanes are the UB's
 * int words reinterpreted, which C2 compiles to no instruction. Each loop covers the largest
 * multiple of the vector width and hands the rest to the scalar unit, whose element semantics
 * are the same. Rare combinations (I64 compares and logic, I64 SELECT, casts to or from I64 and
 * to F16) run on the scalar unit entirely; F32 POW runs {@link MathKernels#pow}'s
 * double-precision steps in double vectors.
 */
final class PanamaVectorUnit implements VectorUnit {
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** The F32 species, also the JIT tier's (constant to C2 as a static final). */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    static final int LANES = I.length();
    /** Words of {@link #chunk}, the scalar operand of POW repeated; a multiple of every vector width. */
    private static final int CHUNK = 512;
    /** POW works in double: a double vector and the float and int vectors of its lane count (half the width). */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorShape HALF = VectorShape.forBitSize(D.vectorBitSize() / 2);
    private static final VectorSpecies<Float> FH = FloatVector.SPECIES_PREFERRED.withShape(HALF);
    private static final VectorSpecies<Integer> IH = IntVector.SPECIES_PREFERRED.withShape(HALF);

    static {
        // The Vector API's fallback for reinterpret casts (run before C2 compiles a caller) wraps
        // arrays as heap memory segments. Loading those classes later, while the JIT tier's loops
        // over native segments are compiled, deoptimises the loops, and C2's recompiled form left
        // RMSNorm at [64, 1024] 2.4x slower (5.8 -> 13.9 us); loaded first, they cost nothing.
        MemorySegment.ofArray(new byte[0]);
        MemorySegment.ofArray(new short[0]);
        MemorySegment.ofArray(new char[0]);
        MemorySegment.ofArray(new int[0]);
        MemorySegment.ofArray(new float[0]);
        MemorySegment.ofArray(new long[0]);
        MemorySegment.ofArray(new double[0]);
    }


    /*
     * One loop per opcode and type, each its own lambda, called through a method handle bound to
     * it (the *_RUN tables below). C2 never inlines a call through a handle that is not a
     * constant, so every loop is compiled on its own with its vector operations intrinsified,
     * whatever else runs. (Called through the interface, a call site that has seen only one or two
     * loops, as in a kernel with only SUB and MUL, inlines them by type profile; two loops in one
     * method exceed C2's inlining budget and box vectors: interpreted GELU at [64, 1024] took
     * 141-160 µs instead of 71-80, softmax at [2, 32768] 120 µs instead of 36 in one run in three.)
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

    private static final MethodType UNARY_RUN = MethodType.methodType(void.class, PanamaVectorUnit.class, int.class, int.class, int.class);
    private static final MethodType BINARY_RUN = MethodType.methodType(void.class, PanamaVectorUnit.class, int.class, int.class, int.class,
            int.class);
    private static final MethodType SCALAR_RUN = MethodType.methodType(void.class, PanamaVectorUnit.class, int.class, int.class, int.class,
            long.class, boolean.class);

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
                u.put(d + i, sqrtF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.RSQRT.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, rsqrtF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.ABS.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, absF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.NEG.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, negF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.LOG.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, logF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.EXP.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, expF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.RECIPROCAL.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, reciprocalF32(u.f(s + i)));
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
                u.put(d + i, roundF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.TRUNC.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, truncF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.FLOOR.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, floorF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.CEIL.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, ceilF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.TANH.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, tanhF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.SIGMOID.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, sigmoidF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.ERF.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, erfF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.SIN.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, sinF32(u.f(s + i)));
            }
        };
        UNARY_F32[Opcode.COS.ordinal()] = (u, d, s, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, cosF32(u.f(s + i)));
            }
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
                u.put(d + i, addF32(u.f(a + i), u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.SUB.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, subF32(u.f(a + i), u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.MUL.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, mulF32(u.f(a + i), u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.DIV.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, divF32(u.f(a + i), u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.POW.ordinal()] = (u, d, a, b, bound) -> {
            pow(u.ub, a, u.ub, b, u.ub, d, bound);
        };
        BINARY_F32[Opcode.MAX.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, maxF32(u.f(a + i), u.f(b + i)));
            }
        };
        BINARY_F32[Opcode.MIN.ordinal()] = (u, d, a, b, bound) -> {
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, minF32(u.f(a + i), u.f(b + i)));
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
                u.put(d + i, addF32(u.f(a + i), sv));
            }
        };
        SCALAR_F32[Opcode.SUB.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            if (left) {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, subF32(sv, u.f(a + i)));
                }
            } else {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, subF32(u.f(a + i), sv));
                }
            }
        };
        SCALAR_F32[Opcode.MUL.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, mulF32(u.f(a + i), sv));
            }
        };
        SCALAR_F32[Opcode.DIV.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            if (left) {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, divF32(sv, u.f(a + i)));
                }
            } else {
                for (int i = 0; i < bound; i += LANES) {
                    u.put(d + i, divF32(u.f(a + i), sv));
                }
            }
        };
        SCALAR_F32[Opcode.POW.ordinal()] = (u, d, a, bound, raw, left) -> {
            // The scalar operand is read from a chunk filled with it, so one pow loop serves all forms.
            int[] chunk = u.scalarChunk((int) raw);
            for (int i = 0; i < bound; i += CHUNK) {
                int n = Math.min(CHUNK, bound - i);
                if (left) {
                    pow(chunk, 0, u.ub, a + i, u.ub, d + i, n);
                } else {
                    pow(u.ub, a + i, chunk, 0, u.ub, d + i, n);
                }
            }
        };
        SCALAR_F32[Opcode.MAX.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, maxF32(u.f(a + i), sv));
            }
        };
        SCALAR_F32[Opcode.MIN.ordinal()] = (u, d, a, bound, raw, left) -> {
            FloatVector sv = FloatVector.broadcast(F, Float.intBitsToFloat((int) raw));
            for (int i = 0; i < bound; i += LANES) {
                u.put(d + i, minF32(u.f(a + i), sv));
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

    private static final MethodHandle[] UNARY_F32_RUN = handles(UNARY_F32, UnaryLoop.class, UNARY_RUN),
            UNARY_I32_RUN = handles(UNARY_I32, UnaryLoop.class, UNARY_RUN),
            UNARY_I64_RUN = handles(UNARY_I64, UnaryLoop.class, UNARY_RUN),
            BINARY_F32_RUN = handles(BINARY_F32, BinaryLoop.class, BINARY_RUN),
            BINARY_I32_RUN = handles(BINARY_I32, BinaryLoop.class, BINARY_RUN),
            BINARY_I64_RUN = handles(BINARY_I64, BinaryLoop.class, BINARY_RUN),
            SCALAR_F32_RUN = handles(SCALAR_F32, ScalarLoop.class, SCALAR_RUN),
            SCALAR_I32_RUN = handles(SCALAR_I32, ScalarLoop.class, SCALAR_RUN),
            SCALAR_I64_RUN = handles(SCALAR_I64, ScalarLoop.class, SCALAR_RUN);

    /** Each loop's {@code run} as a handle bound to the loop (null where the table has none). */
    private static MethodHandle[] handles(Object[] loops, Class<?> loopType, MethodType run) {
        try {
            MethodHandle virtualRun = MethodHandles.lookup().findVirtual(loopType, "run", run);
            MethodHandle[] bound = new MethodHandle[loops.length];
            for (int i = 0; i < loops.length; i++) {
                bound[i] = loops[i] == null ? null : virtualRun.bindTo(loops[i]);
            }
            return bound;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a loop's handle threw: the loops declare no checked exceptions. */
    private static RuntimeException rethrown(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("a vector loop threw a checked exception", t);
    }

    private final int[] ub;
    private final int[] chunk = new int[CHUNK];
    private final ScalarVectorUnit scalar;

    PanamaVectorUnit(int[] ub) {
        this.ub = ub;
        this.scalar = new ScalarVectorUnit(ub);
    }

    /** {@link #chunk} filled with {@code bits}. */
    private int[] scalarChunk(int bits) {
        if (chunk[0] != bits) {
            Arrays.fill(chunk, bits);
        }
        return chunk;
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
            case F32 -> unary(UNARY_F32_RUN, op, type, dst, src, n);
            case I32 -> unary(UNARY_I32_RUN, op, type, dst, src, n);
            case I64 -> unary(UNARY_I64_RUN, op, type, dst, src, n);
            default -> throw ScalarVectorUnit.unsupported(op, type);
        }
    }

    /**
     * The vector loop over the largest multiple of the vector width in words (none if the table
     * has no loop for the opcode), then the scalar unit for the rest; an I64 element is two words.
     * A BOOL result has one word per element, so its tail starts at the elements done.
     */
    private void unary(MethodHandle[] loops, Opcode op, ElementType type, int d, int s, int n) {
        MethodHandle loop = loops[op.ordinal()];
        int wordsPerElement = type == ElementType.I64 ? 2 : 1;
        int words = loop == null ? 0 : I.loopBound(wordsPerElement * n);
        if (loop != null) {
            try {
                loop.invokeExact(this, d, s, words);
            } catch (Throwable t) {
                throw rethrown(t);
            }
        }
        int done = words / wordsPerElement;
        if (done < n) {
            scalar.unary(op, type, d + (op.result() == Opcode.Result.BOOL ? done : words), s + words, n - done);
        }
    }

    // ---- kernels (same constants and order as MathKernels) ----

    /*
     * Per-vector functions: the one definition of each F32 operation, used by this unit's loops and
     * by the JIT tier's generated code (JitCompiler), so the two are bit-identical. Each is small
     * enough for C2 to inline into its caller's loop; a vector crossing a call C2 does not inline
     * is boxed on the heap, so the transcendental ones keep the exp steps inline rather than
     * calling a shared exp.
     */

    static FloatVector addF32(FloatVector a, FloatVector b) {
        return a.add(b);
    }

    static FloatVector subF32(FloatVector a, FloatVector b) {
        return a.sub(b);
    }

    static FloatVector mulF32(FloatVector a, FloatVector b) {
        return a.mul(b);
    }

    static FloatVector divF32(FloatVector a, FloatVector b) {
        return a.div(b);
    }

    static FloatVector maxF32(FloatVector a, FloatVector b) {
        return canonicalNaN(a.max(b));
    }

    static FloatVector minF32(FloatVector a, FloatVector b) {
        return canonicalNaN(a.min(b));
    }

    static FloatVector sqrtF32(FloatVector x) {
        return x.lanewise(SQRT);
    }

    static FloatVector rsqrtF32(FloatVector x) {
        return FloatVector.broadcast(F, 1f).div(x.lanewise(SQRT));
    }

    static FloatVector reciprocalF32(FloatVector x) {
        return FloatVector.broadcast(F, 1f).div(x);
    }

    /** |x| by clearing the sign bit, so NaN payloads pass unchanged as in the scalar unit. */
    static FloatVector absF32(FloatVector x) {
        return x.reinterpretAsInts().and(MAGNITUDE).reinterpretAsFloats();
    }

    static FloatVector negF32(FloatVector x) {
        return x.reinterpretAsInts().lanewise(XOR, SIGN).reinterpretAsFloats();
    }

    static FloatVector floorF32(FloatVector x) {
        FloatVector t = truncF32(x);
        return t.blend(t.sub(1f), t.compare(GT, x));
    }

    static FloatVector ceilF32(FloatVector x) {
        FloatVector t = truncF32(x);
        return t.blend(t.add(1f), t.compare(LT, x));
    }

    /** e^x, {@link MathKernels#exp} lane by lane. */
    static FloatVector expF32(FloatVector x) {
        // Common case: every lane's result is normal, so no clamps and one integer add for 2^n.
        boolean normal = x.abs().compare(LE, EXP_NORMAL).allTrue();
        FloatVector xc = normal ? x : x.max(EXP_LO).min(EXP_HI);
        FloatVector v = xc.fma(LOG2E, SHIFTER);
        FloatVector y = expPolynomial(xc, v);
        if (normal) {
            return y.reinterpretAsInts().add(v.reinterpretAsInts().lanewise(LSHL, 23)).reinterpretAsFloats();
        }
        IntVector k = v.reinterpretAsInts().sub(SHIFTER_BITS);
        IntVector half = k.lanewise(ASHR, 1);
        FloatVector s1 = half.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k.sub(half).add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        return y.mul(s1).mul(s2);
    }

    /** LOG of a vector: {@link MathKernels#log} lane by lane. */
    static FloatVector logF32(FloatVector x) {
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
        return r;
    }

    static FloatVector sinF32(FloatVector x) {
        return sinCosF32(x, 0);
    }

    static FloatVector cosF32(FloatVector x) {
        return sinCosF32(x, 1);
    }

    /**
     * sin(x + quarter π/2) of a vector: {@link MathKernels#sin} (quarter 0) or {@link MathKernels#cos}
     * (quarter 1) lane by lane; lanes at or beyond the reduction's range take {@link MathKernels#large}.
     */
    private static FloatVector sinCosF32(FloatVector x, int quarter) {
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
        FloatVector result = y.lanewise(XOR, q.and(2).lanewise(LSHL, 30)).reinterpretAsFloats();
        VectorMask<Float> large = x.abs().compare(LT, SINCOS_FAST).not();
        if (large.anyTrue()) {
            for (int lane = 0; lane < LANES; lane++) {
                if (large.laneIsSet(lane)) {
                    result = result.withLane(lane, MathKernels.large(x.lane(lane), quarter));
                }
            }
        }
        return result;
    }

    /**
     * POW, {@link MathKernels#pow} lane by lane: the fast path in double vectors for every lane,
     * then the lanes outside it (base not positive and finite, exponent not finite) from the scalar
     * kernel, which gives them {@link StrictMath#pow}'s result.
     */
    private static void pow(int[] as, int a, int[] bs, int b, int[] out, int d, int n) {
        // Constants hoisted: inlining a broadcast per use would take the loop past C2's node budget.
        DoubleVector one = DoubleVector.broadcast(D, 1d), twoLog2e = DoubleVector.broadcast(D, TWO_LOG2E);
        DoubleVector q1 = DoubleVector.broadcast(D, Q1), q2 = DoubleVector.broadcast(D, Q2), q3 = DoubleVector.broadcast(D, Q3);
        DoubleVector q4 = DoubleVector.broadcast(D, Q4), q5 = DoubleVector.broadcast(D, Q5), q6 = DoubleVector.broadcast(D, Q6);
        DoubleVector q7 = DoubleVector.broadcast(D, Q7);
        DoubleVector p2 = DoubleVector.broadcast(D, P2), p3 = DoubleVector.broadcast(D, P3), p4 = DoubleVector.broadcast(D, P4);
        DoubleVector p5 = DoubleVector.broadcast(D, P5), p6 = DoubleVector.broadcast(D, P6), p7 = DoubleVector.broadcast(D, P7);
        DoubleVector p8 = DoubleVector.broadcast(D, P8), p9 = DoubleVector.broadcast(D, P9), p10 = DoubleVector.broadcast(D, P10);
        int step = D.length();
        for (int i = 0; i < n; i += step) {
            FloatVector af = IntVector.fromArray(IH, as, a + i).reinterpretAsFloats();
            FloatVector bf = IntVector.fromArray(IH, bs, b + i).reinterpretAsFloats();
            DoubleVector ad = (DoubleVector) af.convertShape(F2D, D, 0);
            DoubleVector bd = (DoubleVector) bf.convertShape(F2D, D, 0);
            LongVector ix = ad.reinterpretAsLongs().sub(SQRT_HALF_D_BITS);
            DoubleVector e = (DoubleVector) ix.lanewise(ASHR, 52).convert(L2D, 0);
            DoubleVector m = ix.and(MANTISSA_D).add(SQRT_HALF_D_BITS).reinterpretAsDoubles();
            DoubleVector sv = m.sub(one).div(m.add(one));
            DoubleVector z = sv.mul(sv);
            DoubleVector q = z.fma(Q9, Q8);
            q = q.fma(z, q7);
            q = q.fma(z, q6);
            q = q.fma(z, q5);
            q = q.fma(z, q4);
            q = q.fma(z, q3);
            q = q.fma(z, q2);
            q = q.fma(z, q1);
            DoubleVector atanh = q.mul(z).fma(sv, sv);
            DoubleVector y = bd.mul(atanh.fma(twoLog2e, e)).max(POW_Y_LO).min(POW_Y_HI);
            DoubleVector v = y.add(SHIFTER_D);
            LongVector nl = v.reinterpretAsLongs().sub(SHIFTER_D_BITS);
            DoubleVector t = y.sub(v.sub(SHIFTER_D)).mul(LN2_D);
            DoubleVector p = t.fma(P12, P11);
            p = p.fma(t, p10);
            p = p.fma(t, p9);
            p = p.fma(t, p8);
            p = p.fma(t, p7);
            p = p.fma(t, p6);
            p = p.fma(t, p5);
            p = p.fma(t, p4);
            p = p.fma(t, p3);
            p = p.fma(t, p2);
            p = p.fma(t, one);
            p = p.fma(t, one);
            DoubleVector r = p.mul(nl.add(1023).lanewise(LSHL, 52).reinterpretAsDoubles());
            r.convertShape(D2F, FH, 0).reinterpretAsInts().intoArray(out, d + i);
            VectorMask<Float> fast = af.compare(GT, 0f).and(af.compare(LT, Float.POSITIVE_INFINITY))
                    .and(bf.abs().compare(LT, Float.POSITIVE_INFINITY));
            if (!fast.allTrue()) {
                for (int lane = 0; lane < step; lane++) {
                    if (!fast.laneIsSet(lane)) {
                        out[d + i + lane] = Float.floatToRawIntBits(MathKernels.pow(af.lane(lane), bf.lane(lane)));
                    }
                }
            }
        }
    }

    /** A constant broadcast; C2 hoists it out of the loops. */
    private static FloatVector k(float v) {
        return FloatVector.broadcast(F, v);
    }

    /**
     * Constant vectors of the tanh and erf kernels: static finals rather than broadcasts at each
     * use, so the fused JIT loops that inline these kernels stay inside C2's node budget. (C2
     * reloads a static final vector's payload after every store to a float array, which it may
     * alias, so exp's polynomial, in the loop that spills to the row scratch, broadcasts instead:
     * softmax 7% faster at 64K in an A/B.)
     */
    private static final FloatVector T2_V = k(T2), T3_V = k(T3), T4_V = k(T4), ONE_V = k(1f), TWO_V = k(2f);


    /**
     * The exp kernel's polynomial: e^r for xc = n ln2 + r, where {@code v = xc log2e + SHIFTER}
     * holds n in its low bits; callers scale by 2^n as their range allows.
     */
    private static FloatVector expPolynomial(FloatVector xc, FloatVector v) {
        FloatVector kf = v.sub(SHIFTER);
        FloatVector r = kf.fma(k(-LN2_HI), xc);
        r = kf.fma(k(-LN2_LO), r);
        FloatVector p = r.fma(E6, E5);
        p = p.fma(r, k(E4));
        p = p.fma(r, k(E3));
        p = p.fma(r, k(E2));
        p = p.fma(r, k(1f));
        return p.fma(r, k(1f));
    }

    /** e^xc for xc whose result is normal: 2^n added straight into the exponent bits. */
    private static FloatVector expNormal(FloatVector xc) {
        FloatVector v = xc.fma(LOG2E, SHIFTER);
        return expPolynomial(xc, v).reinterpretAsInts().add(v.reinterpretAsInts().lanewise(LSHL, 23)).reinterpretAsFloats();
    }

    /**
     * TANH, {@link MathKernels#tanh} lane by lane, e^2|x| by the exp steps inline (no scratch round
     * trip). The caller's loop must stay under C2's inlining node budget (NodeCountInliningCutoff),
     * or its last vector calls are left as calls on boxed vectors; hence 2^n by one integer add.
     */
    static FloatVector tanhF32(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        FloatVector a = x.abs();
        // e^2|x| < 2^30 is normal: 2^n added into the exponent bits gives exp's bits, as in exp.
        FloatVector e = expNormal(a.add(a).min(TANH_EXP_CLAMP));
        FloatVector z = x.mul(x);
        FloatVector q = z.fma(T0, T1);
        q = q.fma(z, T2_V);
        q = q.fma(z, T3_V);
        q = q.fma(z, T4_V);
        FloatVector small = q.mul(z).fma(x, x);
        FloatVector big = ONE_V.sub(TWO_V.div(e.add(1f)));
        return big.blend(small, a.compare(LT, TANH_SMALL)).reinterpretAsInts().and(MAGNITUDE).or(bits.and(SIGN)).reinterpretAsFloats();
    }

    /** SIGMOID, {@link MathKernels#sigmoid} lane by lane, e^-|x| by the exp steps inline (as {@link #tanhF32}). */
    static FloatVector sigmoidF32(FloatVector x) {
        FloatVector xc = x.abs().neg().max(EXP_LO);
        FloatVector v = xc.fma(LOG2E, SHIFTER);
        IntVector m = v.reinterpretAsInts().sub(SHIFTER_BITS);
        FloatVector y = expPolynomial(xc, v);
        // -150 ≤ m ≤ 0: two power-of-two factors, as exp, for the subnormal results.
        IntVector half = m.lanewise(ASHR, 1);
        FloatVector s1 = half.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = m.sub(half).add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        FloatVector e = y.mul(s1).mul(s2);
        return e.blend(1f, x.compare(GE, 0f)).div(e.add(1f));
    }

    private static final FloatVector B1_V = k(B1), B2_V = k(B2), B3_V = k(B3), A1_V = k(A1), A2_V = k(A2), A3_V = k(A3), A4_V = k(A4);

    /**
     * ERF of a vector in one pass, e^-Q(|x|) by the exp kernel's steps inline (as {@link #tanhF32}).
     * For |x| ≤ 4, Q lies in [0.9, 18], inside exp's clamps and with 2^-Q's exponent far from the
     * subnormals, so the clamps are dropped and 2^n added into the exponent bits gives exp's bits.
     * Constants are static finals: a broadcast per use would take loops past C2's node budget.
     */
    static FloatVector erfF32(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        FloatVector a = bits.and(MAGNITUDE).reinterpretAsFloats();
        FloatVector c = a.min(ERF_CLAMP);
        FloatVector q = c.fma(B7, B6);
        FloatVector u = c.fma(B5, B4);
        q = q.fma(c.mul(c), u);
        q = q.fma(c, B3_V);
        q = q.fma(c, B2_V);
        q = q.fma(c, B1_V);
        FloatVector big = ONE_V.sub(expNormal(q.fma(c, c).neg()));
        FloatVector z = x.mul(x);
        FloatVector ps = z.fma(A6, A5);
        ps = ps.fma(z, A4_V);
        ps = ps.fma(z, A3_V);
        ps = ps.fma(z, A2_V);
        ps = ps.fma(z, A1_V);
        FloatVector small = ps.fma(x, x);
        return big.reinterpretAsInts().and(MAGNITUDE).or(bits.and(SIGN)).reinterpretAsFloats().blend(small, a.compare(LT, ERF_SMALL));
    }

    /**
     * NaN lanes as the canonical NaN: which operand's payload max and min pass on differs between
     * the vector instructions and scalar code, so neither may reach the result.
     */
    private static FloatVector canonicalNaN(FloatVector x) {
        return x.blend(Float.NaN, x.test(IS_NAN));
    }

    static FloatVector roundF32(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        FloatVector a = bits.and(MAGNITUDE).reinterpretAsFloats();
        FloatVector y = a.add(TWO23).sub(TWO23).reinterpretAsInts().or(bits.and(SIGN)).reinterpretAsFloats();
        return x.blend(y, a.compare(LT, TWO23));
    }

    /** Below 2^23, trunc(|x|) is round(|x|) less one where that rounded up; no float-int conversion needed. */
    static FloatVector truncF32(FloatVector x) {
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
            case F32 -> binary(BINARY_F32_RUN, op, type, dst, a, b, n);
            case I32 -> binary(BINARY_I32_RUN, op, type, dst, a, b, n);
            case I64 -> binary(BINARY_I64_RUN, op, type, dst, a, b, n);
            default -> throw ScalarVectorUnit.unsupported(op, type);
        }
    }

    /** As {@link #unary(MethodHandle[], Opcode, ElementType, int, int, int)}, for two operands. */
    private void binary(MethodHandle[] loops, Opcode op, ElementType type, int d, int a, int b, int n) {
        MethodHandle loop = loops[op.ordinal()];
        int wordsPerElement = type == ElementType.I64 ? 2 : 1;
        int words = loop == null ? 0 : I.loopBound(wordsPerElement * n);
        if (loop != null) {
            try {
                loop.invokeExact(this, d, a, b, words);
            } catch (Throwable t) {
                throw rethrown(t);
            }
        }
        int done = words / wordsPerElement;
        if (done < n) {
            scalar.binary(op, type, d + (op.result() == Opcode.Result.BOOL ? done : words), a + words, b + words, n - done);
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
            case F32 -> binaryScalar(SCALAR_F32_RUN, eff, type, dst, a, n, s, left);
            case I32 -> binaryScalar(SCALAR_I32_RUN, eff, type, dst, a, n, s, left);
            case I64 -> binaryScalar(SCALAR_I64_RUN, eff, type, dst, a, n, s, left);
            default -> throw ScalarVectorUnit.unsupported(eff, type);
        }
    }

    /** As {@link #unary(MethodHandle[], Opcode, ElementType, int, int, int)}, for an operand and a scalar. */
    private void binaryScalar(MethodHandle[] loops, Opcode op, ElementType type, int d, int a, int n, long s, boolean left) {
        MethodHandle loop = loops[op.ordinal()];
        int wordsPerElement = type == ElementType.I64 ? 2 : 1;
        int words = loop == null ? 0 : I.loopBound(wordsPerElement * n);
        if (loop != null) {
            try {
                loop.invokeExact(this, d, a, words, s, left);
            } catch (Throwable t) {
                throw rethrown(t);
            }
        }
        int done = words / wordsPerElement;
        if (done < n) {
            scalar.binaryScalar(op, type, d + (op.result() == Opcode.Result.BOOL ? done : words), a + words, n - done, s, left);
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
                put(dst + i, bf16Bits(i(src + i)));
            }
        } else {
            bound = 0;
        }
        if (bound < n) {
            // 32-bit to 32-bit casts keep word offsets equal to element offsets; the rest start at 0.
            scalar.cast(from, to, dst + bound, src + bound, n - bound);
        }
    }

    /** F32 bits rounded to BF16 (low half zero), as {@link MathKernels#roundBf16} lane by lane. */
    static IntVector bf16Bits(IntVector v) {
        IntVector rounded = v.add(0x7FFF).add(v.lanewise(LSHR, 16).and(1)).and(0xFFFF_0000);
        IntVector quiet = v.or(0x0040_0000).and(0xFFFF_0000);
        return rounded.blend(quiet, v.and(MAGNITUDE).compare(GT, 0x7F80_0000));
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
    public long element(ElementType type, int word) {
        return scalar.element(type, word);
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
                if (LANES == 16) {
                    FloatVector acc = sum16(ub, row, cols);
                    c = cols & -16;
                    if (c < cols) {
                        VectorMask<Integer> tail = I.indexInRange(c, cols);
                        acc = sumTail(acc, IntVector.fromArray(I, ub, row + c, tail).reinterpretAsFloats(), tail.cast(F));
                    }
                    return Float.floatToRawIntBits(sumLanes(acc).lane(0));
                }
                float[] partials = scalar.partials();
                if (LANES == 8) {
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
            case REDUCE_MAX, REDUCE_MIN -> {
                return extremum(op, row, cols);
            }
            default -> throw ScalarVectorUnit.unsupported(op, ElementType.F32);
        }
    }

    /**
     * REDUCE_MAX or REDUCE_MIN of one row on {@linkplain #extremumStep raw bits}, two steps at a
     * time. Kept small enough for C2 to inline into {@link #reduce}: a {@code reduce} compiled small
     * is inlined into {@link TileInterpreter#run} in turn, which then overruns C2's node budget and
     * leaves other loops' vectors boxed (softmax interpreted went from 22 to 54 µs at 64K).
     */
    private int extremum(Opcode op, int row, int cols) {
        boolean max = op == Opcode.REDUCE_MAX;
        IntVector o0 = extremumStart(max, ORDERED), o1 = o0, n0 = extremumStart(max, NEGATIVE), n1 = n0,
                w0 = extremumStart(max, WITNESS), w1 = w0;
        int c = 0;
        for (; c + 2 * LANES <= cols; c += 2 * LANES) {
            FloatVector v0 = f(row + c), v1 = f(row + c + LANES);
            o0 = extremumStep(max, ORDERED, o0, v0);
            n0 = extremumStep(max, NEGATIVE, n0, v0);
            w0 = extremumStep(max, WITNESS, w0, v0);
            o1 = extremumStep(max, ORDERED, o1, v1);
            n1 = extremumStep(max, NEGATIVE, n1, v1);
            w1 = extremumStep(max, WITNESS, w1, v1);
        }
        for (; c < cols; c += LANES) {
            VectorMask<Float> rest = F.indexInRange(c, cols);
            FloatVector v = IntVector.fromArray(I, ub, row + c, rest.cast(I)).reinterpretAsFloats();
            o0 = extremumTail(max, ORDERED, o0, v, rest);
            n0 = extremumTail(max, NEGATIVE, n0, v, rest);
            w0 = extremumTail(max, WITNESS, w0, v, rest);
        }
        VectorOperators.Associative ordered = extremumOperator(max, ORDERED), negative = extremumOperator(max, NEGATIVE),
                witness = extremumOperator(max, WITNESS);
        return Float.floatToRawIntBits(extremumOf(max, o0.lanewise(ordered, o1), n0.lanewise(negative, n1), w0.lanewise(witness, w1)));
    }

    /**
     * The canonical partials of {@code ub[row..row+cols)} over whole 16-column groups, one per
     * lane of the result. Four loads per iteration ahead of the one add
     * chain (the order the canonical sum fixes) keep the loop overhead off that chain.
     */
    private static FloatVector sum16(int[] ub, int row, int cols) {
        FloatVector acc = FloatVector.broadcast(F, -0f);
        int c = 0;
        for (; c + 64 <= cols; c += 64) {
            FloatVector v0 = IntVector.fromArray(I, ub, row + c).reinterpretAsFloats();
            FloatVector v1 = IntVector.fromArray(I, ub, row + c + 16).reinterpretAsFloats();
            FloatVector v2 = IntVector.fromArray(I, ub, row + c + 32).reinterpretAsFloats();
            FloatVector v3 = IntVector.fromArray(I, ub, row + c + 48).reinterpretAsFloats();
            acc = sumStep(sumStep(sumStep(sumStep(acc, v0), v1), v2), v3);
        }
        for (; c + 16 <= cols; c += 16) {
            acc = sumStep(acc, IntVector.fromArray(I, ub, row + c).reinterpretAsFloats());
        }
        return acc;
    }

    /*
     * Per-row F32 reductions one vector step at a time: the steps the loops above accumulate with,
     * shared with the JIT tier's generated code (JitCompiler), which feeds them a row's values as
     * it computes them. A sum's accumulator starts at -0f; the row's tail goes through the masked
     * form, whose lanes outside the mask keep the accumulator; the lanes form gives the row's
     * result in every lane. SUM's lanes are the canonical partials c mod 16 only when LANES == 16
     * (the JIT tier compiles sums only then). MAX and MIN step through keys, below.
     */

    static FloatVector sumStep(FloatVector acc, FloatVector v) {
        return acc.add(v);
    }

    static FloatVector sumTail(FloatVector acc, FloatVector v, VectorMask<Float> m) {
        return acc.add(v, m);
    }

    /**
     * The canonical combine of the 16 partials in {@code acc}'s lanes ({@link ScalarVectorUnit#combine}:
     * lane i plus lane i + 8, then + 4, + 2, + 1; each add the same pair, so the same bits), in
     * registers: a round trip through memory stalls on forwarding a vector store to scalar loads.
     * For 16-lane vectors only.
     */
    static FloatVector sumLanes(FloatVector acc) {
        FloatVector v = acc.add(acc.rearrange(HALF_8));
        v = v.add(v.rearrange(HALF_4));
        v = v.add(v.rearrange(HALF_2));
        v = v.add(v.rearrange(HALF_1));
        return v.rearrange(LANE_0);
    }

    /** Lane i takes lane i + h (wrapping; the wrapped lanes are never read), and every lane lane 0. */
    private static final VectorShuffle<Float> HALF_8 = VectorShuffle.iota(F, 8, 1, true), HALF_4 = VectorShuffle.iota(F, 4, 1, true),
            HALF_2 = VectorShuffle.iota(F, 2, 1, true), HALF_1 = VectorShuffle.iota(F, 1, 1, true), LANE_0 = VectorShuffle.iota(F, 0, 0, true);

    /*
     * MAX and MIN on the floats' raw bits, one integer max or min per accumulator and step, where
     * Java's float max is a sequence of six whose latency four accumulators only half hide (a row
     * max over 64K floats: 4.8 µs by float max, 2.2 µs by ordered keys, which this replaces: their
     * transform and two accumulators took five instructions a step, raw bits take three). As
     * signed ints the non-negative floats, +0 to +NaN, order as their values and lie above every
     * negative one; as unsigned ints the negative floats, -0 to -NaN, order by magnitude and lie
     * above every non-negative one. So a row keeps three accumulators:
     * ORDERED, the signed max (MAX) or min (MIN), which is the result when it is not negative (MAX:
     * some lane is at least +0; MIN: no lane is negative); NEGATIVE, the unsigned min (MAX) or max
     * (MIN), the result otherwise; and WITNESS, the unsigned max (MAX) or signed max (MIN), which
     * shows the NaN of the one sign the other two may hide. A NaN anywhere makes the canonical
     * NaN, as ScalarVectorUnit#reduceF32 stores it; -0 orders below +0 as in Math.max. The
     * operations are associative and commutative, so any grouping of steps gives the same bits.
     * Empty rows: MAX is -inf, MIN +inf.
     */

    /** The accumulators of a MAX or MIN row, in the order the start, step and result functions take them. */
    static final int ORDERED = 0, NEGATIVE = 1, WITNESS = 2, EXTREMUM_ACCUMULATORS = 3;
    private static final int NEG_INF_BITS = 0xff80_0000, POS_INF_BITS = 0x7f80_0000;

    /*
     * Broadcast where the loop starts, not a static final vector: C2 cannot unbox a loop's vector
     * phi whose entry value is a constant object, and then boxes every step (measured 9× slower).
     */
    static IntVector extremumStart(boolean max, int accumulator) {
        return IntVector.broadcast(I, switch (accumulator) {
            case ORDERED -> max ? NEG_INF_BITS : POS_INF_BITS;
            case NEGATIVE -> max ? NEG_INF_BITS : 0;
            default -> max ? 0 : Integer.MIN_VALUE;
        });
    }

    /** One step of a MAX ({@code max}) or MIN row's accumulator; callers pass constants, so C2 folds the choice. */
    static IntVector extremumStep(boolean max, int accumulator, IntVector acc, FloatVector v) {
        return acc.lanewise(extremumOperator(max, accumulator), v.reinterpretAsInts());
    }

    static IntVector extremumTail(boolean max, int accumulator, IntVector acc, FloatVector v, VectorMask<Float> m) {
        return acc.lanewise(extremumOperator(max, accumulator), v.reinterpretAsInts(), m.cast(I));
    }

    private static VectorOperators.Associative extremumOperator(boolean max, int accumulator) {
        return switch (accumulator) {
            case ORDERED -> max ? MAX : MIN;
            case NEGATIVE -> max ? UMIN : UMAX;
            default -> max ? UMAX : MAX;
        };
    }

    /** The row's MAX ({@code max}) or MIN from its three accumulators. */
    static float extremumOf(boolean max, IntVector ordered, IntVector negative, IntVector witness) {
        int o = ordered.reduceLanes(max ? MAX : MIN);
        // Unsigned reductions have no intrinsic: flipping the sign bit turns unsigned order into signed.
        // Written out here: moved into a helper taking the choice, they boxed the row loops of some
        // JVMs (softmax [1024, 1024] 317 or 352-365 µs from run to run, against 314-317 µs every run).
        int n = negative.lanewise(XOR, Integer.MIN_VALUE).reduceLanes(max ? MIN : MAX) ^ Integer.MIN_VALUE;
        int w = max ? witness.lanewise(XOR, Integer.MIN_VALUE).reduceLanes(MAX) ^ Integer.MIN_VALUE : witness.reduceLanes(MAX);
        int highestSigned = max ? o : w, highestUnsigned = max ? w : n;
        if (highestSigned > POS_INF_BITS || Integer.compareUnsigned(highestUnsigned, NEG_INF_BITS) > 0) {
            return Float.NaN;
        }
        return Float.intBitsToFloat(o >= 0 ? o : n);
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
