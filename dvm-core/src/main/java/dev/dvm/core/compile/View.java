package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;

/**
 * A tensor in global memory seen through a strided window: element {@code idx} of a value of
 * some shape lives at {@code offset + Σ idx_d × strides[d]} elements from the base of {@code slot}.
 * Offset and strides are front-end numbers ({@link Dim}).
 */
record View(int slot, ElementType type, Dim offset, Dim[] strides) {
    /** Bytes reached from the slot base by a tensor of {@code shape} at {@code offset} with {@code strides} (0 when empty). */
    static long bytesReached(ElementType type, long offset, long[] strides, long[] shape) {
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
