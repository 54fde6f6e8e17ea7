package dev.dvm.core;

import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Shapes;
import dev.dvm.core.ir.Graph;
import dev.dvm.core.ir.Instance;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import java.util.Arrays;

/**
 * Normalisation of a graph for concrete input layouts: every node's shape from its inputs' shapes,
 * checked as it goes (declared dims, broadcasting, reshape counts, concat and split dims). Errors
 * name the op, the shapes and the fix, and end with the kernel and node they come from.
 */
final class ShapeInference {
    /** The shape of every scalar (CONST) node: one array, since it has no element to write. */
    private static final long[] SCALAR = new long[0];

    private ShapeInference() {}

    /**
     * Infers every node's shape.
     *
     * @param inputStrides element strides per input, or null (or a null entry) for contiguous
     * @param outputShapes shapes of caller-provided outputs to check, or null when outputs are allocated
     * @param outputStrides element strides per output, or null (or a null entry) for contiguous
     */
    static Instance infer(Graph graph, long[][] inputShapes, long[][] inputStrides, long[][] outputShapes, long[][] outputStrides) {
        // error texts are built only when something fails: inference runs on every cache miss
        String kernel = graph.name();
        int nIn = graph.inputs().size();
        int nOut = graph.outputs().size();
        if (inputShapes == null || inputShapes.length != nIn) {
            throw new DvmException("kernel '" + kernel + "': " + (inputShapes == null ? 0 : inputShapes.length) + " input shapes given but the kernel has "
                    + nIn + " inputs; give one shape per input");
        }
        long[][] shapes = new long[graph.nodes().size()][];
        Node product = null;
        for (Node n : graph.nodes()) {
            shapes[n.id()] = shapeOf(n, shapes, inputShapes, kernel);
            checkCount(n, shapes[n.id()], kernel);
            product = n.op() == Op.MATMUL ? n : product;
        }
        long[][] inStrides = new long[nIn][];
        for (int i = 0; i < nIn; i++) {
            long[] shape = inputShapes[i];
            inStrides[i] = strides(kernel, "input", i, shape, inputStrides == null ? null : inputStrides[i]);
        }
        if (product != null) {
            checkProduct(graph, product, shapes, inStrides, kernel);
        }
        long[][] outStrides = new long[nOut][];
        for (int i = 0; i < nOut; i++) {
            long[] shape = shapes[graph.outputs().get(i).id()];
            if (outputShapes != null && !Arrays.equals(outputShapes[i], shape)) {
                throw new DvmException("kernel '" + kernel + "' output " + i + ": shape " + Arrays.toString(outputShapes[i])
                        + " but the kernel computes " + Arrays.toString(shape) + " for these inputs; pass an output of that shape");
            }
            outStrides[i] = strides(kernel, "output", i, shape, outputStrides == null ? null : outputStrides[i]);
        }
        return new Instance(graph, shapes, inStrides, outStrides);
    }

    private static long[] strides(String kernel, String side, int index, long[] shape, long[] given) {
        if (given == null) {
            return Shapes.contiguousStrides(shape);
        }
        String what = "kernel '" + kernel + "' " + side + " " + index;
        if (given.length != shape.length) {
            throw new DvmException(what + ": " + given.length + " strides for shape " + Arrays.toString(shape) + "; give one stride per dim");
        }
        for (long s : given) {
            if (s < 0) {
                throw new DvmException(what + ": strides " + Arrays.toString(given) + " have a negative entry; strides must be >= 0");
            }
        }
        return given.clone();
    }

    private static long[] shapeOf(Node n, long[][] shapes, long[][] inputShapes, String kernel) {
        return switch (n.op()) {
            case INPUT -> inputShape(n, inputShapes, kernel);
            case CONST -> SCALAR;
            case BROADCAST -> broadcastTarget(n, shapes, kernel);
            case RESHAPE -> reshape(n, shapes[n.input(0).id()], kernel);
            case PERMUTE -> {
                long[] in = shapes[n.input(0).id()];
                int[] perm = ((Attrs.Axes) n.attrs()).axes();
                long[] out = new long[perm.length];
                for (int i = 0; i < perm.length; i++) {
                    out[i] = in[perm[i]];
                }
                yield out;
            }
            case SLICE -> {
                long[] in = shapes[n.input(0).id()];
                Attrs.Slice s = (Attrs.Slice) n.attrs();
                long[] out = new long[in.length];
                for (int i = 0; i < in.length; i++) {
                    out[i] = s.length(i, in[i]);
                }
                yield out;
            }
            case CONCAT -> concat(n, shapes, kernel);
            case SPLIT -> split(n, shapes[n.input(0).id()], kernel);
            case ONE_HOT -> {
                long[] in = shapes[n.input(0).id()];
                long[] out = Arrays.copyOf(in, in.length + 1);
                out[in.length] = ((Attrs.OneHot) n.attrs()).depth();
                yield out;
            }
            case ELEM_ANY -> reduced(shapes[n.input(0).id()], (Attrs.Reduce) n.attrs());
            case REDUCE_SUM, REDUCE_MAX, REDUCE_MIN -> reduced(shapes[n.input(0).id()], (Attrs.Reduce) n.attrs());
            case MATMUL -> ((Attrs.MatMul) n.attrs()).split() == null ? matmul(n, shapes[n.input(0).id()], shapes[n.input(1).id()], kernel)
                    : groupedMatmul(n, shapes[n.input(0).id()], shapes[n.input(1).id()], shapes[n.input(2).id()], kernel);
            default -> {
                // elementwise (unary, binary, compare, select, cast, copy) and STORE: NumPy broadcasting
                long[] out = shapes[n.input(0).id()];
                for (int i = 1; i < n.inputs().size(); i++) {
                    out = broadcast(n, out, shapes[n.input(i).id()], kernel);
                }
                yield out;
            }
        };
    }

    private static long[] inputShape(Node n, long[][] inputShapes, String kernel) {
        Attrs.Input in = (Attrs.Input) n.attrs();
        long[] shape = inputShapes[in.slot()];
        long[] dims = in.dims();
        if (shape == null) {
            throw new DvmException(inputName(kernel, in) + ": no shape given; pass a shape of rank " + dims.length);
        }
        if (shape.length != dims.length) {
            throw new DvmException(inputName(kernel, in) + ": shape " + Arrays.toString(shape) + " has rank " + shape.length + " but the input was declared "
                    + Arrays.toString(dims) + " (rank " + dims.length + "); pass a rank-" + dims.length + " shape");
        }
        for (int d = 0; d < dims.length; d++) {
            if (shape[d] < 0) {
                throw new DvmException(inputName(kernel, in) + ": shape " + Arrays.toString(shape) + " has a negative dim; dims must be >= 0");
            }
            if (dims[d] != -1 && dims[d] != shape[d]) {
                throw new DvmException(inputName(kernel, in) + ": shape " + Arrays.toString(shape) + " does not match the declared dims " + Arrays.toString(dims)
                        + ": dim " + d + " is " + shape[d] + " but must be " + dims[d] + "; pass a matching shape");
            }
        }
        return shape.clone();
    }

    private static String inputName(String kernel, Attrs.Input in) {
        return "kernel '" + kernel + "' input " + in.slot();
    }

    /** [broadcast batch dims, M, N] of a product, its K checked. */
    private static long[] matmul(Node n, long[] a, long[] b, String kernel) {
        Attrs.MatMul t = (Attrs.MatMul) n.attrs();
        int ra = a.length, rb = b.length;
        long m = a[ra - (t.transA() ? 1 : 2)], ka = a[ra - (t.transA() ? 2 : 1)];
        long kb = b[rb - (t.transB() ? 1 : 2)], nn = b[rb - (t.transB() ? 2 : 1)];
        if (ka != kb) {
            throw new DvmException("matmul: inner dims do not match: a " + Arrays.toString(a) + (t.transA() ? " (transposed)" : "") + " has K = " + ka
                    + ", b " + Arrays.toString(b) + (t.transB() ? " (transposed)" : "") + " has K = " + kb
                    + "; pass operands whose K agree, or read one transposed (transA/transB)" + where(n, kernel));
        }
        long[] batch = broadcast(n, Arrays.copyOf(a, ra - 2), Arrays.copyOf(b, rb - 2), kernel);
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = m;
        out[batch.length + 1] = nn;
        return out;
    }

    /** [M, N] (split M) or [G, M, N] (split K) of a grouped product, its K and G checked. */
    private static long[] groupedMatmul(Node n, long[] a, long[] b, long[] groups, String kernel) {
        boolean byRows = ((Attrs.MatMul) n.attrs()).split() == GroupSplit.M;
        long kb = b[b.length - 2], g = groups[0], nn = b[b.length - 1];
        if (a[1] != kb) {
            throw new DvmException("groupedMatmul: inner dims do not match: a " + Arrays.toString(a) + " has K = " + a[1] + ", b " + Arrays.toString(b)
                    + " has K = " + kb + "; pass operands whose K agree" + where(n, kernel));
        }
        if (byRows && b[0] != g) {
            throw new DvmException("groupedMatmul: b " + Arrays.toString(b) + " holds " + b[0] + " weights but the group list " + Arrays.toString(groups)
                    + " has " + g + " groups; give one weight per group" + where(n, kernel));
        }
        if (nn == 1) {
            throw new DvmException("groupedMatmul: b " + Arrays.toString(b) + " has N = 1, which the cube's grouped path does not take; "
                    + "give b a second column or run the product per group" + where(n, kernel));
        }
        return byRows ? new long[] {a[0], nn} : new long[] {g, a[0], nn};
    }

    /**
     * A MIX kernel's ops after the product keep its shape, and the cube reads each operand's
     * matrices whole: its last two dims are contiguous or a plain transpose of contiguous dims.
     */
    private static void checkProduct(Graph graph, Node product, long[][] shapes, long[][] inStrides, String kernel) {
        long[] shape = shapes[product.id()];
        boolean[] after = new boolean[graph.nodes().size()];
        after[product.id()] = true;
        for (Node n : graph.nodes()) {
            for (Node in : n.inputs()) {
                after[n.id()] |= after[in.id()];
            }
            if (after[n.id()] && !Arrays.equals(shapes[n.id()], shape)) {
                throw new DvmException(KernelBuilder.opName(n.op()) + ": gives " + Arrays.toString(shapes[n.id()]) + " from the product's "
                        + Arrays.toString(shape) + "; ops after a product in a MIX kernel keep its shape: store the product and broadcast it in a VECTOR kernel"
                        + where(n, kernel));
            }
        }
        for (int i = 0; i < 2; i++) {
            int slot = ((Attrs.Input) product.input(i).attrs()).slot();
            long[] dims = shapes[product.input(i).id()];
            long[] strides = inStrides[slot];
            int r = dims.length;
            boolean rowMajor = dense(dims[r - 1], strides[r - 1], 1) && dense(dims[r - 2], strides[r - 2], dims[r - 1]);
            boolean transposed = dense(dims[r - 2], strides[r - 2], 1) && dense(dims[r - 1], strides[r - 1], dims[r - 2]);
            if (!rowMajor && !transposed) {
                throw new DvmException("matmul: operand " + (i == 0 ? "a" : "b") + " (input " + slot + ") has shape " + Arrays.toString(dims) + " and strides "
                        + Arrays.toString(strides) + ": its last two dims are neither contiguous nor a plain transpose of contiguous dims; "
                        + "pass a contiguous tensor or a transposed view of one (and set transA/transB to read it as you mean)" + where(product, kernel));
            }
        }
        if (product.inputs().size() == 3) {
            int slot = ((Attrs.Input) product.input(2).attrs()).slot();
            if (!dense(shapes[product.input(2).id()][0], inStrides[slot][0], 1)) {
                throw new DvmException("groupedMatmul: the group list (input " + slot + ") has stride " + inStrides[slot][0]
                        + "; pass a contiguous group list" + where(product, kernel));
            }
        }
    }

    /** Whether a dim steps by {@code stride} as a dense layout needs ({@code expected}); a dim of extent 1 never steps. */
    private static boolean dense(long extent, long stride, long expected) {
        return extent <= 1 || stride == expected;
    }

    /** Where an error comes from: the kernel and the node. */
    private static String where(Node n, String kernel) {
        return " (kernel '" + kernel + "', node " + n + ")";
    }

    /** NumPy broadcasting of two shapes. */
    static long[] broadcast(Node n, long[] a, long[] b, String kernel) {
        int rank = Math.max(a.length, b.length);
        boolean isA = a.length == rank;
        boolean isB = b.length == rank;
        for (int i = 1; i <= rank; i++) {
            long da = i <= a.length ? a[a.length - i] : 1;
            long db = i <= b.length ? b[b.length - i] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new DvmException(KernelBuilder.opName(n.op()) + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast: dim " + -i + " is " + da + " vs " + db + "; make them equal or 1" + where(n, kernel));
            }
            isA &= da != 1 || db == 1;
            isB &= db != 1 || da == 1;
        }
        // an operand equal to the result stands for it, as a unary node's input does: shapes are never written
        if (isA || isB) {
            return isA ? a : b;
        }
        long[] out = new long[rank];
        for (int i = 1; i <= rank; i++) {
            long da = i <= a.length ? a[a.length - i] : 1;
            out[rank - i] = da == 1 && i <= b.length ? b[b.length - i] : da;
        }
        return out;
    }

    private static long[] broadcastTarget(Node n, long[][] shapes, String kernel) {
        long[] in = shapes[n.input(0).id()];
        long[] target;
        if (n.attrs() instanceof Attrs.Shape s) {
            target = s.dims().clone();
            int lead = target.length - in.length;
            for (int i = lead; i < target.length; i++) {
                if (target[i] == -1) {
                    target[i] = in[i - lead];
                }
            }
        } else {
            target = shapes[n.input(1).id()].clone();
        }
        int lead = target.length - in.length;
        for (int i = 0; i < in.length; i++) {
            if (in[i] != 1 && in[i] != target[i + lead]) {
                throw new DvmException("broadcast: cannot broadcast shape " + Arrays.toString(in) + " to " + Arrays.toString(target) + ": dim "
                        + (i - in.length) + " is " + in[i] + " vs " + target[i + lead] + "; a dim must equal the target's or be 1" + where(n, kernel));
            }
        }
        return target;
    }

    private static long[] reshape(Node n, long[] in, String kernel) {
        long[] target = ((Attrs.Shape) n.attrs()).dims().clone();
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0) {
                target[i] = in[i];
            }
        }
        try {
            return Tensor.inferReshape("reshape", in, count(in), target);
        } catch (DvmException e) {
            throw new DvmException(e.getMessage() + where(n, kernel));
        }
    }

    private static long[] concat(Node n, long[][] shapes, String kernel) {
        int axis = ((Attrs.Axes) n.attrs()).axes()[0];
        long[] first = shapes[n.input(0).id()];
        long[] out = first.clone();
        for (int i = 1; i < n.inputs().size(); i++) {
            long[] s = shapes[n.input(i).id()];
            for (int d = 0; d < s.length; d++) {
                if (d != axis && s[d] != first[d]) {
                    throw new DvmException("concat: input " + i + " has shape " + Arrays.toString(s) + " but input 0 has "
                            + Arrays.toString(first) + ": dim " + d + " differs (" + s[d] + " vs " + first[d] + "); all dims but axis " + axis
                            + " must be equal" + where(n, kernel));
                }
            }
            try {
                out[axis] = Math.addExact(out[axis], s[axis]);
            } catch (ArithmeticException e) {
                throw new DvmException("concat: axis " + axis + " overflows a long; concatenate fewer elements" + where(n, kernel));
            }
        }
        return out;
    }

    private static long[] split(Node n, long[] in, String kernel) {
        Attrs.Split s = (Attrs.Split) n.attrs();
        long dim = in[s.axis()];
        if (s.sizes() == null) {
            if (dim % s.parts() != 0) {
                throw new DvmException("split: axis " + s.axis() + " of shape " + Arrays.toString(in) + " is " + dim + ", which " + s.parts()
                        + " equal parts do not divide; give sizes instead, or a divisible dim" + where(n, kernel));
            }
        } else {
            long known = s.known();
            boolean inferred = Arrays.stream(s.sizes()).anyMatch(v -> v == -1);
            if (inferred ? known > dim : known != dim) {
                throw new DvmException("split: sizes " + Arrays.toString(s.sizes()) + " " + (inferred ? "exceed" : "do not sum to") + " axis "
                        + s.axis() + " of shape " + Arrays.toString(in) + " (" + dim + "); make the sizes sum to " + dim + where(n, kernel));
            }
        }
        long[] out = in.clone();
        out[s.axis()] = s.size(dim);
        return out;
    }

    private static long[] reduced(long[] in, Attrs.Reduce r) {
        boolean[] reducedAxis = new boolean[in.length];
        for (int a : r.axes()) {
            reducedAxis[a] = true;
        }
        long[] out = new long[r.keepDims() ? in.length : in.length - r.axes().length];
        int k = 0;
        for (int d = 0; d < in.length; d++) {
            if (!reducedAxis[d]) {
                out[k++] = in[d];
            } else if (r.keepDims()) {
                out[k++] = 1;
            }
        }
        return out;
    }

    private static void checkCount(Node n, long[] shape, String kernel) {
        try {
            count(shape);
        } catch (ArithmeticException e) {
            throw new DvmException(KernelBuilder.opName(n.op()) + ": shape " + Arrays.toString(shape)
                    + " has more than 2^63 elements; use smaller inputs" + where(n, kernel));
        }
    }

    private static long count(long[] shape) {
        long c = 1;
        for (long d : shape) {
            c = Math.multiplyExact(c, d);
        }
        return c;
    }
}
