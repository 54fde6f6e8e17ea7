package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The cube unit of one core: computes a block of a matrix product into the unified buffer as F32
 * words, in the fixed order of {@link dev.dvm.bytecode.Opcode#MATMUL} (k in chunks of
 * {@link Isa#CUBE_K_CHUNK}, each chunk summed by fused multiply-add in k order from +0.0, the
 * chunk sums added in order to +0.0). That order depends only on k, so a block has the same bits
 * however the caller cuts the product into blocks.
 *
 * <p>When a does not vary along the block's columns (what the compiler emits), the unit works as
 * the NPU's cube does, GotoBLAS-style: per k chunk it packs an A panel into L0A and a B panel into
 * L0B, a register-blocked micro-kernel sums the chunk for {@link #MR} rows × {@link #NR} columns
 * with one vector lane per output column (so each lane runs the scalar FMA chain in k order), and
 * the chunk sums are added into the L0C accumulators, which reach the UB after the last chunk. A
 * single row (the decode step's matrix-vector product) streams B from global memory instead when it
 * is F32 with unit column stride: packing would copy every element of B for one use. Any other
 * single row is packed like a block (its padding rows cost little next to the packing). A that
 * varies along columns runs the scalar loop, the reference order.
 */
final class CubeUnit {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    /** Transfer.word reads elements in native order; the vector loads must too. */
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int KC = Isa.CUBE_K_CHUNK;
    /**
     * Rows of the micro-kernel's register block. 4 × 4 vectors measured as fast as 8 × 2 and faster than 6 × 4, 5 × 4, 4 × 3
     * and 6 × 3 here (all near the FMA peak on packed panels); it loads least per FMA and pads ragged row tails least.
     */
    private static final int MR = 4;
    /** Columns of the micro-kernel's register block: four vectors. */
    private static final int NR = 4 * LANES;
    /** B rows the single-row kernel streams at once, loading and storing each chunk sum once per group. */
    private static final int STREAM_ROWS = 4;
    /** Scatter offsets of one vector of consecutive k down a B micro-panel's column: lane i to k row i. */
    private static final int[] DOWN_PANEL = IntStream.range(0, LANES).map(i -> i * NR).toArray();

    private final int[] ub;
    /** Per tile row: the element offsets of a's and b's row (k = 0, column 0 of the tile); grown to the largest tile. */
    private long[] aRow = new long[64], bRow = new long[64];
    /** A grouped product's group starts in rows or k (prefix sums of the sizes, one more than the groups). */
    private long[] starts = new long[2];
    /** Split k: the offsets of one group's run of rows, moved to its k range. */
    private long[] segmentA = new long[64], segmentB = new long[64];
    private final int[] digits = new int[256];
    /**
     * L0A: an A panel of up to {@link #blockRows} rows × one k chunk, row r's chunk at {@code r × KC}; the single-row kernel
     * keeps its row's chunk at 0.
     */
    private final float[] l0a;
    /** L0B: a B panel of {@link #blockCols} / NR micro-panels, micro-panel p's k row at {@code (p × KC + k) × NR}. */
    private final float[] l0b;
    /** L0C: the block's totals, row-major with the block's padded width as pitch; the single-row kernel's chunk sums follow them. */
    private final float[] l0c;
    /** The largest block the blocked path computes at once: rows a multiple of MR, columns a multiple of NR. */
    private final int blockRows, blockCols;
    /** The widest block the single-row kernel sums at once: its totals and chunk sums both fit L0C. */
    private final int streamCols;
    private final Operand aOperand = new Operand(), bOperand = new Operand();

    /**
     * Sizes L0A, L0B and L0C from {@code spec}, never below one micro-kernel's panels (a spec may declare a 16-column L0B,
     * narrower than {@link #NR}).
     */
    CubeUnit(int[] ub, NpuSpec spec) {
        this.ub = ub;
        int l0cFloats = spec.l0cBytes() / 4;
        int rows = Math.max(MR, spec.l0aBytes() / 4 / KC / MR * MR);
        int cols = Math.max(NR, spec.l0bBytes() / 4 / KC / NR * NR);
        cols = Math.min(cols, Math.max(NR, l0cFloats / rows / NR * NR));
        rows = Math.min(rows, Math.max(MR, l0cFloats / cols / MR * MR));
        this.blockRows = rows;
        this.blockCols = cols;
        this.streamCols = Math.max(LANES, l0cFloats / 2 / LANES * LANES);
        this.l0a = new float[Math.max(spec.l0aBytes() / 4, rows * KC)];
        this.l0b = new float[Math.max(spec.l0bBytes() / 4, cols * KC)];
        this.l0c = new float[Math.max(l0cFloats, Math.max(rows * cols, 2 * streamCols))];
    }

    /**
     * Runs a MATMUL for the tile at ({@code rowStart}, {@code colStart}): its operands' plans are
     * {@code memory[arg]} and {@code memory[arg + 1]} (the verifier has checked the stage has one
     * inner dim), a grouped product's group list {@code memory[arg + 2]}; its numbers start at
     * {@code nums[p]} (see {@link StagePlan#GROUPS}).
     */
    void run(StagePlan st, MemoryPlan[] memory, int arg, int[] nums, int p, MemorySegment[] segments, long[] bases, long rowStart, int rows,
            long colStart, int cols) {
        MemoryPlan a = memory[arg], b = memory[arg + 1];
        int k = nums[p + StagePlan.N];
        int flags = nums[p + StagePlan.X];
        int dst = nums[p + StagePlan.DST];
        if (aRow.length < rows) {
            aRow = new long[rows];
            bRow = new long[rows];
            segmentA = new long[rows];
            segmentB = new long[rows];
        }
        rowOffsets(st, a, rowStart, rows, colStart, aRow);
        rowOffsets(st, b, rowStart, rows, colStart, bRow);
        MemorySegment aSeg = segments[a.slot()], bSeg = segments[b.slot()];
        long aBase = bases[a.slot()], bBase = bases[b.slot()];
        long aN = a.innerStrides()[0], bN = b.innerStrides()[0];
        long aK = nums[p + StagePlan.A], bK = nums[p + StagePlan.B];
        // with k = 0 the product is zeros whatever the groups say
        if (flags == 0 || k == 0) {
            product(aSeg, aBase, a.type(), aRow, aN, aK, bSeg, bBase, b.type(), bRow, bN, bK, rows, cols, k, dst, st.pitch);
            return;
        }
        if (flags == Isa.FLAG_SUM_K) {
            sum(aSeg, aBase, a.type(), aRow, aN, aK, rows, cols, k, dst, st.pitch);
            return;
        }
        int groups = nums[p + StagePlan.GROUPS];
        boolean byRows = flags == Isa.FLAG_GROUP_M;
        if (flags == Isa.FLAG_SPLIT_K) {
            chunkStarts(groups, k);
        } else {
            MemoryPlan list = memory[arg + 2];
            groupStarts(segments[list.slot()], bases[list.slot()], list, groups, byRows ? st.totalRows : k, byRows);
        }
        if (byRows) {
            long groupStride = nums[p + StagePlan.GROUP_STRIDE];
            int g = 0;
            for (int r = 0; r < rows; r++) {
                while (starts[g + 1] <= rowStart + r) {
                    g++;
                }
                bRow[r] += g * groupStride;
            }
            product(aSeg, aBase, a.type(), aRow, aN, aK, bSeg, bBase, b.type(), bRow, bN, bK, rows, cols, k, dst, st.pitch);
            return;
        }
        // split k: each run of rows of one group sums that group's k range
        long groupRows = nums[p + StagePlan.GROUP_ROWS];
        for (int r0 = 0; r0 < rows;) {
            int g = (int) ((rowStart + r0) / groupRows);
            int r1 = (int) Math.min(rows, (g + 1) * groupRows - rowStart);
            long kStart = starts[g];
            for (int r = r0; r < r1; r++) {
                segmentA[r - r0] = aRow[r] + kStart * aK;
                segmentB[r - r0] = bRow[r] + kStart * bK;
            }
            product(aSeg, aBase, a.type(), segmentA, aN, aK, bSeg, bBase, b.type(), segmentB, bN, bK, r1 - r0, cols, (int) (starts[g + 1] - kStart),
                    dst + r0 * st.pitch, st.pitch);
            r0 = r1;
        }
    }

    /** SPLIT_K's groups, one per k chunk, into {@link #starts} (the verifier has checked their count). */
    private void chunkStarts(int chunks, int k) {
        if (starts.length < chunks + 1) {
            starts = new long[chunks + 1];
        }
        for (int c = 0; c <= chunks; c++) {
            starts[c] = Math.min(k, (long) c * Isa.CUBE_K_CHUNK);
        }
    }

    /**
     * SUM_K: {@code out(r, c) = Σ_{k < kLen} A(r, c, k)} in the MATMUL order with every b term 1:
     * within a chunk fma(a, 1, s) is a + s rounded once, so each chunk adds its terms in k order.
     */
    private void sum(MemorySegment a, long aBase, ElementType aType, long[] aRow, long aN, long aK, int rows, int cols, int kLen, int dst,
            int pitch) {
        int size = aType.byteSize();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long at = aBase + (aRow[r] + c * aN) * size;
                float total = 0f;
                for (int k0 = 0; k0 < kLen; k0 += Isa.CUBE_K_CHUNK) {
                    float chunk = 0f;
                    for (int k = k0; k < Math.min(kLen, k0 + Isa.CUBE_K_CHUNK); k++) {
                        chunk += Float.intBitsToFloat(Transfer.word(aType, a, at + k * aK * size));
                    }
                    total += chunk;
                }
                ub[dst + r * pitch + c] = Float.floatToRawIntBits(total);
            }
        }
    }

    /** Reads the group sizes into {@link #starts} as prefix sums, checking they are non-negative and sum to {@code total}. */
    private void groupStarts(MemorySegment seg, long base, MemoryPlan list, int groups, long total, boolean byRows) {
        if (starts.length < groups + 1) {
            starts = new long[groups + 1];
        }
        int size = list.type().byteSize();
        long sum = 0;
        for (int g = 0; g < groups; g++) {
            long address = base + (list.offset() + g) * size;
            long n = size == 8 ? seg.get(ValueLayout.JAVA_LONG_UNALIGNED, address) : seg.get(ValueLayout.JAVA_INT_UNALIGNED, address);
            if (n < 0) {
                throw new VmException("groupedMatmul: group " + g + " has size " + n + "; group sizes must be >= 0");
            }
            starts[g] = sum;
            sum += n;
        }
        starts[groups] = sum;
        if (sum != total) {
            throw new VmException("groupedMatmul: the " + groups + " group sizes sum to " + sum + " but the product's " + (byRows ? "M" : "K") + " is "
                    + total + "; give sizes that sum to " + (byRows ? "the rows of a" : "K"));
        }
    }

    private void rowOffsets(StagePlan st, MemoryPlan m, long rowStart, int rows, long colStart, long[] out) {
        int[] outer = st.outerExtents;
        long[] strides = m.outerStrides();
        long offset = Transfer.digits(rowStart, outer, strides, digits);
        long base = m.offset() + colStart * m.innerStrides()[0];
        for (int r = 0; r < rows; r++) {
            out[r] = base + offset;
            if (r + 1 < rows) {
                offset = Transfer.carry(digits, outer, strides, outer.length - 1, offset);
            }
        }
    }

    /**
     * Writes the {@code rows × cols} block {@code out(r, c) = Σ_{k < kLen} A(r, c, k) × B(r, c, k)}
     * to UB words {@code dst + r × pitch + c}, where A(r, c, k) is element {@code aRow[r] + c × aN +
     * k × aK} of {@code a} (elements of {@code aType} from byte {@code aBase}) and B(r, c, k) is
     * element {@code bRow[r] + c × bN + k × bK} of {@code b}. F16 and BF16 are widened exactly.
     * Rows whose B row is the same as the previous row's share B panels; a lone row streams an F32 B with unit column
     * stride from global memory.
     */
    void product(MemorySegment a, long aBase, ElementType aType, long[] aRow, long aN, long aK, MemorySegment b, long bBase,
            ElementType bType, long[] bRow, long bN, long bK, int rows, int cols, int kLen, int dst, int pitch) {
        if (aN != 0) {
            reference(a, aBase, aType, aRow, aN, aK, b, bBase, bType, bRow, bN, bK, rows, cols, kLen, dst, pitch);
            return;
        }
        Operand left = aOperand.bind(a, aBase, aType);
        Operand right = bOperand.bind(b, bBase, bType);
        for (int r0 = 0, r1; r0 < rows; r0 = r1) {
            r1 = r0 + 1;
            while (r1 < rows && bRow[r1] == bRow[r0]) {
                r1++;
            }
            if (r1 - r0 == 1 && right.contiguousF32(bN)) {
                stream(left, aRow[r0], aK, right, bRow[r0], bK, cols, kLen, dst + r0 * pitch);
            } else {
                blocked(left, aRow, aK, right, bRow[r0], bN, bK, r0, r1, cols, kLen, dst, pitch);
            }
        }
    }

    /** The scalar loop: the canonical order written out, for operands that vary along both dims. */
    private void reference(MemorySegment a, long aBase, ElementType aType, long[] aRow, long aN, long aK, MemorySegment b, long bBase,
            ElementType bType, long[] bRow, long bN, long bK, int rows, int cols, int kLen, int dst, int pitch) {
        int aSize = aType.byteSize();
        int bSize = bType.byteSize();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long aAt = aBase + (aRow[r] + c * aN) * aSize;
                long bAt = bBase + (bRow[r] + c * bN) * bSize;
                float total = 0f;
                for (int k0 = 0; k0 < kLen; k0 += KC) {
                    int k1 = Math.min(kLen, k0 + KC);
                    float chunk = 0f;
                    for (int k = k0; k < k1; k++) {
                        float x = Float.intBitsToFloat(Transfer.word(aType, a, aAt + k * aK * aSize));
                        float y = Float.intBitsToFloat(Transfer.word(bType, b, bAt + k * bK * bSize));
                        chunk = Math.fma(x, y, chunk);
                    }
                    total += chunk;
                }
                ub[dst + r * pitch + c] = Float.floatToRawIntBits(total);
            }
        }
    }

    /** An operand's elements: {@code type} from byte {@code base} of {@code segment}; rebound per product, so calls allocate nothing. */
    private static final class Operand {
        private MemorySegment segment;
        private long base;
        private ElementType type;

        Operand bind(MemorySegment segment, long base, ElementType type) {
            this.segment = segment;
            this.base = base;
            this.type = type;
            return this;
        }

        /** Byte address of element {@code index}. */
        long address(long index) {
            return base + index * type.byteSize();
        }

        /** Whether elements {@code stride} apart are F32 words side by side, which vectors load as they are. */
        boolean contiguousF32(long stride) {
            return type == ElementType.F32 && stride == 1;
        }

        /**
         * Widens {@code count} elements from {@code index}, {@code stride} apart, into {@code out} from {@code at},
         * {@code outStride} (1 or {@link #NR}: along a panel's k row or down its column) apart.
         */
        void gather(long index, long stride, int count, float[] out, int at, int outStride) {
            int c = 0;
            if (contiguousF32(stride)) {
                for (; c + LANES <= count; c += LANES) {
                    FloatVector v = FloatVector.fromMemorySegment(F, segment, address(index + c), ORDER);
                    if (outStride == 1) {
                        v.intoArray(out, at + c);
                    } else {
                        v.intoArray(out, at + c * NR, DOWN_PANEL, 0);
                    }
                }
            }
            for (; c < count; c++) {
                out[at + c * outStride] = Float.intBitsToFloat(Transfer.word(type, segment, address(index + c * stride)));
            }
        }
    }

    /**
     * Rows {@code [r0, r1)}, which share B row {@code bRow}: for each block of at most {@link #blockRows} × {@link #blockCols},
     * packs each k chunk's panels (rows and columns padded with zeros to the micro-kernel's multiples), runs the
     * micro-kernel over them and finally writes the block's real elements from L0C to the UB. L0C holds one block's
     * totals, so a chunk's B panel is packed again for each block of rows; a tile is usually one block.
     */
    private void blocked(Operand a, long[] aRow, long aK, Operand b, long bRow, long bN, long bK, int r0, int r1, int cols, int kLen, int dst,
            int pitch) {
        for (int c0 = 0; c0 < cols; c0 += blockCols) {
            int width = Math.min(blockCols, cols - c0);
            int panels = (width + NR - 1) / NR;
            int cPitch = panels * NR;
            for (int rb = r0; rb < r1; rb += blockRows) {
                int height = Math.min(blockRows, r1 - rb);
                int paddedHeight = (height + MR - 1) / MR * MR;
                Arrays.fill(l0c, 0, paddedHeight * cPitch, 0f);
                for (int k0 = 0; k0 < kLen; k0 += KC) {
                    int kc = Math.min(KC, kLen - k0);
                    for (int r = 0; r < paddedHeight; r++) {
                        if (r < height) {
                            a.gather(aRow[rb + r] + k0 * aK, aK, kc, l0a, r * KC, 1);
                        } else {
                            Arrays.fill(l0a, r * KC, r * KC + kc, 0f);
                        }
                    }
                    packB(b, bRow + c0 * bN + k0 * bK, bN, bK, width, panels, kc);
                    for (int i = 0; i < paddedHeight; i += MR) {
                        for (int p = 0; p < panels; p++) {
                            microKernel(l0a, i * KC, l0b, p * KC * NR, kc, l0c, i * cPitch + p * NR, cPitch);
                        }
                    }
                }
                writeBack(cPitch, height, width, dst + rb * pitch + c0, pitch);
            }
        }
    }

    /**
     * Packs B's {@code kc} rows from element {@code index} into L0B's micro-panels, columns past {@code width} zero (padded
     * lanes compute on zeros, never on stale values). F32 rows with unit column stride, the compiler's usual B, are
     * copied a vector at a time, k outer so each row is read in one sweep, with no call per panel (that call cost 5% of a
     * tile); other layouts are read along whichever of the columns and k has the smaller stride.
     */
    private void packB(Operand b, long index, long bN, long bK, int width, int panels, int kc) {
        if (b.contiguousF32(bN)) {
            MemorySegment segment = b.segment;
            long at = b.address(index);
            long rowBytes = bK * 4;
            int full = width / LANES * LANES;
            for (int k = 0; k < kc; k++, at += rowBytes) {
                for (int c = 0; c < full; c += LANES) {
                    FloatVector.fromMemorySegment(F, segment, at + c * 4L, ORDER).intoArray(l0b, ((c / NR) * KC + k) * NR + c % NR);
                }
                // the masked tail reads only real columns and zeroes the padding
                for (int c = full; c < panels * NR; c += LANES) {
                    FloatVector.fromMemorySegment(F, segment, at + c * 4L, ORDER, F.indexInRange(c, width))
                            .intoArray(l0b, ((c / NR) * KC + k) * NR + c % NR);
                }
            }
        } else {
            if (Math.abs(bN) <= Math.abs(bK)) {
                for (int k = 0; k < kc; k++) {
                    for (int c = 0; c < width; c += NR) {
                        b.gather(index + c * bN + k * bK, bN, Math.min(NR, width - c), l0b, ((c / NR) * KC + k) * NR, 1);
                    }
                }
            } else {
                // elements lie closer together along k (B transposed): read each column along k, down its panel
                for (int c = 0; c < width; c++) {
                    b.gather(index + c * bN, bK, kc, l0b, (c / NR) * KC * NR + c % NR, NR);
                }
            }
            int last = (panels - 1) * KC * NR;
            for (int k = 0; k < kc; k++) {
                Arrays.fill(l0b, last + k * NR + width - (panels - 1) * NR, last + (k + 1) * NR, 0f);
            }
        }
    }

    /**
     * Adds to the {@link #MR} × {@link #NR} L0C block at {@code cAt} the chunk sums of L0A's rows from {@code aAt} times
     * L0B's micro-panel at {@code bAt} over {@code kc} k: each lane is one output, summed by FMA in k order from +0.0.
     * The sixteen accumulators are locals, which C2 keeps in vector registers; the L0C update is written out here, not
     * in a helper, as a helper C2 declined to inline would box the vectors passed to it.
     */
    private static void microKernel(float[] l0a, int aAt, float[] l0b, int bAt, int kc, float[] l0c, int cAt, int cPitch) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int k = 0; k < kc; k++) {
            int bk = bAt + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, l0b, bk);
            FloatVector b1 = FloatVector.fromArray(F, l0b, bk + LANES);
            FloatVector b2 = FloatVector.fromArray(F, l0b, bk + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(F, l0b, bk + 3 * LANES);
            FloatVector a = FloatVector.broadcast(F, l0a[aAt + k]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            c02 = a.fma(b2, c02);
            c03 = a.fma(b3, c03);
            a = FloatVector.broadcast(F, l0a[aAt + KC + k]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            c12 = a.fma(b2, c12);
            c13 = a.fma(b3, c13);
            a = FloatVector.broadcast(F, l0a[aAt + 2 * KC + k]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            c22 = a.fma(b2, c22);
            c23 = a.fma(b3, c23);
            a = FloatVector.broadcast(F, l0a[aAt + 3 * KC + k]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            c32 = a.fma(b2, c32);
            c33 = a.fma(b3, c33);
        }
        // total += chunk, row by row
        int at = cAt;
        FloatVector.fromArray(F, l0c, at).add(c00).intoArray(l0c, at);
        FloatVector.fromArray(F, l0c, at + LANES).add(c01).intoArray(l0c, at + LANES);
        FloatVector.fromArray(F, l0c, at + 2 * LANES).add(c02).intoArray(l0c, at + 2 * LANES);
        FloatVector.fromArray(F, l0c, at + 3 * LANES).add(c03).intoArray(l0c, at + 3 * LANES);
        at += cPitch;
        FloatVector.fromArray(F, l0c, at).add(c10).intoArray(l0c, at);
        FloatVector.fromArray(F, l0c, at + LANES).add(c11).intoArray(l0c, at + LANES);
        FloatVector.fromArray(F, l0c, at + 2 * LANES).add(c12).intoArray(l0c, at + 2 * LANES);
        FloatVector.fromArray(F, l0c, at + 3 * LANES).add(c13).intoArray(l0c, at + 3 * LANES);
        at += cPitch;
        FloatVector.fromArray(F, l0c, at).add(c20).intoArray(l0c, at);
        FloatVector.fromArray(F, l0c, at + LANES).add(c21).intoArray(l0c, at + LANES);
        FloatVector.fromArray(F, l0c, at + 2 * LANES).add(c22).intoArray(l0c, at + 2 * LANES);
        FloatVector.fromArray(F, l0c, at + 3 * LANES).add(c23).intoArray(l0c, at + 3 * LANES);
        at += cPitch;
        FloatVector.fromArray(F, l0c, at).add(c30).intoArray(l0c, at);
        FloatVector.fromArray(F, l0c, at + LANES).add(c31).intoArray(l0c, at + LANES);
        FloatVector.fromArray(F, l0c, at + 2 * LANES).add(c32).intoArray(l0c, at + 2 * LANES);
        FloatVector.fromArray(F, l0c, at + 3 * LANES).add(c33).intoArray(l0c, at + 3 * LANES);
    }

    /**
     * One row whose B is F32 with unit column stride: per k chunk, widens the row's chunk of a into L0A and streams B's
     * rows from global memory over the chunk sums in L0C, then adds them to the totals. B is read once, with no packing.
     */
    private void stream(Operand a, long aRow, long aK, Operand b, long bRow, long bK, int cols, int kLen, int dst) {
        for (int c0 = 0; c0 < cols; c0 += streamCols) {
            int width = Math.min(streamCols, cols - c0);
            int sums = (width + LANES - 1) / LANES * LANES;
            Arrays.fill(l0c, 0, sums, 0f);
            for (int k0 = 0; k0 < kLen; k0 += KC) {
                int kc = Math.min(KC, kLen - k0);
                a.gather(aRow + k0 * aK, aK, kc, l0a, 0, 1);
                Arrays.fill(l0c, sums, 2 * sums, 0f);
                streamChunk(b.segment, b.address(bRow + c0 + k0 * bK), bK * 4, kc, width, sums);
                for (int c = 0; c < sums; c += LANES) {
                    FloatVector.fromArray(F, l0c, c).add(FloatVector.fromArray(F, l0c, sums + c)).intoArray(l0c, c);
                }
            }
            writeBack(sums, 1, width, dst + c0, 0);
        }
    }

    /**
     * Adds, for each k &lt; {@code kc} in order, L0A[k] × B row k (F32 words from byte {@code at} of {@code b},
     * {@code rowBytes} apart) to the chunk sums of L0C from {@code sums}, {@link #STREAM_ROWS} rows per pass over them.
     */
    private void streamChunk(MemorySegment b, long at, long rowBytes, int kc, int width, int sums) {
        int full = width / LANES * LANES;
        VectorMask<Float> tail = F.indexInRange(full, width);
        int k = 0;
        for (; k + STREAM_ROWS <= kc; k += STREAM_ROWS) {
            FloatVector a0 = FloatVector.broadcast(F, l0a[k]);
            FloatVector a1 = FloatVector.broadcast(F, l0a[k + 1]);
            FloatVector a2 = FloatVector.broadcast(F, l0a[k + 2]);
            FloatVector a3 = FloatVector.broadcast(F, l0a[k + 3]);
            long row0 = at + k * rowBytes;
            long row1 = row0 + rowBytes;
            long row2 = row1 + rowBytes;
            long row3 = row2 + rowBytes;
            for (int c = 0; c < full; c += LANES) {
                FloatVector s = FloatVector.fromArray(F, l0c, sums + c);
                s = a0.fma(FloatVector.fromMemorySegment(F, b, row0 + c * 4L, ORDER), s);
                s = a1.fma(FloatVector.fromMemorySegment(F, b, row1 + c * 4L, ORDER), s);
                s = a2.fma(FloatVector.fromMemorySegment(F, b, row2 + c * 4L, ORDER), s);
                s = a3.fma(FloatVector.fromMemorySegment(F, b, row3 + c * 4L, ORDER), s);
                s.intoArray(l0c, sums + c);
            }
            if (full < width) {
                // the column tail apart: masked loads throughout the loop above halved its speed
                FloatVector s = FloatVector.fromArray(F, l0c, sums + full);
                s = a0.fma(FloatVector.fromMemorySegment(F, b, row0 + full * 4L, ORDER, tail), s);
                s = a1.fma(FloatVector.fromMemorySegment(F, b, row1 + full * 4L, ORDER, tail), s);
                s = a2.fma(FloatVector.fromMemorySegment(F, b, row2 + full * 4L, ORDER, tail), s);
                s = a3.fma(FloatVector.fromMemorySegment(F, b, row3 + full * 4L, ORDER, tail), s);
                s.intoArray(l0c, sums + full);
            }
        }
        for (; k < kc; k++) {
            FloatVector x = FloatVector.broadcast(F, l0a[k]);
            long row = at + k * rowBytes;
            for (int c = 0; c < width; c += LANES) {
                VectorMask<Float> lanes = F.indexInRange(c, width);
                FloatVector s = FloatVector.fromArray(F, l0c, sums + c);
                x.fma(FloatVector.fromMemorySegment(F, b, row + c * 4L, ORDER, lanes), s).intoArray(l0c, sums + c);
            }
        }
    }

    /** Writes the L0C totals of a {@code height × width} block (pitch {@code cPitch}) to UB words {@code dst + r × pitch + c}. */
    private void writeBack(int cPitch, int height, int width, int dst, int pitch) {
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                ub[dst + r * pitch + c] = Float.floatToRawIntBits(l0c[r * cPitch + c]);
            }
        }
    }
}
