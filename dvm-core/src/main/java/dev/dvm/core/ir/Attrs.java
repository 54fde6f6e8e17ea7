package dev.dvm.core.ir;

/** Op-specific attributes of a {@link Node}. Arrays inside are owned by the node: never mutate them. */
public sealed interface Attrs {
    /** No attributes. */
    record None() implements Attrs {}

    /** A kernel input: its slot and declared dims (-1: dynamic). */
    record Input(int slot, long[] dims) implements Attrs {}

    /** A kernel output: its index among outputs. */
    record Output(int index) implements Attrs {}

    /** A scalar: exact as a double for float dtypes, as a long for integer and BOOL dtypes. */
    record Scalar(double asDouble, long asLong) implements Attrs {}

    /** Target dims of BROADCAST or RESHAPE. */
    record Shape(long[] dims) implements Attrs {}

    /** Axes: a permutation, or the single axis of CONCAT. Already normalised to be non-negative. */
    record Axes(int[] axes) implements Attrs {}

    /**
     * Python-style slice of each axis: begin/end may be negative (from the end) and are clamped to
     * [0, dim]; step ≥ 1. {@code Long.MAX_VALUE} as end means "to the end".
     */
    record Slice(long[] begin, long[] end, long[] step) implements Attrs {
        /** First index taken along {@code axis} of an input dim {@code dim}: begin clamped Python-style. */
        public long start(int axis, long dim) {
            return clamp(begin[axis], dim);
        }

        /** Number of indices taken along {@code axis} of an input dim {@code dim}. */
        public long length(int axis, long dim) {
            long from = clamp(begin[axis], dim);
            long to = clamp(end[axis], dim);
            return to <= from ? 0 : (to - from - 1) / step[axis] + 1;
        }

        private static long clamp(long bound, long dim) {
            return bound < 0 ? Math.max(0, bound + dim) : Math.min(bound, dim);
        }
    }

    /** Part {@code index} of splitting {@code axis} into {@code sizes} (one size may be -1: the rest), or into {@code parts} equal parts when sizes is null. */
    record Split(int axis, long[] sizes, int parts, int index) implements Attrs {
        /** Size of part {@code index} when the split axis has {@code dim} elements (assumes shape inference accepted it). */
        public long size(long dim) {
            if (sizes == null) {
                return dim / parts;
            }
            return sizes[index] >= 0 ? sizes[index] : dim - known();
        }

        /** Offset of part {@code index} along the split axis when it has {@code dim} elements. */
        public long offset(long dim) {
            if (sizes == null) {
                return dim / parts * index;
            }
            long off = 0;
            for (int i = 0; i < index; i++) {
                off += sizes[i] >= 0 ? sizes[i] : dim - known();
            }
            return off;
        }

        /** Sum of the sizes given explicitly (all but a -1). */
        public long known() {
            long sum = 0;
            for (long s : sizes) {
                sum += Math.max(0, s);
            }
            return sum;
        }
    }

    /** Reduced axes (non-negative, sorted, distinct) and whether they are kept as 1s. */
    record Reduce(int[] axes, boolean keepDims) implements Attrs {}

    /** Depth of the new axis and the values written for hit and miss. */
    record OneHot(long depth, double on, double off) implements Attrs {}

    /**
     * A matrix product: whether a and b are read transposed (their last two dims swapped), and for
     * a grouped product ({@code split} not null) how its third input, the group sizes, splits it.
     */
    record MatMul(boolean transA, boolean transB, dev.dvm.core.GroupSplit split) implements Attrs {}
}
