package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CubeUnit#product} against a scalar reference written here in MATMUL's order (k in chunks of
 * {@link Isa#CUBE_K_CHUNK}, each chunk an FMA chain in k order from +0.0, the chunk sums added in order to +0.0), bit
 * for bit: F32, F16 and BF16 operands, plain and transposed layouts, rows and columns off the micro-kernel's multiples,
 * k around the chunk size, single rows, rows with different B matrices and blocks larger than L0. Values span many
 * binades with both signs, so sums cancel and any other order shows (checked by {@link #dataTellsOrdersApart()}); every
 * UB word outside the block must keep its sentinel.
 */
class CubeUnitTest {
    private static final int CHUNK = Isa.CUBE_K_CHUNK;
    private static final int UB_WORDS = 64 * 1024;
    /** What every UB word outside the written block must still hold afterwards. */
    private static final int SENTINEL = 0x7FA5_A5A5;
    private static final ElementType F32 = ElementType.F32, F16 = ElementType.F16, BF16 = ElementType.BF16;
    /** A spec whose L0 buffers are the smallest allowed, so blocks of a few dozen rows and columns already span several. */
    private static final NpuSpec SMALL_L0 = new NpuSpec("small-l0", 1, 128 * 1024, 256, 32, 8, 64 * 1024, NpuSpec.MIN_L0_BYTES,
            NpuSpec.MIN_L0_BYTES, NpuSpec.MIN_L0_BYTES);
    private static final Arena ARENA = Arena.ofShared();

    @AfterAll
    static void close() {
        ARENA.close();
    }

    /**
     * One product: A is [aRows × k] (transposed: stored [k × aRows]), each of {@code batches} B matrices [k × bCols]
     * (transposed: stored [bCols × k]); the block's rows start at A row 2 and its columns at B column 3, so offsets are
     * never zero, and its rows take the B matrices in consecutive runs.
     */
    private record Case(ElementType aType, ElementType bType, boolean aTransposed, boolean bTransposed, int rows, int cols, int k,
            int batches, NpuSpec spec) {
        Case(ElementType aType, ElementType bType, boolean aTransposed, boolean bTransposed, int rows, int cols, int k) {
            this(aType, bType, aTransposed, bTransposed, rows, cols, k, 1, NpuSpec.host());
        }

        int aRows() {
            return rows + 3;
        }

        int bCols() {
            return cols + 5;
        }

        int batch(int r) {
            return (int) ((long) r * batches / rows);
        }

        @Override
        public String toString() {
            return aType + (aTransposed ? "ᵀ" : "") + " × " + bType + (bTransposed ? "ᵀ" : "") + " rows " + rows + " cols " + cols + " k " + k
                    + " batches " + batches + " on " + spec.name();
        }
    }

    /** The elements of an operand: {@code type} from byte {@code base} of {@code segment}. */
    private record Operand(MemorySegment segment, long base, ElementType type) {
        /** Allocates {@code count} elements, native or on the heap, at an odd multiple of 2 bytes so nothing is aligned. */
        static Operand allocate(ElementType type, long count, Random random) {
            long base = 2 * (2 * random.nextInt(8) + 1);
            long bytes = base + count * type.byteSize();
            MemorySegment segment = random.nextBoolean() ? ARENA.allocate(bytes) : MemorySegment.ofArray(new byte[(int) bytes]);
            return new Operand(segment, base, type);
        }

        /** Stores {@code value} narrowed to the type (F16 to nearest, BF16 by truncation: the test only needs some value of the type). */
        void set(long index, float value) {
            long at = base + index * type.byteSize();
            switch (type) {
                case F32 -> segment.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, value);
                case F16 -> segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, Float.floatToFloat16(value));
                case BF16 -> segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, (short) (Float.floatToRawIntBits(value) >>> 16));
                default -> throw new IllegalArgumentException(type.toString());
            }
        }

        /** Element {@code index} widened exactly to F32. */
        float get(long index) {
            long at = base + index * type.byteSize();
            return switch (type) {
                case F32 -> segment.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at);
                case F16 -> Float.float16ToFloat(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, at));
                case BF16 -> Float.intBitsToFloat(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, at) << 16);
                default -> throw new IllegalArgumentException(type.toString());
            };
        }
    }

    /** The operands of a case and the arguments of {@link CubeUnit#product} that address them. */
    private record Operands(Operand a, long[] aRow, long aN, long aK, Operand b, long[] bRow, long bN, long bK) {
        static Operands of(Case c, Random random) {
            Operand a = Operand.allocate(c.aType(), (long) c.aRows() * c.k(), random);
            Operand b = Operand.allocate(c.bType(), (long) c.batches() * c.k() * c.bCols(), random);
            fill(a, (long) c.aRows() * c.k(), random);
            fill(b, (long) c.batches() * c.k() * c.bCols(), random);
            long[] aRow = new long[c.rows()], bRow = new long[c.rows()];
            long bMatrix = (long) c.k() * c.bCols();
            for (int r = 0; r < c.rows(); r++) {
                aRow[r] = c.aTransposed() ? 2 + r : (2L + r) * c.k();
                bRow[r] = c.batch(r) * bMatrix + (c.bTransposed() ? 3L * c.k() : 3);
            }
            return new Operands(a, aRow, 0, c.aTransposed() ? c.aRows() : 1, b, bRow, c.bTransposed() ? c.k() : 1,
                    c.bTransposed() ? 1 : c.bCols());
        }

        float a(int r, int c, int k) {
            return a.get(aRow[r] + c * aN + k * aK);
        }

        float b(int r, int c, int k) {
            return b.get(bRow[r] + c * bN + k * bK);
        }
    }

    /** Both signs, magnitudes over ±12 binades (±6 for F16's range) and a few exact zeros: sums cancel in every order. */
    private static void fill(Operand x, long count, Random random) {
        int binades = x.type() == F16 ? 6 : 12;
        for (long i = 0; i < count; i++) {
            float v = random.nextInt(50) == 0 ? 0f : (float) ((1 + random.nextDouble()) * Math.scalb(1.0, random.nextInt(2 * binades + 1) - binades));
            x.set(i, random.nextBoolean() ? v : -v);
        }
    }

    /** MATMUL's order, written out: the block's words as the reference computes them. */
    private static int[] reference(Operands o, int rows, int cols, int k) {
        int[] out = new int[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float total = 0f;
                for (int k0 = 0; k0 < k; k0 += CHUNK) {
                    float chunk = 0f;
                    for (int i = k0; i < Math.min(k, k0 + CHUNK); i++) {
                        chunk = Math.fma(o.a(r, c, i), o.b(r, c, i), chunk);
                    }
                    total += chunk;
                }
                out[r * cols + c] = Float.floatToRawIntBits(total);
            }
        }
        return out;
    }

    /** One running FMA sum over all k, no chunks: an order the cube must not use. */
    private static int[] runningSum(Operands o, int rows, int cols, int k) {
        int[] out = new int[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float sum = 0f;
                for (int i = 0; i < k; i++) {
                    sum = Math.fma(o.a(r, c, i), o.b(r, c, i), sum);
                }
                out[r * cols + c] = Float.floatToRawIntBits(sum);
            }
        }
        return out;
    }

    /** Runs {@code c} with the given seed into a sentinel-filled UB at a padded pitch and compares every UB word. */
    private static void check(Case c, long seed) {
        Random random = new Random(seed);
        Operands o = Operands.of(c, random);
        check(c + ", seed " + seed, o, c.rows(), c.cols(), c.k(), c.spec(), reference(o, c.rows(), c.cols(), c.k()));
    }

    private static void check(String label, Operands o, int rows, int cols, int k, NpuSpec spec, int[] expectedBlock) {
        int pitch = cols + 3;
        int dst = 37;
        int[] ub = new int[Math.max(UB_WORDS, dst + rows * pitch + 16)];
        Arrays.fill(ub, SENTINEL);
        int[] expected = ub.clone();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(expectedBlock, r * cols, expected, dst + r * pitch, cols);
        }
        new CubeUnit(ub, spec).product(o.a().segment(), o.a().base(), o.a().type(), o.aRow(), o.aN(), o.aK(), o.b().segment(), o.b().base(),
                o.b().type(), o.bRow(), o.bN(), o.bK(), rows, cols, k, dst, pitch);
        for (int i = 0; i < ub.length; i++) {
            if (ub[i] != expected[i]) {
                int r = Math.floorDiv(i - dst, pitch), col = Math.floorMod(i - dst, pitch);
                boolean inside = i >= dst && r < rows && col < cols;
                fail(label + ": UB word " + i + (inside ? " (row " + r + ", col " + col + ")" : " (outside the block)") + " is "
                        + Float.intBitsToFloat(ub[i]) + " (0x" + Integer.toHexString(ub[i]) + "), expected " + Float.intBitsToFloat(expected[i])
                        + " (0x" + Integer.toHexString(expected[i]) + ")");
            }
        }
    }

    @Test
    void shapesAroundTheMicroKernelAndTheChunk() {
        int[][] shapes = {{2, 1}, {3, 5}, {4, 64}, {5, 65}, {8, 33}, {13, 100}, {64, 128}, {67, 130}};
        int[] ks = {0, 1, 7, CHUNK - 1, CHUNK, CHUNK + 1, 600};
        long seed = 0xC0BE_0001L;
        for (int[] shape : shapes) {
            for (int k : ks) {
                for (boolean transposed : new boolean[] {false, true}) {
                    check(new Case(F32, F32, transposed, transposed, shape[0], shape[1], k), seed++);
                }
            }
        }
    }

    @Test
    void longK() {
        check(new Case(F32, F32, false, false, 9, 70, 2500), 0xC0BE_0100L);
        check(new Case(F32, F32, true, false, 6, 40, 4 * CHUNK), 0xC0BE_0101L);
        check(new Case(BF16, F32, false, true, 5, 20, 3000), 0xC0BE_0102L);
    }

    @Test
    void halfPrecisionOperands() {
        ElementType[] types = {F32, F16, BF16};
        long seed = 0xC0BE_0200L;
        for (ElementType aType : types) {
            for (ElementType bType : types) {
                for (boolean transposed : new boolean[] {false, true}) {
                    check(new Case(aType, bType, transposed, !transposed, 11, 70, 300), seed++);
                    check(new Case(aType, bType, !transposed, transposed, 1, 90, 300), seed++);
                }
            }
        }
    }

    @Test
    void singleRows() {
        long seed = 0xC0BE_0300L;
        int[] colsList = {1, 15, 16, 17, 100, 1000};
        for (int cols : colsList) {
            for (int k : new int[] {0, 3, CHUNK, 700}) {
                check(new Case(F32, F32, false, false, 1, cols, k), seed++);
                check(new Case(F32, F32, false, true, 1, cols, k), seed++);
                check(new Case(F16, BF16, true, false, 1, cols, k), seed++);
            }
        }
        // wider than one L0C block of totals and chunk sums (direct) and than one L0B panel (packed)
        check(new Case(F32, F32, false, false, 1, 9000, 40), seed++);
        check(new Case(F32, F16, false, false, 1, 300, 600), seed++);
        check(new Case(F32, F32, false, true, 1, 200, 260, 1, SMALL_L0), seed);
    }

    @Test
    void rowsWithDifferentBMatrices() {
        long seed = 0xC0BE_0400L;
        for (int batches : new int[] {2, 3, 7}) {
            check(new Case(F32, F32, false, false, 20, 40, 300, batches, NpuSpec.host()), seed++);
            check(new Case(F16, F32, true, true, 9, 33, 100, batches, NpuSpec.host()), seed++);
        }
        // every row its own B: all segments are single rows
        check(new Case(F32, F32, false, false, 6, 50, 270, 6, NpuSpec.host()), seed);
    }

    @Test
    void blocksLargerThanL0() {
        long seed = 0xC0BE_0500L;
        for (NpuSpec spec : new NpuSpec[] {SMALL_L0, NpuSpec.ascend910b()}) {
            check(new Case(F32, F32, false, false, 70, 150, 520, 1, spec), seed++);
            check(new Case(BF16, F16, true, true, 33, 70, 300, 2, spec), seed++);
        }
        check(new Case(F32, F32, false, false, 130, 260, 300), seed);
    }

    /** The general path: A varying along the block's columns as well (aN ≠ 0). */
    @Test
    void aVaryingAlongColumns() {
        long seed = 0xC0BE_0600L;
        Random random = new Random(seed);
        int rows = 5, cols = 9, k = 300;
        Operand a = Operand.allocate(F32, (long) rows * cols * k, random);
        Operand b = Operand.allocate(BF16, (long) cols * k, random);
        fill(a, (long) rows * cols * k, random);
        fill(b, (long) cols * k, random);
        long[] aRow = new long[rows], bRow = new long[rows];
        for (int r = 0; r < rows; r++) {
            aRow[r] = (long) r * cols * k;
        }
        Operands o = new Operands(a, aRow, k, 1, b, bRow, 1, cols);
        check("A varying along columns, seed " + seed, o, rows, cols, k, NpuSpec.host(), reference(o, rows, cols, k));
    }

    /**
     * Infinities, zeros of both signs and products that round to -0: a chunk of -0 adds to a +0 total. The infinity meets
     * no zero, so no NaN arises (whose payload docs/decisions/0003 leaves open).
     */
    @Test
    void signedZerosAndInfinities() {
        long seed = 0xC0BE_0700L;
        for (int[] shape : new int[][] {{1, CHUNK - 3}, {6, CHUNK - 3}, {1, 2 * CHUNK + 3}, {6, 2 * CHUNK + 3}}) {
            Case c = new Case(F32, F32, false, false, shape[0], 40, shape[1]);
            Random random = new Random(seed);
            Operands o = Operands.of(c, random);
            for (int i = 0; i < (long) c.aRows() * c.k(); i++) {
                o.a().set(i, random.nextBoolean() ? -1e-30f : 1e-30f);
            }
            for (int i = 0; i < (long) c.k() * c.bCols(); i++) {
                int kind = random.nextInt(8);
                o.b().set(i, kind == 0 ? -0f : kind == 1 ? 0f : random.nextBoolean() ? -1e-30f : 1e-30f);
            }
            if (c.rows() > 1) {
                // the last row reaches infinity at k = 5, where B holds no zero
                o.a().set(o.aRow()[c.rows() - 1] + 5 * o.aK(), Float.POSITIVE_INFINITY);
                for (int col = 0; col < c.bCols(); col++) {
                    o.b().set(5 * o.bK() + col, col % 2 == 0 ? 1e-30f : -1e-30f);
                }
            }
            check(c + ", seed " + seed, o, c.rows(), c.cols(), c.k(), c.spec(), reference(o, c.rows(), c.cols(), c.k()));
            seed++;
        }
    }

    /** The data above tells MATMUL's order from a single running sum: a cube that ignored the chunks would fail. */
    @Test
    void dataTellsOrdersApart() {
        long seed = 0xC0BE_0800L;
        Case c = new Case(F32, F32, false, false, 4, 64, 600);
        Operands o = Operands.of(c, new Random(seed));
        int[] canonical = reference(o, c.rows(), c.cols(), c.k());
        int[] running = runningSum(o, c.rows(), c.cols(), c.k());
        int differing = 0;
        for (int i = 0; i < canonical.length; i++) {
            differing += canonical[i] != running[i] ? 1 : 0;
        }
        assertTrue(differing > canonical.length / 4, "seed " + seed + ": only " + differing + " of " + canonical.length + " sums depend on the order");
    }
}
