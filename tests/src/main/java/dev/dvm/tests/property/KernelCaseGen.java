package dev.dvm.tests.property;

import dev.dvm.core.DType;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.KernelSpec.InputSpec;
import dev.dvm.tests.reference.OpSpec;
import dev.dvm.tests.reference.OpSpec.BinaryOp;
import dev.dvm.tests.reference.OpSpec.ReduceOp;
import dev.dvm.tests.reference.OpSpec.Scalar;
import dev.dvm.tests.reference.OpSpec.UnaryOp;
import dev.dvm.tests.reference.RefTensor;
import dev.dvm.tests.reference.RefTypes;
import dev.dvm.tests.reference.ReferenceEvaluator;
import dev.dvm.tests.reference.ReferenceEvaluator.Meta;
import dev.dvm.tests.reference.ReferenceException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random {@link KernelCase}s: 1 to 12 ops over random dtypes (BOOL, F16, BF16, F32, I32,
 * I64) and random shapes of rank 0 to 5 (dims 0, 1, primes, non-multiples of 16; now and then a
 * case of 1 to 4 million elements), inputs broadcasting against each other (dims of 1, missing
 * leading dims), some dims declared dynamic (-1) and the kernel normalised for one or two shape
 * sets. Every op is checked against both shape sets with the reference's shape and constant rules while it is
 * generated, so every case is a valid kernel. Operands of log, sqrt, rsqrt, reciprocal, pow's base
 * and most divisors are made positive with {@code abs(x) + 0.5} ops, keeping chains well conditioned.
 */
public final class KernelCaseGen implements Gen<KernelCase> {
    /** Largest value of an ordinary case, in elements. */
    static final long SMALL_LIMIT = 60_000;
    /** Largest value of a large case, in elements. */
    static final long LARGE_LIMIT = 4_200_000;

    private static final long[] DIMS = {0, 1, 1, 2, 3, 5, 7, 13, 17, 31, 9, 33, 100, 129, 257, 16, 64, 300, 1031};
    private static final DType[] DTYPES = {DType.F32, DType.F32, DType.F32, DType.F16, DType.BF16, DType.I32, DType.I32, DType.I64, DType.BOOL};
    private static final double[] DOUBLE_SCALARS = {0.5, -1.5, 2.0, 3.0, -0.25, 10.0, 0.0, 1.0};
    private static final long[] LONG_SCALARS = {0, 1, 2, 3, -1, 7, -5};

    private final int maxOps;

    /** Kernels of 1 to {@code maxOps} ops (helper ops that make operands positive count too). */
    public KernelCaseGen(int maxOps) {
        this.maxOps = maxOps;
    }

    @Override
    public KernelCase generate(SplittableRandom r) {
        boolean large = r.nextInt(100) < 2;
        long limit = large ? LARGE_LIMIT : SMALL_LIMIT;
        long[] base = large ? largeDims(r) : smallDims(r);
        boolean[] dynamic = new boolean[base.length];
        long[] baseB = base.clone();
        boolean twoSets = r.nextInt(10) < 7;
        for (int d = 0; d < base.length; d++) {
            dynamic[d] = r.nextBoolean();
            if (dynamic[d] && twoSets) {
                long other = large ? Math.max(1, base[d] / 2 + r.nextInt(0, 3)) : DIMS[r.nextInt(DIMS.length)];
                baseB[d] = other == base[d] ? base[d] + 1 : other;
            }
        }
        if (volume(baseB) > limit) {
            baseB = base.clone();
        }
        twoSets &= !Arrays.equals(base, baseB);

        int nInputs = r.nextInt(1, 4);
        List<InputSpec> inputs = new ArrayList<>();
        List<long[]> shapesA = new ArrayList<>();
        List<long[]> shapesB = new ArrayList<>();
        for (int i = 0; i < nInputs; i++) {
            int drop = base.length > 0 && r.nextInt(10) < 3 ? r.nextInt(1, base.length + 1) : 0;
            int rank = base.length - drop;
            long[] declared = new long[rank];
            long[] a = new long[rank];
            long[] b = new long[rank];
            for (int j = 0; j < rank; j++) {
                int d = j + drop;
                boolean one = r.nextInt(100) < 15;
                declared[j] = one ? 1 : dynamic[d] ? -1 : base[d];
                a[j] = one ? 1 : base[d];
                b[j] = one ? 1 : baseB[d];
            }
            DType t = large && i == 0 ? DType.F32 : DTYPES[r.nextInt(DTYPES.length)];
            inputs.add(new InputSpec(t, declared));
            shapesA.add(a);
            shapesB.add(b);
        }

        Builder builder = new Builder(r, inputs, shapesA, twoSets ? shapesB : null, limit, large, maxOps);
        int nOps = r.nextInt(1, maxOps + 1);
        while (builder.ops.size() < nOps && builder.attempts < 400) {
            builder.addRandomOp();
        }
        if (builder.ops.isEmpty()) {
            builder.ops.add(new OpSpec.Copy(0));
            builder.metaA.add(builder.metaA.get(0));
            if (builder.metaB != null) {
                builder.metaB.add(builder.metaB.get(0));
            }
        }
        List<Integer> outputs = new ArrayList<>();
        int last = nInputs + builder.ops.size() - 1;
        outputs.add(last);
        int extra = r.nextInt(3);
        for (int k = 0; k < extra && last > nInputs; k++) {
            int id = r.nextInt(nInputs, last);
            if (!outputs.contains(id)) {
                outputs.add(id);
            }
        }
        KernelSpec spec = new KernelSpec("random", inputs, builder.ops, outputs);
        List<List<long[]>> sets = twoSets ? List.of(shapesA, shapesB) : List.of(shapesA);
        return new KernelCase(spec, sets, r.nextLong(), KernelCase.DataMode.RANDOM);
    }

    private static long[] smallDims(SplittableRandom r) {
        int p = r.nextInt(100);
        int rank = p < 6 ? 0 : p < 26 ? 1 : p < 60 ? 2 : p < 84 ? 3 : p < 95 ? 4 : 5;
        long[] dims = new long[rank];
        for (int d = 0; d < rank; d++) {
            dims[d] = DIMS[r.nextInt(DIMS.length)];
        }
        // Keep ordinary cases small: halve the largest dim until the total fits.
        while (volume(dims) > SMALL_LIMIT / 4) {
            int big = 0;
            for (int d = 1; d < rank; d++) {
                big = dims[d] > dims[big] ? d : big;
            }
            dims[big] = dims[big] / 2 + 1;
        }
        return dims;
    }

    /**
     * Elements of {@code dims} with 0s counted as 1s: an input may take 1 where the base shape has 0
     * (a broadcast dim), so the other dims must fit the limit on their own.
     */
    static long volume(long[] dims) {
        long v = 1;
        for (long d : dims) {
            v *= Math.max(1, d);
        }
        return v;
    }

    private static long[] largeDims(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> new long[] {r.nextLong(1_000_000, 3_000_001)};
            case 1 -> new long[] {new long[] {1000, 1031, 2048, 1503}[r.nextInt(4)], new long[] {517, 1024, 1031}[r.nextInt(3)]};
            default -> new long[] {7, new long[] {400, 257}[r.nextInt(2)], new long[] {513, 1031}[r.nextInt(2)]};
        };
    }

    /** Grows the op list, checking each op on both shape sets. */
    private static final class Builder {
        final SplittableRandom r;
        final int nInputs;
        final List<OpSpec> ops = new ArrayList<>();
        final List<Meta> metaA = new ArrayList<>();
        final List<Meta> metaB;
        final long limit;
        final boolean large;
        final int maxOps;
        int attempts;

        Builder(SplittableRandom r, List<InputSpec> inputs, List<long[]> a, List<long[]> b, long limit, boolean large, int maxOps) {
            this.r = r;
            this.maxOps = maxOps;
            this.nInputs = inputs.size();
            this.limit = limit;
            this.large = large;
            for (int i = 0; i < inputs.size(); i++) {
                metaA.add(new Meta(inputs.get(i).dtype(), a.get(i)));
            }
            metaB = b == null ? null : new ArrayList<>();
            if (b != null) {
                for (int i = 0; i < inputs.size(); i++) {
                    metaB.add(new Meta(inputs.get(i).dtype(), b.get(i)));
                }
            }
        }

        int size() {
            return metaA.size();
        }

        /** Appends {@code op} if it fits both shape sets and the size limit; returns its id or -1. */
        int tryAdd(OpSpec op) {
            attempts++;
            if (ops.size() >= maxOps) {
                return -1;
            }
            try {
                Meta ma = ReferenceEvaluator.infer(op, metaA);
                Meta mb = metaB == null ? null : ReferenceEvaluator.infer(op, metaB);
                if (RefTensor.count(ma.shape()) > limit || (mb != null && RefTensor.count(mb.shape()) > limit)) {
                    return -1;
                }
                if (op instanceof OpSpec.Reduce red && red.op() != ReduceOp.SUM && (emptyReduce(red, metaA) || (mb != null && emptyReduce(red, metaB)))) {
                    return -1;
                }
                ops.add(op);
                metaA.add(ma);
                if (mb != null) {
                    metaB.add(mb);
                }
                return size() - 1;
            } catch (ReferenceException | ArithmeticException e) {
                return -1;
            }
        }

        /** max/min over an empty axis has no documented value: not generated. */
        private static boolean emptyReduce(OpSpec.Reduce red, List<Meta> metas) {
            long[] shape = metas.get(red.x()).shape();
            return RefTensor.count(shape) == 0 && shape.length > 0;
        }

        int pick() {
            // Favour recent values so chains form.
            int n = size();
            return r.nextInt(3) == 0 ? r.nextInt(n) : Math.max(0, n - 1 - r.nextInt(Math.min(n, 3)));
        }

        /** A value that broadcasts with {@code a} in both shape sets, or -1. */
        int pickCompatible(int a) {
            for (int tries = 0; tries < 8; tries++) {
                int b = r.nextInt(size());
                try {
                    ReferenceEvaluator.broadcastShapes("pick", metaA.get(a).shape(), metaA.get(b).shape());
                    if (metaB != null) {
                        ReferenceEvaluator.broadcastShapes("pick", metaB.get(a).shape(), metaB.get(b).shape());
                    }
                    return b;
                } catch (ReferenceException e) {
                    // try another
                }
            }
            return -1;
        }

        /** {@code abs(x) + 0.5}: a positive operand. Returns its id or -1. */
        int positive(int x) {
            int abs = tryAdd(new OpSpec.Unary(UnaryOp.ABS, x));
            return abs < 0 ? -1 : tryAdd(new OpSpec.BinaryScalar(BinaryOp.ADD, abs, Scalar.of(0.5), false));
        }

        void addRandomOp() {
            int x = pick();
            int p = r.nextInt(100);
            if (large && p >= 70 && p < 90) {
                p = r.nextInt(70);
            }
            if (p < 22) {
                unary(x);
            } else if (p < 48) {
                binary(x);
            } else if (p < 53) {
                int a = pickCompatible(x);
                int b = a < 0 ? -1 : pickCompatible(a);
                if (b >= 0) {
                    tryAdd(new OpSpec.Select(x, a, b));
                }
            } else if (p < 60) {
                tryAdd(new OpSpec.Cast(x, DTYPES[r.nextInt(DTYPES.length)]));
            } else if (p < 70) {
                reduce(x);
            } else if (p < 88) {
                layout(x);
            } else if (p < 91) {
                DType t = DTYPES[r.nextInt(DTYPES.length)];
                double v = RefTypes.isFloat(t) ? DOUBLE_SCALARS[r.nextInt(DOUBLE_SCALARS.length)] : LONG_SCALARS[r.nextInt(LONG_SCALARS.length)];
                tryAdd(new OpSpec.Fill(v, t, x));
            } else if (p < 94) {
                DType t = metaA.get(x).dtype();
                if (t == DType.I32 || t == DType.I64) {
                    boolean pm = r.nextBoolean();
                    DType to = DTYPES[r.nextInt(DTYPES.length)];
                    // Integer dtypes only take integral values (KernelBuilder rejects others).
                    double on = pm ? (RefTypes.isFloat(to) ? 2.5 : 3) : 1;
                    tryAdd(new OpSpec.OneHot(x, r.nextInt(1, 13), on, pm ? -1 : 0, to));
                } else {
                    tryAdd(new OpSpec.Cast(x, DType.I32));
                }
            } else if (p < 97) {
                tryAdd(new OpSpec.Copy(x));
            } else {
                tryAdd(new OpSpec.ElemAny(x));
            }
        }

        void unary(int x) {
            UnaryOp op = UnaryOp.values()[r.nextInt(UnaryOp.values().length)];
            if (op == UnaryOp.SQRT || op == UnaryOp.RSQRT || op == UnaryOp.LOG || op == UnaryOp.RECIPROCAL) {
                x = positive(x);
                if (x < 0) {
                    return;
                }
            }
            tryAdd(new OpSpec.Unary(op, x));
        }

        void binary(int a) {
            BinaryOp op = BinaryOp.values()[r.nextInt(BinaryOp.values().length)];
            boolean floatPow = op == BinaryOp.POW && RefTypes.isFloat(metaA.get(a).dtype());
            if (floatPow) {
                a = positive(a);
                if (a < 0) {
                    return;
                }
            }
            if (r.nextInt(10) < 3) {
                Scalar s = r.nextBoolean()
                        ? Scalar.of(op == BinaryOp.POW ? new double[] {2.0, 0.5, -1.0, 3.0}[r.nextInt(4)] : DOUBLE_SCALARS[r.nextInt(DOUBLE_SCALARS.length)])
                        : Scalar.of(op == BinaryOp.POW ? new long[] {0, 1, 2, 3, -1}[r.nextInt(5)] : LONG_SCALARS[r.nextInt(LONG_SCALARS.length)]);
                boolean left = op != BinaryOp.POW && r.nextInt(4) == 0;
                if (op == BinaryOp.DIV && left) {
                    a = positive(a);
                    if (a < 0) {
                        return;
                    }
                }
                tryAdd(new OpSpec.BinaryScalar(op, a, s, left));
                return;
            }
            int b = pickCompatible(a);
            if (b < 0) {
                return;
            }
            boolean intPow = op == BinaryOp.POW && !RefTypes.isFloat(RefTypes.promote(metaA.get(a).dtype(), metaA.get(b).dtype()));
            if ((op == BinaryOp.DIV && r.nextInt(10) < 8) || (op == BinaryOp.POW && !intPow && !floatPow)) {
                b = op == BinaryOp.POW ? b : positive(b);
                if (op == BinaryOp.POW) {
                    a = positive(a);
                }
                if (a < 0 || b < 0) {
                    return;
                }
            }
            if (op == BinaryOp.POW && !intPow) {
                // Keep exponents moderate: b / 2 in [-2, 2] for the random data.
                b = tryAdd(new OpSpec.BinaryScalar(BinaryOp.MUL, b, Scalar.of(0.5), false));
                if (b < 0) {
                    return;
                }
            }
            tryAdd(new OpSpec.Binary(op, a, b));
        }

        void reduce(int x) {
            int rank = metaA.get(x).shape().length;
            List<Integer> axes = new ArrayList<>();
            for (int d = 0; d < rank; d++) {
                if (r.nextBoolean()) {
                    axes.add(r.nextBoolean() ? d : d - rank);
                }
            }
            ReduceOp op = ReduceOp.values()[r.nextInt(3)];
            tryAdd(new OpSpec.Reduce(op, x, r.nextBoolean(), axes.stream().mapToInt(Integer::intValue).toArray()));
        }

        void layout(int x) {
            long[] s = metaA.get(x).shape();
            long[] sb = metaB == null ? s : metaB.get(x).shape();
            int rank = s.length;
            switch (r.nextInt(8)) {
                case 0 -> {
                    long[] dims = new long[rank + (r.nextBoolean() ? 1 : 0)];
                    Arrays.fill(dims, -1);
                    if (dims.length > rank) {
                        dims[0] = 1 + r.nextInt(3);
                    }
                    for (int d = 0; d < rank; d++) {
                        if (s[d] == 1 && sb[d] == 1 && r.nextBoolean()) {
                            dims[d + dims.length - rank] = new long[] {2, 3, 5}[r.nextInt(3)];
                        }
                    }
                    tryAdd(new OpSpec.Broadcast(x, dims));
                }
                case 1 -> {
                    int like = pickCompatible(x);
                    if (like >= 0) {
                        tryAdd(new OpSpec.BroadcastLike(x, like));
                    }
                }
                case 2 -> tryAdd(new OpSpec.Reshape(x, reshapeDims(s, sb)));
                case 3 -> {
                    List<Integer> perm = new ArrayList<>();
                    for (int d = 0; d < rank; d++) {
                        perm.add(d);
                    }
                    java.util.Collections.shuffle(perm, new java.util.Random(r.nextLong()));
                    tryAdd(new OpSpec.Permute(x, perm.stream().mapToInt(Integer::intValue).toArray()));
                }
                case 4 -> {
                    long[] begin = new long[rank];
                    long[] end = new long[rank];
                    long[] step = new long[rank];
                    for (int d = 0; d < rank; d++) {
                        long dim = s[d];
                        begin[d] = new long[] {0, 0, 1, -1, -3, dim / 2, r.nextLong(-dim - 2, dim + 3)}[r.nextInt(7)];
                        end[d] = new long[] {Long.MAX_VALUE, Long.MAX_VALUE, dim, -1, r.nextLong(-dim - 2, dim + 3)}[r.nextInt(5)];
                        step[d] = new long[] {1, 1, 1, 2, 3, 5}[r.nextInt(6)];
                    }
                    tryAdd(new OpSpec.Slice(x, begin, end, step));
                }
                case 5 -> {
                    if (rank == 0) {
                        return;
                    }
                    int axis = r.nextInt(rank);
                    int other = r.nextInt(size());
                    int[] xs = r.nextBoolean() ? new int[] {x, x} : new int[] {x, other, x};
                    tryAdd(new OpSpec.Concat(r.nextBoolean() ? axis : axis - rank, xs));
                }
                case 6 -> {
                    if (rank == 0) {
                        return;
                    }
                    int axis = r.nextInt(rank);
                    int parts = 1 + r.nextInt(3);
                    if (r.nextBoolean() && s[axis] % parts == 0 && sb[axis] % parts == 0) {
                        tryAdd(new OpSpec.Split(x, axis, null, parts, r.nextInt(parts)));
                    } else {
                        long k = r.nextLong(0, Math.min(s[axis], sb[axis]) + 1);
                        tryAdd(new OpSpec.Split(x, axis, r.nextBoolean() ? new long[] {k, -1} : new long[] {-1, k}, 0, r.nextInt(2)));
                    }
                }
                default -> tryAdd(new OpSpec.Copy(x));
            }
        }

        /** Flatten, merge two neighbours, split a dim by a small factor, or insert a unit dim. */
        private long[] reshapeDims(long[] s, long[] sb) {
            int rank = s.length;
            int choice = rank == 0 ? 3 : r.nextInt(4);
            List<Long> dims = new ArrayList<>();
            boolean inferred = false;
            switch (choice) {
                case 0 -> dims.add(-1L);
                case 1 -> {
                    int i = rank < 2 ? 0 : r.nextInt(rank - 1);
                    for (int d = 0; d < rank; d++) {
                        if (d < i) {
                            dims.add(0L);
                        } else if (d == i) {
                            dims.add(-1L);
                            inferred = true;
                            d += rank < 2 ? 0 : 1;
                        } else {
                            dims.add(s[d] == sb[d] ? s[d] : 0L);
                        }
                    }
                }
                case 2 -> {
                    int i = r.nextInt(rank);
                    long f = new long[] {2, 3, 5, 7}[r.nextInt(4)];
                    for (int d = 0; d < i; d++) {
                        dims.add(0L);
                    }
                    dims.add(f);
                    dims.add(-1L);
                    inferred = true;
                    for (int d = i + 1; d < rank; d++) {
                        dims.add(s[d]);
                    }
                }
                default -> {
                    int i = r.nextInt(rank + 1);
                    for (int d = 0; d < i; d++) {
                        dims.add(0L);
                    }
                    dims.add(1L);
                    for (int d = i; d < rank; d++) {
                        dims.add(!inferred && s[d] != sb[d] ? -1L : s[d]);
                        inferred |= s[d] != sb[d];
                    }
                }
            }
            return dims.stream().mapToLong(Long::longValue).toArray();
        }
    }
}
