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

    /** Whether {@code strides} are {@link #contiguousStrides} of {@code shape}, without making them. */
    public static boolean isContiguous(long[] shape, long[] strides) {
        if (strides.length != shape.length) {
            return false;
        }
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (strides[d] != stride) {
                return false;
            }
            stride *= Math.max(1, shape[d]);
        }
        return true;
    }
}
