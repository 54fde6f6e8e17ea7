package dev.dvm.vm;

import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.F2I;
import static jdk.incubator.vector.VectorOperators.I2B;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.I2S;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.S2I;

import dev.dvm.bytecode.ElementType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the classes {@link JitCompiler} generates call at run time: row addresses, the per-thread
 * {@link Frame}, instance numbers read from the {@link StagePlan}, memory conversions between
 * element types and UB words (as {@link Transfer} converts), and the operations that are more than
 * one Vector API call (truth values, selects, casts). Small and static, so C2 inlines them into
 * the generated loops.
 */
final class JitRuntime {
    private JitRuntime() {}


    /**
     * Byte address of column {@code colStart} of tile row {@code row} for full-tile plan {@code m}:
     * the row index in mixed radix over the outer extents, as {@link Transfer} does.
     */
    static long rowAddress(MemoryPlan m, int[] outerExtents, long base, long row, long colStart) {
        long[] strides = m.outerStrides();
        long element = m.offset() + colStart * m.innerStrides()[0];
        if (outerExtents.length == 1) {
            // One outer dim (row < its extent): no division, which costs tens of cycles per plan and row.
            element += row * strides[0];
        } else {
            long rest = row;
            for (int d = outerExtents.length - 1; d >= 0; d--) {
                element += rest % outerExtents[d] * strides[d];
                rest /= outerExtents[d];
            }
        }
        return base + element * m.type().byteSize();
    }

    /** The scalar operand of BINARY_SCALAR instruction {@code k}, broadcast as {@link PanamaVectorUnit#binaryScalar} does. */
    static FloatVector scalarOperand(StagePlan st, int k) {
        return FloatVector.broadcast(PanamaVectorUnit.F, Float.intBitsToFloat((int) st.scalars[k]));
    }

    /**
     * A thread's working memory for compiled runs, fetched once per run: for each row of the
     * current tile, each memory plan's byte address at its first column ({@code address}, at
     * row × plans + plan), the row values reductions produced ({@code row}, at row × steps +
     * step), the rows spilled values pass through ({@code scratch}); each pass runs over a
     * {@linkplain #rowGroup group} of the tile's rows before the next starts. Passes exchange
     * values through the frame as scalars and addresses, never as vectors, so no vector crosses a
     * call.
     */
    static final class Frame {
        final long[] address;
        final float[] row;
        final float[] scratch;
        /** A product stage's unified buffer, where the thread's cube unit leaves each tile's product ({@link #product}). */
        int[] ub = new int[0];
        CubeUnit cube;

        private Frame(int plans, int steps, int scratchFloats) {
            address = new long[plans];
            row = new float[steps];
            scratch = new float[scratchFloats];
        }
    }

    /**
     * How many of a tile's rows each pass runs over before the next pass starts: the whole tile
     * while the stage's rows fit the last-level cache, so a pass's call and constants are paid once
     * per tile and a row's reductions are long done when the next pass reads them; one row once
     * they stream from memory, where reading a row and writing the previous one overlap best
     * row by row. Measured on this machine (32 MiB L3), softmax, LayerNorm and RMSNorm over rows
     * of 1024: whole tiles 6–12% faster at 64K and 1M elements (up to 8 MiB per tensor pair), one
     * row 12–35% faster at 4M and 16M.
     */
    static int rowGroup(StagePlan st) {
        long bytes = 0;
        for (MemoryPlan m : st.memory) {
            for (long stride : m.outerStrides()) {
                if (stride != 0) {
                    bytes += st.totalRows * st.totalCols * m.type().byteSize();
                    break;
                }
            }
        }
        return bytes > STREAMED_BYTES ? 1 : st.rows;
    }

    /** Half this machine's last-level cache: beyond it a stage's rows come from memory. */
    private static final long STREAMED_BYTES = 16L << 20;

    private static final ThreadLocal<Frame> FRAMES = ThreadLocal.withInitial(() -> new Frame(0, 0, 0));

    /** This thread's frame, grown when {@code st}'s run needs more; launches allocate nothing once it is large enough. */
    static Frame frame(StagePlan st, int plans, int steps, int spills) {
        Frame f = FRAMES.get();
        // Two rows at least: skewed passes hold a row and the next (JitCompiler's RunEmitter.skewedRows).
        int rows = Math.max(st.rows, 2);
        int addresses = plans * rows, values = steps * rows, floats = scratchStride(st) * spills * rows;
        if (f.address.length < addresses || f.row.length < values || f.scratch.length < floats) {
            f = new Frame(Math.max(addresses, f.address.length), Math.max(values, f.row.length), Math.max(floats, f.scratch.length));
            FRAMES.set(f);
        }
        return f;
    }

    /**
     * Runs MATMUL instruction {@code k} of {@code st} for one tile on this thread's cube unit, as
     * the interpreter does, into {@code f.ub}: the chain then reads the product from there. The
     * buffer has a vector's slack past the tile, so that a row's last vector is read whole (its
     * lanes past the row are never stored). The cube unit is sized from the host's spec; its fixed
     * order makes the bits independent of that.
     */
    static void product(StagePlan st, int k, MemorySegment[] segments, long[] bases, long rowStart, int rows, long colStart, int cols,
            Frame f) {
        int words = st.num(k, StagePlan.DST) + st.rows * st.pitch + PanamaVectorUnit.LANES;
        if (f.ub.length < words) {
            f.ub = new int[words];
            f.cube = new CubeUnit(f.ub, NpuSpec.host());
        }
        f.cube.run(st, st.memory, st.arg(k), st.nums, st.ops[k * StagePlan.W + StagePlan.NUM], segments, bases, rowStart, rows, colStart,
                cols);
    }

    /** The UB word of row {@code row} of MATMUL instruction {@code k}'s product. */
    static int productRow(StagePlan st, int k, int row) {
        return st.num(k, StagePlan.DST) + row * st.pitch;
    }

    /** The product's vector at UB word {@code word}. */
    static FloatVector productVector(int[] ub, int word) {
        return IntVector.fromArray(PanamaVectorUnit.I, ub, word).reinterpretAsFloats();
    }

    /** Floats of one spilled value's row in the scratch: a tile's columns, whole vectors. */
    static int scratchStride(StagePlan st) {
        return (st.cols + PanamaVectorUnit.LANES - 1) / PanamaVectorUnit.LANES * PanamaVectorUnit.LANES;
    }

    /** The value FILL instruction {@code k} writes, bits unchanged as the scalar unit's fill writes them. */
    static FloatVector fillValue(StagePlan st, int k) {
        return intScalar(st, k).reinterpretAsFloats();
    }

    /** The scalar of instruction {@code k} (BINARY_SCALAR or FILL of I32) in every lane. */
    static IntVector intScalar(StagePlan st, int k) {
        return IntVector.broadcast(PanamaVectorUnit.I, (int) st.scalars[k]);
    }

    /** Bytes between a plan's consecutive columns. */
    static long strideBytes(MemoryPlan m) {
        return m.innerStrides()[0] * m.type().byteSize();
    }

    /** The element at {@code address} as a UB word in every lane: a LOAD of inner stride 0. */
    static IntVector broadcastWord(MemorySegment seg, long address, int type) {
        return IntVector.broadcast(PanamaVectorUnit.I, Transfer.word(ElementType.ofCode(type), seg, address));
    }

    /** {@code count} elements every {@code strideBytes} from {@code address} as UB words (lanes from {@code count} on: 0). */
    static IntVector gather(MemorySegment seg, long address, long strideBytes, int count, int type) {
        IntVector v = IntVector.zero(PanamaVectorUnit.I);
        for (int lane = 0; lane < count; lane++) {
            v = v.withLane(lane, Transfer.word(ElementType.ofCode(type), seg, address + lane * strideBytes));
        }
        return v;
    }

    /** The first {@code count} lanes of {@code words} to elements every {@code strideBytes} from {@code address}. */
    static void scatter(IntVector words, MemorySegment seg, long address, long strideBytes, int count, int type) {
        for (int lane = 0; lane < count; lane++) {
            Transfer.putWord(ElementType.ofCode(type), seg, address + lane * strideBytes, words.lane(lane));
        }
    }

    /** Byte and short vectors with the lanes of an F32 vector, for BOOL and BF16 rows; null where that is under 64 bits. */
    private static final VectorSpecies<Byte> BYTES =
            PanamaVectorUnit.LANES >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(PanamaVectorUnit.LANES * 8)) : null;
    private static final VectorSpecies<Short> SHORTS =
            PanamaVectorUnit.LANES >= 8 ? VectorSpecies.of(short.class, VectorShape.forBitSize(PanamaVectorUnit.LANES * 16)) : null;

    static IntVector loadI32(MemorySegment seg, long address) {
        return IntVector.fromMemorySegment(PanamaVectorUnit.I, seg, address, ByteOrder.LITTLE_ENDIAN);
    }

    static IntVector loadI32(MemorySegment seg, long address, int count) {
        return IntVector.fromMemorySegment(PanamaVectorUnit.I, seg, address, ByteOrder.LITTLE_ENDIAN, PanamaVectorUnit.I.indexInRange(0, count));
    }

    static void storeI32(IntVector v, MemorySegment seg, long address) {
        v.intoMemorySegment(seg, address, ByteOrder.LITTLE_ENDIAN);
    }

    static void storeI32(IntVector v, MemorySegment seg, long address, int count) {
        v.intoMemorySegment(seg, address, ByteOrder.LITTLE_ENDIAN, PanamaVectorUnit.I.indexInRange(0, count));
    }

    /** BOOL bytes (nonzero reads as 1) as 0/1 words. */
    static IntVector loadBool(MemorySegment seg, long address) {
        return nonzero((IntVector) ByteVector.fromMemorySegment(BYTES, seg, address, ByteOrder.LITTLE_ENDIAN).convertShape(B2I, PanamaVectorUnit.I, 0));
    }

    static IntVector loadBool(MemorySegment seg, long address, int count) {
        ByteVector b = ByteVector.fromMemorySegment(BYTES, seg, address, ByteOrder.LITTLE_ENDIAN, BYTES.indexInRange(0, count));
        return nonzero((IntVector) b.convertShape(B2I, PanamaVectorUnit.I, 0));
    }

    static void storeBool(IntVector v, MemorySegment seg, long address) {
        nonzero(v).convertShape(I2B, BYTES, 0).intoMemorySegment(seg, address, ByteOrder.LITTLE_ENDIAN);
    }

    static void storeBool(IntVector v, MemorySegment seg, long address, int count) {
        ((ByteVector) nonzero(v).convertShape(I2B, BYTES, 0)).intoMemorySegment(seg, address, ByteOrder.LITTLE_ENDIAN, BYTES.indexInRange(0, count));
    }

    /** BF16 elements as F32 (their bits in the upper half). */
    static FloatVector loadBf16(MemorySegment seg, long address) {
        return bf16Words(ShortVector.fromMemorySegment(SHORTS, seg, address, ByteOrder.LITTLE_ENDIAN));
    }

    static FloatVector loadBf16(MemorySegment seg, long address, int count) {
        return bf16Words(ShortVector.fromMemorySegment(SHORTS, seg, address, ByteOrder.LITTLE_ENDIAN, SHORTS.indexInRange(0, count)));
    }

    private static FloatVector bf16Words(ShortVector v) {
        return ((IntVector) v.convertShape(S2I, PanamaVectorUnit.I, 0)).lanewise(LSHL, 16).reinterpretAsFloats();
    }

    /** F32 rounded to BF16, to nearest even (a NaN stays a NaN), as {@link MathKernels#roundBf16}. */
    static void storeBf16(FloatVector v, MemorySegment seg, long address) {
        bf16Halves(v).intoMemorySegment(seg, address, ByteOrder.LITTLE_ENDIAN);
    }

    static void storeBf16(FloatVector v, MemorySegment seg, long address, int count) {
        bf16Halves(v).intoMemorySegment(seg, address, ByteOrder.LITTLE_ENDIAN, SHORTS.indexInRange(0, count));
    }

    private static ShortVector bf16Halves(FloatVector v) {
        return (ShortVector) PanamaVectorUnit.bf16Bits(v.reinterpretAsInts()).lanewise(LSHR, 16).convertShape(I2S, SHORTS, 0);
    }

    // Truth values as UB words (0 or 1), as the interpreter's putBool writes them; nonzero is true.

    static IntVector bool(VectorMask<?> m) {
        return IntVector.zero(PanamaVectorUnit.I).blend(1, m.cast(PanamaVectorUnit.I));
    }

    static IntVector isFinite(FloatVector x) {
        return bool(x.reinterpretAsInts().and(0x7F80_0000).compare(NE, 0x7F80_0000));
    }

    static IntVector isZero(FloatVector x) {
        return bool(x.compare(EQ, 0f));
    }

    static IntVector isZero(IntVector x) {
        return bool(x.compare(EQ, 0));
    }

    static IntVector nonzero(FloatVector x) {
        return bool(x.compare(NE, 0f));
    }

    static IntVector nonzero(IntVector x) {
        return bool(x.compare(NE, 0));
    }

    static IntVector and(FloatVector a, FloatVector b) {
        return bool(a.compare(NE, 0f).and(b.compare(NE, 0f)));
    }

    static IntVector and(IntVector a, IntVector b) {
        return bool(a.compare(NE, 0).and(b.compare(NE, 0)));
    }

    static IntVector or(FloatVector a, FloatVector b) {
        return bool(a.compare(NE, 0f).or(b.compare(NE, 0f)));
    }

    static IntVector or(IntVector a, IntVector b) {
        return bool(a.compare(NE, 0).or(b.compare(NE, 0)));
    }

    /** SELECT: {@code cond != 0 ? a : b} lane by lane, bits unchanged. */
    static FloatVector select(IntVector cond, FloatVector a, FloatVector b) {
        return b.blend(a, cond.compare(NE, 0).cast(PanamaVectorUnit.F));
    }

    static IntVector select(IntVector cond, IntVector a, IntVector b) {
        return b.blend(a, cond.compare(NE, 0));
    }

    /** CAST F32 to I32: Java's (int) conversion, as the interpreter's F2I. */
    static IntVector toI32(FloatVector x) {
        return (IntVector) x.convert(F2I, 0);
    }

    static FloatVector toF32(IntVector x) {
        return (FloatVector) x.convert(I2F, 0);
    }

    static FloatVector toBf16(FloatVector x) {
        return PanamaVectorUnit.bf16Bits(x.reinterpretAsInts()).reinterpretAsFloats();
    }

    /** F32 rounded to F16 precision lane by lane, as {@link MathKernels#roundF16} (no vector form of the rounding). */
    static FloatVector toF16(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        IntVector rounded = bits;
        for (int lane = 0; lane < PanamaVectorUnit.LANES; lane++) {
            rounded = rounded.withLane(lane, MathKernels.roundF16(bits.lane(lane)));
        }
        return rounded.reinterpretAsFloats();
    }
}
