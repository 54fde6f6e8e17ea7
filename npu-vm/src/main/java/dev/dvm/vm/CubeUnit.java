package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The cube unit of one core: computes a block of a matrix product into the unified buffer as F32
 * words, in the fixed order of {@link dev.dvm.bytecode.Opcode#MATMUL} (k in chunks of
 * {@link Isa#CUBE_K_CHUNK}, each chunk summed by fused multiply-add in k order from +0.0, the
 * chunk sums added in order to +0.0). That order depends only on k, so a block has the same bits
 * however the caller cuts the product into blocks.
 */
final class CubeUnit {
    private final int[] ub;
    /** Per tile row: the element offsets of a's and b's row (k = 0, column 0 of the tile); grown to the largest tile. */
    private long[] aRow = new long[64], bRow = new long[64];
    /** A grouped product's group starts in rows or k (prefix sums of the sizes, one more than the groups). */
    private long[] starts = new long[2];
    /** Split k: the offsets of one group's run of rows, moved to its k range. */
    private long[] segmentA = new long[64], segmentB = new long[64];
    private final int[] digits = new int[256];

    CubeUnit(int[] ub, NpuSpec spec) {
        this.ub = ub;
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
     */
    void product(MemorySegment a, long aBase, ElementType aType, long[] aRow, long aN, long aK, MemorySegment b, long bBase,
            ElementType bType, long[] bRow, long bN, long bK, int rows, int cols, int kLen, int dst, int pitch) {
        int aSize = aType.byteSize();
        int bSize = bType.byteSize();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long aAt = aBase + (aRow[r] + c * aN) * aSize;
                long bAt = bBase + (bRow[r] + c * bN) * bSize;
                float total = 0f;
                for (int k0 = 0; k0 < kLen; k0 += Isa.CUBE_K_CHUNK) {
                    int k1 = Math.min(kLen, k0 + Isa.CUBE_K_CHUNK);
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
}
