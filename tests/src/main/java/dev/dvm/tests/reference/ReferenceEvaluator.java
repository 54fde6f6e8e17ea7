package dev.dvm.tests.reference;

import dev.dvm.core.DType;
import dev.dvm.tests.reference.OpSpec.BinaryOp;
import dev.dvm.tests.reference.OpSpec.Scalar;
import dev.dvm.tests.reference.OpSpec.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * An independent evaluator of {@link KernelSpec}s: plain float64 loops over Java arrays, written
 * from the documented semantics of KernelBuilder's meta-ops (NumPy broadcasting, the promotion
 * rules, the CAST rules of the instruction table). Each float result is rounded to F32, as the
 * kernel computes in F32, and carries an error bound (see {@link Tolerances}); outputs are rounded
 * to their dtype only when compared.
 */
public final class ReferenceEvaluator {
    private ReferenceEvaluator() {}

    private static final double INF = Double.POSITIVE_INFINITY;

    /** A value's dtype and shape. */
    public record Meta(DType dtype, long[] shape) {
        @Override
        public String toString() {
            return RefTypes.name(dtype) + Arrays.toString(shape);
        }
    }

    // ------------------------------------------------------------------ shapes and dtypes

    /** Dtype and shape of every value id of {@code spec} for concrete input shapes; throws {@link ReferenceException} if an op does not fit. */
    public static List<Meta> infer(KernelSpec spec, List<long[]> inputShapes) {
        if (inputShapes.size() != spec.inputs().size()) {
            throw new ReferenceException(spec.name() + ": " + spec.inputs().size() + " input shapes expected, got " + inputShapes.size());
        }
        List<Meta> metas = new ArrayList<>();
        for (int i = 0; i < inputShapes.size(); i++) {
            KernelSpec.InputSpec in = spec.inputs().get(i);
            long[] s = inputShapes.get(i);
            if (s.length != in.dims().length) {
                throw new ReferenceException("input %" + i + ": rank " + in.dims().length + " declared, shape " + Arrays.toString(s));
            }
            for (int d = 0; d < s.length; d++) {
                if (s[d] < 0 || (in.dims()[d] != -1 && in.dims()[d] != s[d])) {
                    throw new ReferenceException("input %" + i + ": declared " + Arrays.toString(in.dims()) + ", shape " + Arrays.toString(s));
                }
            }
            metas.add(new Meta(in.dtype(), s.clone()));
        }
        for (OpSpec op : spec.ops()) {
            for (int id : op.operands()) {
                if (id < 0 || id >= metas.size()) {
                    throw new ReferenceException(op + ": operand %" + id + " is not defined before it");
                }
            }
            metas.add(infer(op, metas));
        }
        for (int id : spec.outputs()) {
            if (id < 0 || id >= metas.size()) {
                throw new ReferenceException("output %" + id + " is not a value");
            }
        }
        return metas;
    }

    /** Dtype and shape of {@code op}'s result. */
    public static Meta infer(OpSpec op, List<Meta> v) {
        return switch (op) {
            case OpSpec.Unary u -> new Meta(unaryType(u.op(), v.get(u.x()).dtype()), v.get(u.x()).shape());
            case OpSpec.Binary b -> new Meta(binaryType(b.op(), RefTypes.promote(v.get(b.a()).dtype(), v.get(b.b()).dtype())),
                    broadcastShapes(op, v.get(b.a()).shape(), v.get(b.b()).shape()));
            case OpSpec.BinaryScalar s -> new Meta(binaryType(s.op(), scalarType(v.get(s.x()).dtype(), s.s())), v.get(s.x()).shape());
            case OpSpec.Select s -> {
                yield new Meta(RefTypes.promote(v.get(s.a()).dtype(), v.get(s.b()).dtype()),
                        broadcastShapes(op, v.get(s.cond()).shape(), v.get(s.a()).shape(), v.get(s.b()).shape()));
            }
            case OpSpec.Cast c -> new Meta(c.to(), v.get(c.x()).shape());
            case OpSpec.Broadcast b -> new Meta(v.get(b.x()).dtype(), broadcastTo(op, v.get(b.x()).shape(), b.dims()));
            case OpSpec.BroadcastLike b -> new Meta(v.get(b.x()).dtype(), broadcastTo(op, v.get(b.x()).shape(), v.get(b.like()).shape()));
            case OpSpec.Fill f -> {
                checkRepresentable(op, f.dtype(), f.value());
                yield new Meta(f.dtype(), v.get(f.like()).shape());
            }
            case OpSpec.Reshape r -> new Meta(v.get(r.x()).dtype(), reshape(op, v.get(r.x()).shape(), r.dims()));
            case OpSpec.Permute p -> new Meta(v.get(p.x()).dtype(), permute(op, v.get(p.x()).shape(), p.perm()));
            case OpSpec.Slice s -> new Meta(v.get(s.x()).dtype(), slice(op, v.get(s.x()).shape(), s)[0]);
            case OpSpec.Concat c -> concatMeta(c, v);
            case OpSpec.Split s -> {
                long[] shape = v.get(s.x()).shape().clone();
                int axis = axis(op, s.axis(), shape.length);
                shape[axis] = splitSizes(s, shape[axis])[s.index()];
                yield new Meta(v.get(s.x()).dtype(), shape);
            }
            case OpSpec.OneHot o -> {
                Meta idx = v.get(o.indices());
                if (idx.dtype() != DType.I32 && idx.dtype() != DType.I64) {
                    throw new ReferenceException(op + ": indices must be i32 or i64, are " + idx);
                }
                if (o.depth() < 0) {
                    throw new ReferenceException(op + ": depth must be >= 0");
                }
                checkRepresentable(op, o.dtype(), o.on());
                checkRepresentable(op, o.dtype(), o.off());
                long[] shape = Arrays.copyOf(idx.shape(), idx.shape().length + 1);
                shape[shape.length - 1] = o.depth();
                yield new Meta(o.dtype(), shape);
            }
            case OpSpec.Copy c -> v.get(c.x());
            case OpSpec.ElemAny e -> new Meta(DType.BOOL, new long[0]);
            case OpSpec.MatMul mm -> {
                Meta product = new Meta(DType.F32, matmulShape(mm, v.get(mm.a()), v.get(mm.b())));
                if (!mm.hasBias()) {
                    yield product;
                }
                Meta bias = v.get(mm.bias());
                if (!Arrays.equals(broadcastShapes(op, product.shape(), bias.shape()), product.shape())) {
                    throw new ReferenceException(op + ": bias " + bias + " does not broadcast to the product " + product);
                }
                yield new Meta(binaryType(BinaryOp.ADD, RefTypes.promote(DType.F32, bias.dtype())), product.shape());
            }
            case OpSpec.Reduce r -> {
                Meta x = v.get(r.x());
                boolean[] reduced = reducedAxes(op, r.axes(), x.shape().length);
                DType t = r.op() == OpSpec.ReduceOp.SUM && x.dtype() == DType.BOOL ? DType.I32 : x.dtype();
                yield new Meta(t, reduceShape(x.shape(), reduced, r.keepDims()));
            }
        };
    }

    /** Shape of the product of {@code a} and {@code b}: broadcast batch dims, then [M, N]. */
    private static long[] matmulShape(OpSpec.MatMul op, Meta a, Meta b) {
        checkMatMulOperand(op, "a", a);
        checkMatMulOperand(op, "b", b);
        long[] sa = a.shape();
        long[] sb = b.shape();
        int ra = sa.length;
        int rb = sb.length;
        long ka = op.transA() ? sa[ra - 2] : sa[ra - 1];
        long kb = op.transB() ? sb[rb - 1] : sb[rb - 2];
        if (ka != kb) {
            throw new ReferenceException(op + ": inner dims of " + a + " and " + b + " differ (" + ka + " vs " + kb + ")");
        }
        long[] batch = broadcastShapes(op, Arrays.copyOf(sa, ra - 2), Arrays.copyOf(sb, rb - 2));
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = op.transA() ? sa[ra - 1] : sa[ra - 2];
        out[batch.length + 1] = op.transB() ? sb[rb - 2] : sb[rb - 1];
        return out;
    }

    private static void checkMatMulOperand(OpSpec op, String name, Meta m) {
        if (m.shape().length < 2 || m.shape().length > 4 || !RefTypes.isFloat(m.dtype())) {
            throw new ReferenceException(op + ": operand " + name + " is " + m + "; a product takes F32, F16 or BF16 of rank 2 to 4");
        }
    }

    /** A constant for an I32 or I64 tensor must be integral and in range (floats are rounded, BOOL is value != 0). */
    private static void checkRepresentable(OpSpec op, DType t, double value) {
        boolean integer = t == DType.I32 || t == DType.I64;
        boolean inRange = t == DType.I32 ? value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE : value >= -0x1p63 && value < 0x1p63;
        if (integer && (value != Math.rint(value) || !inRange)) {
            throw new ReferenceException(op + ": value " + value + " is not representable in " + RefTypes.name(t));
        }
    }

    static DType unaryType(UnaryOp op, DType t) {
        return switch (op) {
            case IS_FINITE, LOGICAL_NOT -> DType.BOOL;
            case ABS, NEG -> t == DType.BOOL ? DType.I32 : t;
            case ROUND, FLOOR, CEIL, TRUNC -> t;
            default -> RefTypes.floatOnly(t);
        };
    }

    static DType binaryType(BinaryOp op, DType promoted) {
        if (op.isCompare() || op.isLogic()) {
            return DType.BOOL;
        }
        return op == BinaryOp.DIV ? RefTypes.floatOnly(promoted) : promoted;
    }

    /** The dtype both operands of a tensor-scalar op take. */
    static DType scalarType(DType tensor, Scalar s) {
        return s.isLong() ? RefTypes.withLongScalar(tensor) : RefTypes.withDoubleScalar(tensor);
    }

    /** NumPy broadcasting of several shapes. */
    public static long[] broadcastShapes(Object op, long[]... shapes) {
        int rank = Arrays.stream(shapes).mapToInt(s -> s.length).max().orElse(0);
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        for (long[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int d = rank - s.length + i;
                if (s[i] != 1) {
                    if (out[d] != 1 && out[d] != s[i]) {
                        throw new ReferenceException(op + ": shapes " + shapesText(shapes) + " do not broadcast");
                    }
                    out[d] = s[i];
                }
            }
        }
        return out;
    }

    private static String shapesText(long[][] shapes) {
        StringBuilder sb = new StringBuilder();
        for (long[] s : shapes) {
            sb.append(sb.isEmpty() ? "" : " and ").append(Arrays.toString(s));
        }
        return sb.toString();
    }

    private static long[] broadcastTo(OpSpec op, long[] x, long[] dims) {
        if (dims.length < x.length) {
            throw new ReferenceException(op + ": cannot broadcast rank " + x.length + " to rank " + dims.length);
        }
        long[] out = new long[dims.length];
        for (int d = 0; d < dims.length; d++) {
            int xd = d - (dims.length - x.length);
            long want = dims[d];
            if (want == -1) {
                if (xd < 0) {
                    throw new ReferenceException(op + ": -1 at new leading axis " + d);
                }
                want = x[xd];
            } else if (want < 0) {
                throw new ReferenceException(op + ": negative dim " + want);
            }
            if (xd >= 0 && x[xd] != 1 && x[xd] != want) {
                throw new ReferenceException(op + ": " + Arrays.toString(x) + " does not broadcast to " + Arrays.toString(dims));
            }
            out[d] = want;
        }
        return out;
    }

    private static long[] reshape(OpSpec op, long[] x, long[] dims) {
        long[] out = dims.clone();
        int inferred = -1;
        long known = 1;
        for (int d = 0; d < out.length; d++) {
            if (out[d] == 0) {
                if (d >= x.length) {
                    throw new ReferenceException(op + ": 0 at index " + d + " but the operand has rank " + x.length);
                }
                out[d] = x[d];
            }
            if (out[d] == -1) {
                if (inferred >= 0) {
                    throw new ReferenceException(op + ": more than one -1");
                }
                inferred = d;
            } else if (out[d] < 0) {
                throw new ReferenceException(op + ": negative dim " + out[d]);
            } else {
                known *= out[d];
            }
        }
        long total = RefTensor.count(x);
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw new ReferenceException(op + ": cannot infer -1 for " + Arrays.toString(x) + " -> " + Arrays.toString(dims));
            }
            out[inferred] = total / known;
        } else if (known != total) {
            throw new ReferenceException(op + ": " + Arrays.toString(x) + " has " + total + " elements, " + Arrays.toString(out) + " has " + known);
        }
        return out;
    }

    private static int[] normalizePerm(OpSpec op, int[] perm, int rank) {
        if (perm.length != rank) {
            throw new ReferenceException(op + ": permutation of rank " + perm.length + " for rank " + rank);
        }
        int[] p = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = axis(op, perm[i], rank);
            if (seen[p[i]]) {
                throw new ReferenceException(op + ": axis " + p[i] + " twice");
            }
            seen[p[i]] = true;
        }
        return p;
    }

    private static long[] permute(OpSpec op, long[] x, int[] perm) {
        int[] p = normalizePerm(op, perm, x.length);
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[p[i]];
        }
        return out;
    }

    /** {shape, starts} of a slice, python-style clamping. */
    private static long[][] slice(OpSpec op, long[] x, OpSpec.Slice s) {
        if (s.begin().length != x.length || s.end().length != x.length || s.step().length != x.length) {
            throw new ReferenceException(op + ": begin/end/step must have rank " + x.length);
        }
        long[] shape = new long[x.length];
        long[] starts = new long[x.length];
        for (int d = 0; d < x.length; d++) {
            if (s.step()[d] < 1) {
                throw new ReferenceException(op + ": step must be >= 1, is " + s.step()[d]);
            }
            long b = clamp(s.begin()[d], x[d]);
            long e = s.end()[d] == Long.MAX_VALUE ? x[d] : clamp(s.end()[d], x[d]);
            starts[d] = b;
            shape[d] = e <= b ? 0 : (e - b + s.step()[d] - 1) / s.step()[d];
        }
        return new long[][] {shape, starts};
    }

    private static long clamp(long i, long dim) {
        return i < 0 ? Math.max(0, i + dim) : Math.min(i, dim);
    }

    static int axis(Object op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new ReferenceException(op + ": axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }

    private static Meta concatMeta(OpSpec.Concat c, List<Meta> v) {
        if (c.xs().length == 0) {
            throw new ReferenceException(c + ": nothing to concatenate");
        }
        long[] first = v.get(c.xs()[0]).shape();
        int axis = axis(c, c.axis(), first.length);
        long[] out = first.clone();
        out[axis] = 0;
        DType t = v.get(c.xs()[0]).dtype();
        for (int id : c.xs()) {
            long[] s = v.get(id).shape();
            if (s.length != first.length) {
                throw new ReferenceException(c + ": ranks differ");
            }
            for (int d = 0; d < s.length; d++) {
                if (d != axis && s[d] != first[d]) {
                    throw new ReferenceException(c + ": shapes " + Arrays.toString(first) + " and " + Arrays.toString(s) + " differ off the axis");
                }
            }
            out[axis] += s[axis];
            t = RefTypes.promote(t, v.get(id).dtype());
        }
        return new Meta(t, out);
    }

    private static long[] splitSizes(OpSpec.Split s, long dim) {
        long[] sizes;
        if (s.sizes() == null) {
            if (s.parts() < 1 || dim % s.parts() != 0) {
                throw new ReferenceException(s + ": " + dim + " does not split into " + s.parts() + " equal parts");
            }
            sizes = new long[s.parts()];
            Arrays.fill(sizes, dim / s.parts());
        } else {
            sizes = s.sizes().clone();
            int rest = -1;
            long sum = 0;
            for (int i = 0; i < sizes.length; i++) {
                if (sizes[i] == -1 && rest < 0) {
                    rest = i;
                } else if (sizes[i] < 0) {
                    throw new ReferenceException(s + ": bad size " + sizes[i]);
                } else {
                    sum += sizes[i];
                }
            }
            if (rest >= 0) {
                if (sum > dim) {
                    throw new ReferenceException(s + ": sizes exceed " + dim);
                }
                sizes[rest] = dim - sum;
            } else if (sum != dim) {
                throw new ReferenceException(s + ": sizes sum to " + sum + ", dim is " + dim);
            }
        }
        if (s.index() < 0 || s.index() >= sizes.length) {
            throw new ReferenceException(s + ": no part " + s.index());
        }
        return sizes;
    }

    private static boolean[] reducedAxes(OpSpec op, int[] axes, int rank) {
        boolean[] r = new boolean[rank];
        if (axes.length == 0) {
            Arrays.fill(r, true);
        }
        for (int a : axes) {
            int n = axis(op, a, rank);
            if (r[n]) {
                throw new ReferenceException(op + ": axis " + a + " twice");
            }
            r[n] = true;
        }
        return r;
    }

    private static long[] reduceShape(long[] x, boolean[] reduced, boolean keepDims) {
        long[] out = new long[x.length];
        int n = 0;
        for (int d = 0; d < x.length; d++) {
            if (!reduced[d]) {
                out[n++] = x[d];
            } else if (keepDims) {
                out[n++] = 1;
            }
        }
        return Arrays.copyOf(out, n);
    }

    // ------------------------------------------------------------------ evaluation

    /** Every value of {@code spec} (inputs first) for these inputs. */
    public static List<RefTensor> evaluateAll(KernelSpec spec, List<RefTensor> inputs) {
        List<long[]> shapes = inputs.stream().map(RefTensor::shape).toList();
        List<Meta> metas = infer(spec, shapes);
        List<RefTensor> values = new ArrayList<>(inputs);
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).dtype() != spec.inputs().get(i).dtype()) {
                throw new ReferenceException("input %" + i + " is " + inputs.get(i) + ", declared " + spec.inputs().get(i));
            }
        }
        for (OpSpec op : spec.ops()) {
            RefTensor r = apply(op, values);
            Meta m = metas.get(values.size());
            if (r.dtype() != m.dtype() || !Arrays.equals(r.shape(), m.shape())) {
                throw new IllegalStateException(op + ": evaluated " + r + " but inferred " + m);
            }
            values.add(r);
        }
        return values;
    }

    /** The outputs of {@code spec} for these inputs. */
    public static List<RefTensor> evaluate(KernelSpec spec, List<RefTensor> inputs) {
        List<RefTensor> all = evaluateAll(spec, inputs);
        return spec.outputs().stream().map(all::get).toList();
    }

    /** Evaluates one op on already evaluated values. */
    public static RefTensor apply(OpSpec op, List<RefTensor> v) {
        List<Meta> metas = v.stream().map(t -> new Meta(t.dtype(), t.shape())).toList();
        Meta m = infer(op, metas);
        return switch (op) {
            case OpSpec.Unary u -> unary(u.op(), v.get(u.x()));
            case OpSpec.Binary b -> binary(b.op(), v.get(b.a()), v.get(b.b()));
            case OpSpec.BinaryScalar s -> {
                RefTensor x = v.get(s.x());
                DType t = scalarType(x.dtype(), s.s());
                RefTensor c = constant(t, s.s().isLong() ? s.s().asLong() : s.s().asDouble(), new long[0]);
                yield s.scalarLeft() ? binary(s.op(), c, convert(x, t)) : binary(s.op(), convert(x, t), c);
            }
            case OpSpec.Select s -> select(convert(v.get(s.cond()), DType.BOOL), v.get(s.a()), v.get(s.b()), m);
            case OpSpec.Cast c -> convert(v.get(c.x()), c.to());
            case OpSpec.Broadcast b -> gather(v.get(b.x()), m.shape(), broadcastStrides(v.get(b.x()).shape(), m.shape()), 0);
            case OpSpec.BroadcastLike b -> gather(v.get(b.x()), m.shape(), broadcastStrides(v.get(b.x()).shape(), m.shape()), 0);
            case OpSpec.Fill f -> constant(f.dtype(), f.value(), m.shape());
            case OpSpec.Reshape r -> {
                RefTensor x = v.get(r.x());
                yield new RefTensor(x.dtype(), m.shape(), x.floats(), x.ints(), x.err());
            }
            case OpSpec.Permute p -> {
                RefTensor x = v.get(p.x());
                int[] perm = normalizePerm(op, p.perm(), x.shape().length);
                long[] in = rowMajorStrides(x.shape());
                long[] strides = new long[perm.length];
                for (int i = 0; i < perm.length; i++) {
                    strides[i] = in[perm[i]];
                }
                yield gather(x, m.shape(), strides, 0);
            }
            case OpSpec.Slice s -> {
                RefTensor x = v.get(s.x());
                long[][] shapeStarts = slice(op, x.shape(), s);
                long[] in = rowMajorStrides(x.shape());
                long offset = 0;
                long[] strides = new long[in.length];
                for (int d = 0; d < in.length; d++) {
                    offset += shapeStarts[1][d] * in[d];
                    strides[d] = in[d] * s.step()[d];
                }
                yield gather(x, m.shape(), strides, offset);
            }
            case OpSpec.Concat c -> concat(c, v, m);
            case OpSpec.Split s -> {
                RefTensor x = v.get(s.x());
                int axis = axis(op, s.axis(), x.shape().length);
                long[] sizes = splitSizes(s, x.shape()[axis]);
                long start = 0;
                for (int i = 0; i < s.index(); i++) {
                    start += sizes[i];
                }
                long[] strides = rowMajorStrides(x.shape());
                yield gather(x, m.shape(), strides, start * strides[axis]);
            }
            case OpSpec.OneHot o -> oneHot(o, v.get(o.indices()), m);
            case OpSpec.Copy c -> v.get(c.x());
            case OpSpec.ElemAny e -> elemAny(v.get(e.x()));
            case OpSpec.Reduce r -> reduce(r, v.get(r.x()), m);
            case OpSpec.MatMul mm -> {
                RefTensor product = matmul(mm, v.get(mm.a()), v.get(mm.b()));
                yield mm.hasBias() ? binary(BinaryOp.ADD, product, v.get(mm.bias())) : product;
            }
        };
    }

    /** A tensor of {@code shape} filled with {@code value} in {@code dtype} (floats rounded to the dtype, integers as they are, BOOL x != 0). */
    static RefTensor constant(DType dtype, double value, long[] shape) {
        RefTensor out = RefTensor.empty(dtype, shape);
        if (out.isFloat()) {
            Arrays.fill(out.floats(), RefTypes.roundTo(dtype, value));
        } else {
            Arrays.fill(out.ints(), dtype == DType.BOOL ? (value != 0 ? 1 : 0) : RefTypes.truncToInt(dtype, value));
        }
        return out;
    }

    private static RefTensor constant(DType dtype, long value, long[] shape) {
        RefTensor out = RefTensor.empty(dtype, shape);
        if (out.isFloat()) {
            Arrays.fill(out.floats(), RefTypes.roundTo(dtype, value));
        } else {
            Arrays.fill(out.ints(), RefTypes.wrap(dtype, value));
        }
        return out;
    }

    static long[] rowMajorStrides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    /** Per output dim, the stride into {@code in} (0 where broadcast). */
    static long[] broadcastStrides(long[] in, long[] out) {
        long[] row = rowMajorStrides(in);
        long[] s = new long[out.length];
        for (int d = 0; d < out.length; d++) {
            int id = d - (out.length - in.length);
            s[d] = id < 0 || in[id] == 1 ? 0 : row[id];
        }
        return s;
    }

    /** For every output element in row-major order, the flat index it reads. */
    static int[] indexMap(long[] outShape, long[] strides, long offset) {
        int n = Math.toIntExact(RefTensor.count(outShape));
        int[] map = new int[n];
        if (n == 0) {
            return map;
        }
        int rank = outShape.length;
        long[] idx = new long[rank];
        long pos = offset;
        for (int i = 0; i < n; i++) {
            map[i] = Math.toIntExact(pos);
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                pos += strides[d];
                if (idx[d] < outShape[d]) {
                    break;
                }
                pos -= strides[d] * idx[d];
                idx[d] = 0;
            }
        }
        return map;
    }

    private static RefTensor gather(RefTensor x, long[] shape, long[] strides, long offset) {
        int[] map = indexMap(shape, strides, offset);
        RefTensor out = RefTensor.empty(x.dtype(), shape);
        for (int i = 0; i < map.length; i++) {
            copy(x, map[i], out, i);
        }
        return out;
    }

    private static void copy(RefTensor from, int i, RefTensor to, int j) {
        if (from.isFloat()) {
            to.floats()[j] = from.floats()[i];
        } else {
            to.ints()[j] = from.ints()[i];
        }
        to.err()[j] = from.err()[i];
    }

    /** Bound {@code err} for result {@code r}: unchecked when it is NaN, or when a non-exact value is infinite or may overflow F32. */
    static double settle(double r, double err) {
        if (err == 0) {
            return 0;
        }
        if (Double.isNaN(err) || Double.isNaN(r) || Double.isInfinite(r) || Math.abs(r) + err >= Float.MAX_VALUE) {
            return INF;
        }
        return err;
    }

    // ---- casts

    /** Casts {@code x} to {@code to} with the documented rules. */
    public static RefTensor convert(RefTensor x, DType to) {
        if (x.dtype() == to) {
            return x;
        }
        RefTensor out = RefTensor.empty(to, x.shape());
        double[] err = out.err();
        for (int i = 0; i < x.size(); i++) {
            double e = x.err()[i];
            if (x.isFloat()) {
                double a = x.floats()[i];
                if (out.isFloat()) {
                    double r = to == DType.F32 ? a : RefTypes.roundTo(to, a);
                    out.floats()[i] = r;
                    double max = RefTypes.maxFinite(to);
                    // The kernel rounds its own value, anywhere in [a - e, a + e]: ½ ulp there plus ½ ulp at a.
                    err[i] = e == 0 ? 0 : Math.abs(a) + e >= max ? INF : e + (to == DType.F32 ? 0 : RefTypes.ulp(to, Math.abs(a) + e));
                } else if (to == DType.BOOL) {
                    out.ints()[i] = a != 0 ? 1 : 0;
                    err[i] = e != 0 && !(Math.abs(a) > e) ? INF : 0;
                } else {
                    out.ints()[i] = RefTypes.truncToInt(to, a);
                    err[i] = e == 0 ? 0 : RefTypes.truncToInt(to, a - e) != RefTypes.truncToInt(to, a + e) || Double.isNaN(a) ? INF : 0;
                }
            } else {
                long a = x.ints()[i];
                if (out.isFloat()) {
                    // As the CAST instruction: the integer to F32 (nearest even), then to F16/BF16.
                    out.floats()[i] = RefTypes.roundTo(to, (float) a);
                } else {
                    out.ints()[i] = RefTypes.wrap(to, a);
                }
                err[i] = e == 0 ? 0 : INF;
            }
        }
        return out;
    }

    // ---- unary

    private static RefTensor unary(UnaryOp op, RefTensor x) {
        DType t = unaryType(op, x.dtype());
        return switch (op) {
            case LOGICAL_NOT -> truthMap(x, true);
            case IS_FINITE -> {
                RefTensor out = RefTensor.empty(DType.BOOL, x.shape());
                for (int i = 0; i < x.size(); i++) {
                    out.ints()[i] = !x.isFloat() || Double.isFinite(x.floats()[i]) ? 1 : 0;
                    out.err()[i] = x.err()[i] == 0 ? 0 : INF;
                }
                yield out;
            }
            case ABS, NEG -> {
                if (!x.isFloat()) {
                    RefTensor out = RefTensor.empty(t, x.shape());
                    RefTensor xi = convert(x, t);
                    for (int i = 0; i < x.size(); i++) {
                        long a = xi.ints()[i];
                        out.ints()[i] = RefTypes.wrap(t, op == UnaryOp.ABS ? Math.abs(a) : -a);
                        out.err()[i] = x.err()[i];
                    }
                    yield out;
                }
                yield floatUnary(op, x, op == UnaryOp.ABS ? Math::abs : a -> -a, Monotony.LIPSCHITZ);
            }
            case ROUND, FLOOR, CEIL, TRUNC -> {
                if (!x.isFloat()) {
                    yield x;
                }
                DoubleUnaryOperator f = switch (op) {
                    case ROUND -> Math::rint;
                    case FLOOR -> Math::floor;
                    case CEIL -> Math::ceil;
                    default -> a -> a < 0 ? Math.ceil(a) : Math.floor(a);
                };
                yield floatUnary(op, x, f, Monotony.MONOTONE);
            }
            case SQRT -> floatUnary(op, convert(x, t), Math::sqrt, Monotony.MONOTONE);
            case RSQRT -> floatUnary(op, convert(x, t), a -> 1 / Math.sqrt(a), Monotony.MONOTONE);
            case LOG -> floatUnary(op, convert(x, t), Math::log, Monotony.MONOTONE);
            case EXP -> floatUnary(op, convert(x, t), Math::exp, Monotony.MONOTONE);
            case RECIPROCAL -> floatUnary(op, convert(x, t), a -> 1 / a, Monotony.POLE_AT_ZERO);
            case TANH -> floatUnary(op, convert(x, t), Math::tanh, Monotony.MONOTONE);
            case SIGMOID -> floatUnary(op, convert(x, t), a -> 1 / (1 + Math.exp(-a)), Monotony.MONOTONE);
            case ERF -> floatUnary(op, convert(x, t), RefMath::erf, Monotony.MONOTONE);
            case SIN -> floatUnary(op, convert(x, t), Math::sin, Monotony.LIPSCHITZ);
            case COS -> floatUnary(op, convert(x, t), Math::cos, Monotony.LIPSCHITZ);
        };
    }

    /** How an error in the operand reaches the result of a unary function. */
    private enum Monotony {
        /** Monotone on its domain: the result interval is [f(a-e), f(a+e)] (NaN outside the domain). */
        MONOTONE,
        /** Monotone on each side of a pole at 0. */
        POLE_AT_ZERO,
        /** |f(a) - f(b)| <= |a - b|. */
        LIPSCHITZ
    }

    private static RefTensor floatUnary(UnaryOp op, RefTensor x, DoubleUnaryOperator f, Monotony m) {
        RefTensor out = RefTensor.empty(x.dtype(), x.shape());
        Tolerances.OpTolerance tol = Tolerances.of(op);
        for (int i = 0; i < x.size(); i++) {
            double a = x.floats()[i];
            double e = x.err()[i];
            double r = f.applyAsDouble(a);
            double rf = RefTypes.f32(r);
            double prop;
            if (e == 0) {
                prop = 0;
            } else if (e == INF) {
                // Nothing is known of the operand: it may be NaN, which even a bounded function (erf, tanh) keeps.
                prop = INF;
            } else if (m == Monotony.LIPSCHITZ) {
                prop = e;
            } else if (m == Monotony.POLE_AT_ZERO && a - e <= 0 && a + e >= 0) {
                prop = INF;
            } else {
                prop = Math.max(Math.abs(f.applyAsDouble(a - e) - r), Math.abs(f.applyAsDouble(a + e) - r));
            }
            double own = Double.isFinite(r) ? tol.bound(r, a) + tol.reRounding(r, prop) : 0;
            out.floats()[i] = rf;
            out.err()[i] = settle(rf, prop + own);
        }
        return out;
    }

    /** x != 0 (or x == 0 when {@code negate}) as BOOL, unchecked where the error bound reaches 0. */
    private static RefTensor truthMap(RefTensor x, boolean negate) {
        RefTensor out = RefTensor.empty(DType.BOOL, x.shape());
        for (int i = 0; i < x.size(); i++) {
            out.ints()[i] = truth(x, i) != negate ? 1 : 0;
            out.err()[i] = truthUnsure(x, i) ? INF : 0;
        }
        return out;
    }

    private static boolean truth(RefTensor x, int i) {
        return x.isFloat() ? x.floats()[i] != 0 : x.ints()[i] != 0;
    }

    private static boolean truthUnsure(RefTensor x, int i) {
        double e = x.err()[i];
        return e != 0 && (!x.isFloat() || !(Math.abs(x.floats()[i]) > e));
    }

    // ---- binary

    private static RefTensor binary(BinaryOp op, RefTensor a0, RefTensor b0) {
        long[] shape = broadcastShapes(op, a0.shape(), b0.shape());
        int[] ia = indexMap(shape, broadcastStrides(a0.shape(), shape), 0);
        int[] ib = indexMap(shape, broadcastStrides(b0.shape(), shape), 0);
        if (op.isLogic()) {
            RefTensor out = RefTensor.empty(DType.BOOL, shape);
            for (int i = 0; i < ia.length; i++) {
                boolean x = truth(a0, ia[i]);
                boolean y = truth(b0, ib[i]);
                out.ints()[i] = (op == BinaryOp.LOGICAL_AND ? x && y : x || y) ? 1 : 0;
                out.err()[i] = truthUnsure(a0, ia[i]) || truthUnsure(b0, ib[i]) ? INF : 0;
            }
            return out;
        }
        DType p = RefTypes.promote(a0.dtype(), b0.dtype());
        if (op == BinaryOp.DIV) {
            p = RefTypes.floatOnly(p);
        }
        RefTensor a = convert(a0, p);
        RefTensor b = convert(b0, p);
        DType t = binaryType(op, p);
        RefTensor out = RefTensor.empty(t, shape);
        for (int i = 0; i < ia.length; i++) {
            double ea = a.err()[ia[i]];
            double eb = b.err()[ib[i]];
            if (a.isFloat()) {
                double x = a.floats()[ia[i]];
                double y = b.floats()[ib[i]];
                if (op.isCompare()) {
                    out.ints()[i] = compare(op, x, y) ? 1 : 0;
                    out.err()[i] = ea + eb == 0 ? 0 : Math.abs(x - y) > ea + eb ? 0 : INF;
                } else {
                    floatBinary(op, x, ea, y, eb, out, i);
                }
            } else {
                long x = a.ints()[ia[i]];
                long y = b.ints()[ib[i]];
                if (op.isCompare()) {
                    out.ints()[i] = compare(op, x == y, x, y) ? 1 : 0;
                } else {
                    out.ints()[i] = RefTypes.wrap(p, intBinary(op, p, x, y));
                }
                out.err()[i] = ea + eb == 0 ? 0 : INF;
            }
        }
        return out;
    }

    private static boolean compare(BinaryOp op, double x, double y) {
        return switch (op) {
            case EQUAL -> x == y;
            case NOT_EQUAL -> x != y;
            case GREATER -> x > y;
            case GREATER_EQUAL -> x >= y;
            case LESS -> x < y;
            case LESS_EQUAL -> x <= y;
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    private static boolean compare(BinaryOp op, boolean equal, long x, long y) {
        return switch (op) {
            case EQUAL -> equal;
            case NOT_EQUAL -> !equal;
            case GREATER -> x > y;
            case GREATER_EQUAL -> x >= y;
            case LESS -> x < y;
            case LESS_EQUAL -> x <= y;
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    private static void floatBinary(BinaryOp op, double x, double ex, double y, double ey, RefTensor out, int i) {
        double r;
        double prop;
        switch (op) {
            case ADD -> { r = x + y; prop = ex + ey; }
            case SUB -> { r = x - y; prop = ex + ey; }
            case MUL -> { r = x * y; prop = Math.abs(x) * ey + Math.abs(y) * ex + ex * ey; }
            case DIV -> {
                r = x / y;
                prop = ex + ey == 0 ? 0 : Math.abs(y) > ey ? (ex + Math.abs(r) * ey) / (Math.abs(y) - ey) : INF;
            }
            case POW -> { r = Math.pow(x, y); prop = powError(x, ex, y, ey, r); }
            case MAXIMUM -> { r = Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y); prop = Math.max(ex, ey); }
            case MINIMUM -> { r = Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y); prop = Math.max(ex, ey); }
            default -> throw new IllegalArgumentException(op.name());
        }
        double rf = RefTypes.f32(r);
        Tolerances.OpTolerance tol = Tolerances.of(op);
        double own = Double.isFinite(r) ? tol.bound(r, 0) * (op == BinaryOp.POW ? Tolerances.powScale(x, y) : 1) + tol.reRounding(r, prop) : 0;
        out.floats()[i] = rf;
        out.err()[i] = settle(rf, prop + own);
    }

    private static double powError(double a, double ea, double b, double eb, double r) {
        if (ea + eb == 0) {
            return 0;
        }
        double abs = Math.abs(a);
        boolean integerExponent = eb == 0 && b == Math.rint(b);
        if ((a < 0 && !integerExponent) || abs - ea <= 0 || !Double.isFinite(r)) {
            return INF;
        }
        double delta = Math.abs(b) * ea / (abs - ea) + Math.abs(Math.log(abs)) * eb + eb * ea / (abs - ea);
        return Math.abs(r) * Math.expm1(delta);
    }

    private static long intBinary(BinaryOp op, DType t, long x, long y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case MAXIMUM -> Math.max(x, y);
            case MINIMUM -> Math.min(x, y);
            case POW -> intPow(t, x, y);
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    /** Integer power by repeated squaring, wrapping in {@code t}; a negative exponent gives 1/a^|b| truncated. */
    static long intPow(DType t, long a, long b) {
        if (b < 0) {
            if (a == 1) {
                return 1;
            }
            if (a == -1) {
                return (b & 1) == 0 ? 1 : -1;
            }
            return 0;
        }
        long result = 1;
        long base = a;
        long e = b;
        while (e != 0) {
            if ((e & 1) != 0) {
                result = RefTypes.wrap(t == DType.BOOL ? DType.I64 : t, result * base);
            }
            base = RefTypes.wrap(t == DType.BOOL ? DType.I64 : t, base * base);
            e >>>= 1;
        }
        return result;
    }

    // ---- select, concat, oneHot, elemAny, reduce

    private static RefTensor select(RefTensor cond, RefTensor a0, RefTensor b0, Meta m) {
        RefTensor a = convert(a0, m.dtype());
        RefTensor b = convert(b0, m.dtype());
        long[] shape = m.shape();
        int[] ic = indexMap(shape, broadcastStrides(cond.shape(), shape), 0);
        int[] ia = indexMap(shape, broadcastStrides(a.shape(), shape), 0);
        int[] ib = indexMap(shape, broadcastStrides(b.shape(), shape), 0);
        RefTensor out = RefTensor.empty(m.dtype(), shape);
        for (int i = 0; i < ic.length; i++) {
            boolean c = cond.ints()[ic[i]] != 0;
            copy(c ? a : b, c ? ia[i] : ib[i], out, i);
            if (cond.err()[ic[i]] != 0) {
                // Either branch may be taken: the bound must cover both.
                double ea = a.err()[ia[i]];
                double eb = b.err()[ib[i]];
                if (a.isFloat()) {
                    double x = a.floats()[ia[i]];
                    double y = b.floats()[ib[i]];
                    out.err()[i] = x == y && ea + eb == 0 ? 0 : settle(out.floats()[i], Math.max(ea, eb) + Math.abs(x - y) + Double.MIN_VALUE);
                } else {
                    out.err()[i] = a.ints()[ia[i]] == b.ints()[ib[i]] && ea + eb == 0 ? 0 : INF;
                }
            }
        }
        return out;
    }

    private static RefTensor concat(OpSpec.Concat c, List<RefTensor> v, Meta m) {
        int axis = axis(c, c.axis(), m.shape().length);
        long outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= m.shape()[d];
        }
        long inner = 1;
        for (int d = axis + 1; d < m.shape().length; d++) {
            inner *= m.shape()[d];
        }
        RefTensor out = RefTensor.empty(m.dtype(), m.shape());
        int pos = 0;
        List<RefTensor> parts = Arrays.stream(c.xs()).mapToObj(id -> convert(v.get(id), m.dtype())).toList();
        for (long o = 0; o < outer; o++) {
            for (RefTensor part : parts) {
                int block = (int) (part.shape()[axis] * inner);
                for (int j = 0; j < block; j++) {
                    copy(part, (int) (o * block + j), out, pos++);
                }
            }
        }
        return out;
    }

    private static RefTensor oneHot(OpSpec.OneHot o, RefTensor idx, Meta m) {
        RefTensor on = constant(o.dtype(), o.on(), new long[0]);
        RefTensor off = constant(o.dtype(), o.off(), new long[0]);
        RefTensor out = RefTensor.empty(o.dtype(), m.shape());
        int depth = (int) o.depth();
        for (int i = 0; i < idx.size(); i++) {
            for (int j = 0; j < depth; j++) {
                copy(idx.ints()[i] == j ? on : off, 0, out, i * depth + j);
                out.err()[i * depth + j] = idx.err()[i] == 0 ? 0 : INF;
            }
        }
        return out;
    }

    private static RefTensor elemAny(RefTensor x) {
        RefTensor out = RefTensor.empty(DType.BOOL, new long[0]);
        boolean unsure = false;
        for (int i = 0; i < x.size(); i++) {
            if (truthUnsure(x, i)) {
                unsure = true;
            } else if (truth(x, i)) {
                out.ints()[0] = 1;
                return out;
            }
        }
        out.err()[0] = unsure ? INF : 0;
        return out;
    }

    private static RefTensor reduce(OpSpec.Reduce r, RefTensor x0, Meta m) {
        int rank = x0.shape().length;
        boolean[] reduced = reducedAxes(r, r.axes(), rank);
        boolean halfSum = r.op() == OpSpec.ReduceOp.SUM && (m.dtype() == DType.F16 || m.dtype() == DType.BF16);
        DType accType = halfSum ? DType.F32 : m.dtype();
        RefTensor x = r.op() == OpSpec.ReduceOp.SUM ? convert(x0, accType) : x0;
        long[] keptShape = reduceShape(x.shape(), reduced, true);
        long n = 1;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                n *= x.shape()[d];
            }
        }
        // Each input element's output position: strides of the kept shape, 0 along reduced axes.
        long[] outStrides = rowMajorStrides(keptShape);
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                outStrides[d] = 0;
            }
        }
        int[] target = indexMap(x.shape(), outStrides, 0);
        int outSize = Math.toIntExact(RefTensor.count(keptShape));
        double[] acc = new double[outSize];
        double[] absSum = new double[outSize];
        double[] errSum = new double[outSize];
        long[] iacc = new long[outSize];
        boolean[] any = new boolean[outSize];
        for (int i = 0; i < target.length; i++) {
            int o = target[i];
            double e = x.err()[i];
            if (x.isFloat()) {
                double a = x.floats()[i];
                switch (r.op()) {
                    case SUM -> acc[o] += a;
                    case MAX -> acc[o] = !any[o] ? a : Double.isNaN(a) || Double.isNaN(acc[o]) ? Double.NaN : Math.max(acc[o], a);
                    case MIN -> acc[o] = !any[o] ? a : Double.isNaN(a) || Double.isNaN(acc[o]) ? Double.NaN : Math.min(acc[o], a);
                }
                absSum[o] += Math.abs(a);
                errSum[o] = r.op() == OpSpec.ReduceOp.SUM ? errSum[o] + e : Math.max(errSum[o], e);
            } else {
                long a = x.ints()[i];
                switch (r.op()) {
                    case SUM -> iacc[o] = RefTypes.wrap(m.dtype(), iacc[o] + a);
                    case MAX -> iacc[o] = !any[o] ? a : Math.max(iacc[o], a);
                    case MIN -> iacc[o] = !any[o] ? a : Math.min(iacc[o], a);
                }
                errSum[o] = e != 0 ? INF : errSum[o];
            }
            any[o] = true;
        }
        RefTensor out = RefTensor.empty(accType, m.shape());
        for (int o = 0; o < outSize; o++) {
            if (!any[o] && r.op() != OpSpec.ReduceOp.SUM) {
                // max/min over nothing: no documented value.
                if (out.isFloat()) {
                    out.floats()[o] = Double.NaN;
                }
                out.err()[o] = INF;
                continue;
            }
            if (out.isFloat()) {
                double rf = RefTypes.f32(acc[o]);
                out.floats()[o] = rf;
                double bound = r.op() == OpSpec.ReduceOp.SUM
                        ? errSum[o] + (n > 1 ? Tolerances.sumBound(n, absSum[o] + errSum[o]) + RefTypes.ulp(DType.F32, Math.abs(rf) + errSum[o]) : 0)
                        : errSum[o];
                out.err()[o] = settle(rf, bound);
            } else {
                out.ints()[o] = iacc[o];
                out.err()[o] = errSum[o];
            }
        }
        // F16/BF16 sums are accumulated in F32 and cast back to the input dtype.
        return halfSum ? convert(out, m.dtype()) : out;
    }

    // ---- matmul

    /**
     * The product in float64: each element sums the K products of the operands' (F32-exact) values,
     * each exact in float64, in k order; rounded to F32 with the bound of {@link Tolerances#matmulBound}.
     */
    private static RefTensor matmul(OpSpec.MatMul mm, RefTensor a, RefTensor b) {
        long[] shape = matmulShape(mm, new Meta(a.dtype(), a.shape()), new Meta(b.dtype(), b.shape()));
        int rank = shape.length;
        int ra = a.shape().length;
        int rb = b.shape().length;
        int m = (int) shape[rank - 2];
        int n = (int) shape[rank - 1];
        int k = (int) (mm.transA() ? a.shape()[ra - 2] : a.shape()[ra - 1]);
        // Element (i, kk) of a matrix of a at i·aI + kk·aK, element (kk, j) of b at kk·bK + j·bJ.
        int aI = mm.transA() ? 1 : k;
        int aK = mm.transA() ? m : 1;
        int bK = mm.transB() ? 1 : n;
        int bJ = mm.transB() ? k : 1;
        long[] batch = Arrays.copyOf(shape, rank - 2);
        int[] aMatrix = indexMap(batch, broadcastStrides(Arrays.copyOf(a.shape(), ra - 2), batch), 0);
        int[] bMatrix = indexMap(batch, broadcastStrides(Arrays.copyOf(b.shape(), rb - 2), batch), 0);
        RefTensor out = RefTensor.empty(DType.F32, shape);
        for (int mat = 0; mat < aMatrix.length; mat++) {
            int aBase = aMatrix[mat] * m * k;
            int bBase = bMatrix[mat] * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double finiteAbsSum = 0;
                    double propagated = 0;
                    for (int kk = 0; kk < k; kk++) {
                        int ia = aBase + i * aI + kk * aK;
                        int ib = bBase + kk * bK + j * bJ;
                        double x = a.floats()[ia];
                        double y = b.floats()[ib];
                        double p = x * y;
                        sum += p;
                        if (Double.isFinite(p)) {
                            finiteAbsSum += Math.abs(p);
                        }
                        double ex = a.err()[ia];
                        double ey = b.err()[ib];
                        if (ex != 0 || ey != 0) {
                            propagated += Math.abs(x) * ey + Math.abs(y) * ex + ex * ey;
                        }
                    }
                    int o = (mat * m + i) * n + j;
                    double rf = RefTypes.f32(sum);
                    out.floats()[o] = rf;
                    out.err()[o] = productError(k, rf, finiteAbsSum, propagated);
                }
            }
        }
        return out;
    }

    /** The bound of one product element {@code rf} (F32) summed over {@code k} products. */
    private static double productError(int k, double rf, double finiteAbsSum, double propagated) {
        if ((finiteAbsSum + propagated) * (1 + k * RefTypes.U32) >= Float.MAX_VALUE) {
            // An F32 partial sum may overflow where the float64 one does not.
            return INF;
        }
        if (!Double.isFinite(rf)) {
            // An infinite or NaN operand: IEEE gives the same infinity or NaN in any summation order.
            return propagated == 0 ? 0 : INF;
        }
        double own = Tolerances.matmulBound(k, finiteAbsSum + propagated, Math.abs(rf) + propagated);
        double reRounding = k <= 1 ? Tolerances.of(BinaryOp.MUL).reRounding(rf, propagated) : 0;
        return settle(rf, propagated + own + reRounding);
    }
}
