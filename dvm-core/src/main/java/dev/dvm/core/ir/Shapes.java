package dev.dvm.core.ir;

/** Shape arithmetic shared by tensors, shape inference and the compiler. */
public final class Shapes {
    private Shapes() {}

    /** Row-major element strides of {@code shape}; extents 0 and 1 count as 1, so the strides stay valid. */
    public static long[] contiguousStrides(long[] shape) {
        long[] s = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = stride;
            stride *= Math.max(1, shape[d]);
        }
        return s;
    }
}
