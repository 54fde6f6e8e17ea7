package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import java.lang.foreign.MemorySegment;

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
    private final int[] digits = new int[256];

    CubeUnit(int[] ub, NpuSpec spec) {
        this.ub = ub;
    }

    /**
     * Runs a MATMUL for the tile at ({@code rowStart}, {@code colStart}): {@code a} and {@code b}
     * are its operands' plans (the verifier has checked the stage has one inner dim), {@code k} and
     * the k strides its numbers.
     */
    void run(StagePlan st, MemoryPlan a, MemoryPlan b, MemorySegment[] segments, long[] bases, long rowStart, int rows, long colStart,
            int cols, int k, long aK, long bK, int dst) {
        if (aRow.length < rows) {
            aRow = new long[rows];
            bRow = new long[rows];
        }
        rowOffsets(st, a, rowStart, rows, colStart, aRow);
        rowOffsets(st, b, rowStart, rows, colStart, bRow);
        product(segments[a.slot()], bases[a.slot()], a.type(), aRow, a.innerStrides()[0], aK, segments[b.slot()], bases[b.slot()], b.type(), bRow,
                b.innerStrides()[0], bK, rows, cols, k, dst, st.pitch);
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
