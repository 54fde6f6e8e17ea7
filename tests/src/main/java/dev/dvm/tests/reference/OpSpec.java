package dev.dvm.tests.reference;

import dev.dvm.core.DType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One meta-op of a {@link KernelSpec}, in the test tree's own model of a kernel. Operands are value
 * ids: ids {@code 0..inputs-1} are the kernel's inputs, id {@code inputs + k} is the result of op
 * {@code k}. Every op produces exactly one value ({@link Split} picks one part).
 */
public sealed interface OpSpec {
    /** The value ids this op reads. */
    int[] operands();

    /** The same op reading {@code ids} (same length as {@link #operands()}). */
    OpSpec withOperands(int[] ids);

    /** Unary meta-ops of KernelBuilder. */
    enum UnaryOp { SQRT, RSQRT, ABS, NEG, LOG, EXP, RECIPROCAL, IS_FINITE, LOGICAL_NOT, ROUND, FLOOR, CEIL, TRUNC, TANH, SIGMOID, ERF, SIN, COS }

    /** Binary meta-ops of KernelBuilder. */
    enum BinaryOp {
        ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL, LOGICAL_AND, LOGICAL_OR;

        public boolean isCompare() {
            return this == EQUAL || this == NOT_EQUAL || this == GREATER || this == GREATER_EQUAL || this == LESS || this == LESS_EQUAL;
        }

        public boolean isLogic() {
            return this == LOGICAL_AND || this == LOGICAL_OR;
        }
    }

    /** Reductions of KernelBuilder. */
    enum ReduceOp { SUM, MAX, MIN }

    /** A Java scalar operand: a {@code long} when {@code isLong}, else a {@code double}. */
    record Scalar(boolean isLong, double asDouble, long asLong) {
        public static Scalar of(double v) {
            return new Scalar(false, v, 0);
        }

        public static Scalar of(long v) {
            return new Scalar(true, v, v);
        }

        @Override
        public String toString() {
            return isLong ? asLong + "L" : Double.toString(asDouble);
        }
    }

    record Unary(UnaryOp op, int x) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new Unary(op, ids[0]); }
        @Override public String toString() { return lower(op) + "(%" + x + ")"; }
    }

    record Binary(BinaryOp op, int a, int b) implements OpSpec {
        public int[] operands() { return new int[] {a, b}; }
        public OpSpec withOperands(int[] ids) { return new Binary(op, ids[0], ids[1]); }
        @Override public String toString() { return lower(op) + "(%" + a + ", %" + b + ")"; }
    }

    /** {@code op(x, s)}, or {@code op(s, x)} when {@code scalarLeft}. */
    record BinaryScalar(BinaryOp op, int x, Scalar s, boolean scalarLeft) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new BinaryScalar(op, ids[0], s, scalarLeft); }
        @Override public String toString() { return lower(op) + (scalarLeft ? "(" + s + ", %" + x + ")" : "(%" + x + ", " + s + ")"); }
    }

    record Select(int cond, int a, int b) implements OpSpec {
        public int[] operands() { return new int[] {cond, a, b}; }
        public OpSpec withOperands(int[] ids) { return new Select(ids[0], ids[1], ids[2]); }
        @Override public String toString() { return "select(%" + cond + ", %" + a + ", %" + b + ")"; }
    }

    record Cast(int x, DType to) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new Cast(ids[0], to); }
        @Override public String toString() { return "cast(%" + x + ", " + RefTypes.name(to) + ")"; }
    }

    /** Broadcast to dims (right-aligned, -1 keeps the operand's dim). */
    record Broadcast(int x, long[] dims) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new Broadcast(ids[0], dims); }
        @Override public String toString() { return "broadcast(%" + x + ", " + Arrays.toString(dims) + ")"; }
    }

    record BroadcastLike(int x, int like) implements OpSpec {
        public int[] operands() { return new int[] {x, like}; }
        public OpSpec withOperands(int[] ids) { return new BroadcastLike(ids[0], ids[1]); }
        @Override public String toString() { return "broadcastLike(%" + x + ", %" + like + ")"; }
    }

    record Fill(double value, DType dtype, int like) implements OpSpec {
        public int[] operands() { return new int[] {like}; }
        public OpSpec withOperands(int[] ids) { return new Fill(value, dtype, ids[0]); }
        @Override public String toString() { return "fill(" + value + ", " + RefTypes.name(dtype) + ", like %" + like + ")"; }
    }

    /** Reshape; -1 is inferred, 0 copies the operand's dim at that index. */
    record Reshape(int x, long[] dims) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new Reshape(ids[0], dims); }
        @Override public String toString() { return "reshape(%" + x + ", " + Arrays.toString(dims) + ")"; }
    }

    record Permute(int x, int[] perm) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new Permute(ids[0], perm); }
        @Override public String toString() { return "permute(%" + x + ", " + Arrays.toString(perm) + ")"; }
    }

    record Slice(int x, long[] begin, long[] end, long[] step) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new Slice(ids[0], begin, end, step); }
        @Override public String toString() {
            return "slice(%" + x + ", " + IntStream.range(0, begin.length)
                    .mapToObj(i -> begin[i] + ":" + (end[i] == Long.MAX_VALUE ? "" : end[i]) + ":" + step[i])
                    .collect(Collectors.joining(", ", "[", "]")) + ")";
        }
    }

    record Concat(int axis, int[] xs) implements OpSpec {
        public int[] operands() { return xs.clone(); }
        public OpSpec withOperands(int[] ids) { return new Concat(axis, ids.clone()); }
        @Override public String toString() {
            return "concat(axis " + axis + ", " + Arrays.stream(xs).mapToObj(i -> "%" + i).collect(Collectors.joining(", ")) + ")";
        }
    }

    /** Part {@code index} of {@code split(x, axis, sizes)}, or of {@code split(x, axis, parts)} when sizes is null. */
    record Split(int x, int axis, long[] sizes, int parts, int index) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new Split(ids[0], axis, sizes, parts, index); }
        @Override public String toString() {
            return "split(%" + x + ", axis " + axis + ", " + (sizes == null ? parts + " parts" : Arrays.toString(sizes)) + ")[" + index + "]";
        }
    }

    record OneHot(int indices, long depth, double on, double off, DType dtype) implements OpSpec {
        public int[] operands() { return new int[] {indices}; }
        public OpSpec withOperands(int[] ids) { return new OneHot(ids[0], depth, on, off, dtype); }
        @Override public String toString() { return "oneHot(%" + indices + ", depth " + depth + ", on " + on + ", off " + off + ", " + RefTypes.name(dtype) + ")"; }
    }

    record Copy(int x) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new Copy(ids[0]); }
        @Override public String toString() { return "copy(%" + x + ")"; }
    }

    record ElemAny(int x) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new ElemAny(ids[0]); }
        @Override public String toString() { return "elemAny(%" + x + ")"; }
    }

    /** A reduction over {@code axes} (negative from the end; empty = all axes). */
    record Reduce(ReduceOp op, int x, boolean keepDims, int[] axes) implements OpSpec {
        public int[] operands() { return new int[] {x}; }
        public OpSpec withOperands(int[] ids) { return new Reduce(op, ids[0], keepDims, axes); }
        @Override public String toString() {
            return "reduce" + op.name().charAt(0) + op.name().substring(1).toLowerCase(Locale.ROOT)
                    + "(%" + x + ", axes " + Arrays.toString(axes) + (keepDims ? ", keepDims" : "") + ")";
        }
    }

    /**
     * The matrix product of {@code a} [..., M, K] ([..., K, M] with {@code transA}) and {@code b}
     * [..., K, N] ([..., N, K] with {@code transB}), batch dims broadcast, plus {@code bias}
     * (broadcast to the product) when it is not {@link #NO_BIAS}; the bias is an ordinary add.
     */
    record MatMul(int a, int b, boolean transA, boolean transB, int bias) implements OpSpec {
        /** {@link #bias} of a product without one. */
        public static final int NO_BIAS = -1;

        public boolean hasBias() { return bias != NO_BIAS; }
        public int[] operands() { return hasBias() ? new int[] {a, b, bias} : new int[] {a, b}; }
        public OpSpec withOperands(int[] ids) { return new MatMul(ids[0], ids[1], transA, transB, hasBias() ? ids[2] : NO_BIAS); }
        @Override public String toString() {
            return "matmul(%" + a + ", %" + b + (transA ? ", transA" : "") + (transB ? ", transB" : "") + (hasBias() ? ", bias %" + bias : "") + ")";
        }
    }

    private static String lower(Enum<?> e) {
        String[] parts = e.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            sb.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return sb.toString();
    }
}
