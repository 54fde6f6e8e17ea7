package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;

/**
 * A tensor in global memory seen through a strided window: element {@code idx} of a value of
 * some shape lives at {@code offset + Σ idx_d × strides[d]} elements from the base of {@code slot}.
 */
record View(int slot, ElementType type, long offset, long[] strides) {
    /** Row-major strides of {@code shape} (extents 0 and 1 count as 1). */
    static long[] contiguous(long[] shape) {
        long[] s = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = stride;
            stride *= Math.max(1, shape[d]);
        }
        return s;
    }

    /** Bytes reached from the slot base by a tensor of {@code shape} through this view (0 when empty). */
    long bytesReached(long[] shape) {
        long last = offset;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) {
                return 0;
            }
            last += (shape[d] - 1) * strides[d];
        }
        return (last + 1) * type.byteSize();
    }
}
