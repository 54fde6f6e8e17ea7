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
    record Slice(long[] begin, long[] end, long[] step) implements Attrs {}

    /** Part {@code index} of splitting {@code axis} into {@code sizes} (one size may be -1: the rest), or into {@code parts} equal parts when sizes is null. */
    record Split(int axis, long[] sizes, int parts, int index) implements Attrs {}

    /** Reduced axes (non-negative, sorted, distinct) and whether they are kept as 1s. */
    record Reduce(int[] axes, boolean keepDims) implements Attrs {}

    /** Depth of the new axis and the values written for hit and miss. */
    record OneHot(long depth, double on, double off) implements Attrs {}
}
