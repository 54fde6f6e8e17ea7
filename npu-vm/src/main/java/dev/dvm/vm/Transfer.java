package dev.dvm.vm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.dvm.bytecode.ElementType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The memory transfer engines of one core: LOAD (MTE2, global memory to UB) and STORE (MTE3, UB
 * to global memory) of a tile's window. Each tile row is walked as runs along the innermost
 * domain dim: a run of stride 1 is one bulk copy (F32, I32) or one conversion loop, a run of
 * stride 0 is one fill; the mixed-radix digits of the outer and inner indices advance with carries,
 * in scratch arrays owned by the core, so a tile allocates nothing.
 */
final class Transfer {
    private final int[] ub;
    private final int[] outerDigits = new int[256];
    private final int[] innerStart = new int[256];
    private final int[] innerDigits = new int[256];

    Transfer(int[] ub) {
        this.ub = ub;
    }

    /** Runs {@code m} for the tile at ({@code rowStart}, {@code colStart}) over {@code segment} from byte {@code base}. */
    void run(MemoryPlan m, StagePlan st, MemorySegment segment, long base, long rowStart, int rows, long colStart, int cols,
            long colBlock) {
        ElementType type = m.type();
        int size = type.byteSize();
        int ubWords = type.ubByteSize() / 4;
        int[] outer = st.outerExtents;
        long[] outerStrides = m.outerStrides();
        long outerOffset = digits(rowStart, outer, outerStrides, outerDigits);
        if (m.perRow()) {
            long element = m.offset() + colBlock * m.colBlockStride();
            for (int r = 0; r < rows; r++) {
                long address = base + (element + outerOffset) * size;
                if (m.load()) {
                    load(type, segment, address, 0, m.ubWord() + r * ubWords, 1);
                } else {
                    store(type, segment, address, 0, m.ubWord() + r * ubWords, 1);
                }
                if (r + 1 < rows) {
                    outerOffset = carry(outerDigits, outer, outerStrides, outer.length - 1, outerOffset);
                }
            }
            return;
        }
        int[] inner = st.innerExtents;
        long[] innerStrides = m.innerStrides();
        int last = inner.length - 1;
        int lastExtent = inner[last];
        long lastStride = innerStrides[last];
        long innerOffset0 = digits(colStart, inner, innerStrides, innerStart);
        int rowWords = st.pitch * ubWords;
        for (int r = 0; r < rows; r++) {
            long rowElement = m.offset() + outerOffset;
            int word = m.ubWord() + r * rowWords;
            System.arraycopy(innerStart, 0, innerDigits, 0, inner.length);
            long innerOffset = innerOffset0;
            int c = 0;
            while (true) {
                int run = Math.min(cols - c, lastExtent - innerDigits[last]);
                long address = base + (rowElement + innerOffset) * size;
                if (m.load()) {
                    load(type, segment, address, lastStride * size, word + c * ubWords, run);
                } else {
                    store(type, segment, address, lastStride * size, word + c * ubWords, run);
                }
                c += run;
                if (c >= cols) {
                    break;
                }
                // The run ended at the innermost dim's extent: wrap it and carry into the next dims.
                innerOffset -= (long) innerDigits[last] * lastStride;
                innerDigits[last] = 0;
                innerOffset = carry(innerDigits, inner, innerStrides, last - 1, innerOffset);
            }
            if (r + 1 < rows) {
                outerOffset = carry(outerDigits, outer, outerStrides, outer.length - 1, outerOffset);
            }
        }
    }

    /** Writes the mixed-radix digits of {@code index} over {@code extents} and returns Σ digit × stride. */
    static long digits(long index, int[] extents, long[] strides, int[] out) {
        long offset = 0;
        long rest = index;
        for (int d = extents.length - 1; d >= 0; d--) {
            int digit = (int) (rest % extents[d]);
            rest /= extents[d];
            out[d] = digit;
            offset += digit * strides[d];
        }
        return offset;
    }

    /** Adds one at digit {@code d} with carries and returns the updated offset. */
    static long carry(int[] digits, int[] extents, long[] strides, int d, long offset) {
        for (int k = d; k >= 0; k--) {
            offset += strides[k];
            if (++digits[k] < extents[k]) {
                return offset;
            }
            offset -= (long) extents[k] * strides[k];
            digits[k] = 0;
        }
        return offset;
    }

    /** Loads {@code n} elements of {@code type} from {@code address} every {@code strideBytes} into UB words from {@code word}. */
    private void load(ElementType type, MemorySegment seg, long address, long strideBytes, int word, int n) {
        switch (type) {
            case F32, I32 -> {
                if (strideBytes == 4) {
                    MemorySegment.copy(seg, JAVA_INT_UNALIGNED, address, ub, word, n);
                } else if (strideBytes == 0) {
                    Arrays.fill(ub, word, word + n, seg.get(JAVA_INT_UNALIGNED, address));
                } else {
                    for (int i = 0; i < n; i++) {
                        ub[word + i] = seg.get(JAVA_INT_UNALIGNED, address + i * strideBytes);
                    }
                }
            }
            case F16, BF16, BOOL -> {
                for (int i = 0; i < n; i++) {
                    ub[word + i] = word(type, seg, address + i * strideBytes);
                }
            }
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    long v = seg.get(JAVA_LONG_UNALIGNED, address + i * strideBytes);
                    ub[word + 2 * i] = (int) v;
                    ub[word + 2 * i + 1] = (int) (v >>> 32);
                }
            }
        }
    }

    /** Stores {@code n} elements from UB words at {@code word} to {@code address} every {@code strideBytes}, narrowing to {@code type}. */
    private void store(ElementType type, MemorySegment seg, long address, long strideBytes, int word, int n) {
        switch (type) {
            case F32, I32 -> {
                if (strideBytes == 4) {
                    MemorySegment.copy(ub, word, seg, JAVA_INT_UNALIGNED, address, n);
                } else {
                    for (int i = 0; i < n; i++) {
                        seg.set(JAVA_INT_UNALIGNED, address + i * strideBytes, ub[word + i]);
                    }
                }
            }
            case F16, BF16, BOOL -> {
                for (int i = 0; i < n; i++) {
                    putWord(type, seg, address + i * strideBytes, ub[word + i]);
                }
            }
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    seg.set(JAVA_LONG_UNALIGNED, address + i * strideBytes, ub[word + 2 * i] & 0xFFFF_FFFFL | (long) ub[word + 2 * i + 1] << 32);
                }
            }
        }
    }

    /**
     * One element of {@code type} (not I64) at {@code address} as its UB word: F16 widened exactly,
     * BF16 into the upper half, BOOL as 0 or 1 (nonzero reads as 1). The one definition of these
     * conversions, which the JIT tier's lane-by-lane accesses use too.
     */
    static int word(ElementType type, MemorySegment seg, long address) {
        return switch (type) {
            case F32, I32 -> seg.get(JAVA_INT_UNALIGNED, address);
            case F16 -> Float.floatToRawIntBits(Float.float16ToFloat(seg.get(JAVA_SHORT_UNALIGNED, address)));
            case BF16 -> seg.get(JAVA_SHORT_UNALIGNED, address) << 16;
            case BOOL -> seg.get(JAVA_BYTE, address) != 0 ? 1 : 0;
            case I64 -> throw new IllegalArgumentException("an I64 element is two UB words");
        };
    }

    /** UB word {@code word} stored at {@code address} as one element of {@code type} (not I64), narrowed to nearest even. */
    static void putWord(ElementType type, MemorySegment seg, long address, int word) {
        switch (type) {
            case F32, I32 -> seg.set(JAVA_INT_UNALIGNED, address, word);
            case F16 -> seg.set(JAVA_SHORT_UNALIGNED, address, Float.floatToFloat16(Float.intBitsToFloat(word)));
            case BF16 -> seg.set(JAVA_SHORT_UNALIGNED, address, (short) (MathKernels.roundBf16(word) >>> 16));
            case BOOL -> seg.set(JAVA_BYTE, address, (byte) (word != 0 ? 1 : 0));
            case I64 -> throw new IllegalArgumentException("an I64 element is two UB words");
        }
    }
}
