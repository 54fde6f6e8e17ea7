package dev.dvm.tests.property;

import dev.dvm.core.DType;
import dev.dvm.tests.DemoKernels;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.KernelSpec.InputSpec;
import dev.dvm.tests.reference.OpSpec;
import dev.dvm.tests.reference.OpSpec.BinaryOp;
import dev.dvm.tests.reference.OpSpec.Scalar;
import dev.dvm.tests.reference.OpSpec.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random matrix-product {@link KernelCase}s: {@code matmul(a, b)} of ranks 2 to 4 each
 * (batch dims broadcast, a batch dim of 1 on either side), transA/transB, F32/F16/BF16 operands, a
 * bias ([N], [1, N], [M, 1], [M, N] or the product's shape) given to matmul or added after it, then
 * an elementwise epilogue of 0 to 4 steps (add or mul by a scalar, ReLU, GELU via erf, SiLU as
 * x·sigmoid(x), a residual add of another input of the product's shape) and now and then a cast to
 * F16 or BF16; now and then a value before the last is stored too. Each of M, N, K and the batch
 * dims is declared dynamic or not, and a case is often normalised for two shape sets. Values are
 * {@link KernelCase.DataMode#FINITE} mostly, RANDOM (with NaN and infinities) sometimes.
 */
public final class MatMulCaseGen implements Gen<KernelCase> {
    /** How large the product is. */
    public enum Size {
        /** M, N and K up to 300 (primes, and non-multiples of 16, 64, 128 and 256 among them). */
        ORDINARY,
        /** K in the thousands (several k chunks of 256, and their tail), M and N small. */
        LONG_K,
        /** M or N of 1000 or more. */
        WIDE
    }

    /** Multiply-adds per shape set, at most: ordinary cases, then long-K and wide ones. */
    static final long ORDINARY_MACS = 2_000_000;
    static final long LARGE_MACS = 6_000_000;
    /** Product elements per shape set, at most (the epilogue runs on each). */
    static final long MAX_PRODUCT = 80_000;

    private static final long[] DIMS = {1, 2, 3, 5, 7, 13, 16, 17, 31, 33, 63, 64, 100, 127, 128, 129, 255, 256, 257, 300};
    private static final long[] LONG_KS = {1031, 2048, 2053, 4099};
    private static final long[] WIDE_DIMS = {1000, 1024, 1031};
    private static final long[] BATCH_DIMS = {1, 2, 3, 5};
    private static final DType[] FLOATS = {DType.F32, DType.F32, DType.F16, DType.BF16};
    private static final double[] SCALARS = {0.5, -1.5, 2.0, 0.125, 3.0, -0.25};
    /** Symbols of the dims: M, N, K, then the batch dims from the left. */
    private static final int M = 0, N = 1, K = 2, BATCH = 3;
    /** A dim that is always 1 (a broadcast batch dim). */
    private static final int ONE = -1;

    private final Size size;

    public MatMulCaseGen(Size size) {
        this.size = size;
    }

    @Override
    public KernelCase generate(SplittableRandom r) {
        int batchRank = size == Size.ORDINARY ? new int[] {0, 0, 1, 2}[r.nextInt(4)] : r.nextInt(2);
        long[][] values = new long[2][BATCH + batchRank];
        boolean[] dynamic = new boolean[values[0].length];
        int fixed = switch (size) {
            case ORDINARY -> -1;
            case LONG_K -> K;
            case WIDE -> r.nextBoolean() ? M : N;
        };
        boolean twoSets = r.nextInt(10) < 6;
        for (int sym = 0; sym < dynamic.length; sym++) {
            dynamic[sym] = r.nextInt(10) < 4;
            values[0][sym] = dim(r, sym, fixed);
            values[1][sym] = values[0][sym];
            if (dynamic[sym] && twoSets) {
                long other = dim(r, sym, fixed);
                values[1][sym] = other == values[0][sym] ? other + 1 : other;
            }
        }
        fit(values, size == Size.ORDINARY ? ORDINARY_MACS : LARGE_MACS, fixed);
        twoSets &= !Arrays.equals(values[0], values[1]);

        Spec spec = new Spec(values, dynamic);
        boolean transA = r.nextBoolean();
        boolean transB = r.nextBoolean();
        int[] aDims = withBatch(r, batchRank, transA ? new int[] {K, M} : new int[] {M, K});
        int[] bDims = withBatch(r, batchRank, transB ? new int[] {N, K} : new int[] {K, N});
        int[] productDims = productDims(batchRank, aDims, bDims);
        int a = spec.input(FLOATS[r.nextInt(FLOATS.length)], aDims);
        int b = spec.input(FLOATS[r.nextInt(FLOATS.length)], bDims);
        int bias = r.nextInt(10) < 4 ? spec.input(FLOATS[r.nextInt(FLOATS.length)], biasDims(r, productDims)) : OpSpec.MatMul.NO_BIAS;
        // Inputs come before ops in a KernelSpec: the residuals of the epilogue are declared first.
        int[] steps = r.ints(r.nextInt(10) < 4 ? 0 : r.nextInt(1, 5), 0, EPILOGUE_STEPS).toArray();
        int[] residuals = Arrays.stream(steps).map(step -> step == RESIDUAL_ADD ? spec.input(FLOATS[r.nextInt(FLOATS.length)], productDims) : -1).toArray();
        boolean biasInMatMul = r.nextBoolean();
        int product = spec.op(new OpSpec.MatMul(a, b, transA, transB, biasInMatMul ? bias : OpSpec.MatMul.NO_BIAS));
        int x = product;
        if (bias != OpSpec.MatMul.NO_BIAS && !biasInMatMul) {
            x = spec.op(new OpSpec.Binary(BinaryOp.ADD, x, bias));
        }
        for (int i = 0; i < steps.length; i++) {
            x = epilogueStep(r, spec, x, steps[i], residuals[i]);
        }
        if (r.nextInt(10) < 3) {
            x = spec.op(new OpSpec.Cast(x, r.nextBoolean() ? DType.F16 : DType.BF16));
        }
        // Now and then the product or a value of the epilogue is stored too.
        List<Integer> outputs = x > product && r.nextInt(5) == 0 ? List.of(x, r.nextInt(product, x)) : List.of(x);
        KernelSpec kernel = new KernelSpec("matmul", spec.inputs, spec.ops, outputs);
        List<List<long[]>> sets = twoSets ? List.of(spec.shapes(0), spec.shapes(1)) : List.of(spec.shapes(0));
        KernelCase.DataMode data = r.nextInt(100) < 15 ? KernelCase.DataMode.RANDOM : KernelCase.DataMode.FINITE;
        return new KernelCase(kernel, sets, r.nextLong(), data);
    }

    private long dim(SplittableRandom r, int sym, int fixed) {
        if (sym >= BATCH) {
            return BATCH_DIMS[r.nextInt(BATCH_DIMS.length)];
        }
        if (sym == fixed) {
            return size == Size.LONG_K ? LONG_KS[r.nextInt(LONG_KS.length)] : WIDE_DIMS[r.nextInt(WIDE_DIMS.length)];
        }
        if ((sym == M || sym == N) && r.nextInt(8) == 0) {
            // One row (a decode step) and one column take paths of their own in the cube unit.
            return 1;
        }
        // Half the dims from the list of awkward sizes, half uniform.
        return r.nextBoolean() ? DIMS[r.nextInt(DIMS.length)] : r.nextInt(1, 301);
    }

    /** Halves the largest dim but {@code fixed} (in the sets where it is largest) until both sets fit the limits. */
    private static void fit(long[][] values, long maxMacs, int fixed) {
        while (macs(values[0]) > maxMacs || macs(values[1]) > maxMacs || product(values[0]) > MAX_PRODUCT || product(values[1]) > MAX_PRODUCT) {
            int largest = -1;
            for (int sym = 0; sym < values[0].length; sym++) {
                if (sym != fixed && (largest < 0 || Math.max(values[0][sym], values[1][sym]) > Math.max(values[0][largest], values[1][largest]))) {
                    largest = sym;
                }
            }
            long top = Math.max(values[0][largest], values[1][largest]);
            for (long[] set : values) {
                set[largest] = set[largest] == top ? top / 2 + 1 : set[largest];
            }
            if (top <= 2) {
                return;
            }
        }
    }

    private static long product(long[] v) {
        long p = v[M] * v[N];
        for (int sym = BATCH; sym < v.length; sym++) {
            p *= v[sym];
        }
        return p;
    }

    private static long macs(long[] v) {
        return product(v) * v[K];
    }

    /** An operand's dims: a suffix of the batch dims (each 1 at times: broadcast), then its matrix dims. */
    private static int[] withBatch(SplittableRandom r, int batchRank, int[] matrix) {
        int rank = r.nextInt(batchRank + 1);
        int[] dims = new int[rank + 2];
        for (int d = 0; d < rank; d++) {
            int sym = BATCH + batchRank - rank + d;
            dims[d] = r.nextInt(4) == 0 ? ONE : sym;
        }
        dims[rank] = matrix[0];
        dims[rank + 1] = matrix[1];
        return dims;
    }

    /** A bias that broadcasts to the product: mostly [N], else [1, N], [M, 1], [M, N] or the whole product's dims. */
    private static int[] biasDims(SplittableRandom r, int[] productDims) {
        return switch (r.nextInt(8)) {
            case 0 -> new int[] {ONE, N};
            case 1 -> new int[] {M, ONE};
            case 2 -> new int[] {M, N};
            case 3 -> productDims;
            default -> new int[] {N};
        };
    }

    /** The product's dims: the operands' broadcast batch dims (each the symbol where either has it, else 1), then M and N. */
    private static int[] productDims(int batchRank, int[] aDims, int[] bDims) {
        int rank = Math.max(aDims.length, bDims.length);
        int[] dims = new int[rank];
        for (int d = 0; d < rank - 2; d++) {
            int sym = BATCH + batchRank - (rank - 2) + d;
            dims[d] = Arrays.stream(aDims).anyMatch(x -> x == sym) || Arrays.stream(bDims).anyMatch(x -> x == sym) ? sym : ONE;
        }
        dims[rank - 2] = M;
        dims[rank - 1] = N;
        return dims;
    }

    /** Kinds of epilogue step, drawn uniformly. */
    private static final int SCALAR_ADD_OR_MUL = 0, RELU = 1, GELU = 2, SILU = 3, RESIDUAL_ADD = 4, EPILOGUE_STEPS = 5;

    /** Epilogue step {@code kind} on {@code x} (adding input {@code residual} if it is a residual add); returns its result. */
    private static int epilogueStep(SplittableRandom r, Spec spec, int x, int kind, int residual) {
        return switch (kind) {
            case SCALAR_ADD_OR_MUL -> spec.op(new OpSpec.BinaryScalar(r.nextBoolean() ? BinaryOp.ADD : BinaryOp.MUL, x, Scalar.of(SCALARS[r.nextInt(SCALARS.length)]), false));
            case RELU -> spec.op(new OpSpec.BinaryScalar(BinaryOp.MAXIMUM, x, Scalar.of(0.0), false));
            case GELU -> DemoKernels.erfGelu(spec::op, x);
            case SILU -> spec.op(new OpSpec.Binary(BinaryOp.MUL, x, spec.op(new OpSpec.Unary(UnaryOp.SIGMOID, x))));
            case RESIDUAL_ADD -> spec.op(r.nextBoolean() ? new OpSpec.Binary(BinaryOp.ADD, x, residual) : new OpSpec.Binary(BinaryOp.ADD, residual, x));
            default -> throw new IllegalArgumentException("epilogue step " + kind);
        };
    }

    /** Inputs and ops under construction; an input's dims are symbols, declared -1 where dynamic. */
    private static final class Spec {
        final long[][] values;
        final boolean[] dynamic;
        final List<InputSpec> inputs = new ArrayList<>();
        final List<int[]> inputDims = new ArrayList<>();
        final List<OpSpec> ops = new ArrayList<>();

        Spec(long[][] values, boolean[] dynamic) {
            this.values = values;
            this.dynamic = dynamic;
        }

        /** Declares an input of {@code dims} (before any op); returns its value id. */
        int input(DType dtype, int[] dims) {
            long[] declared = Arrays.stream(dims).mapToLong(sym -> sym == ONE ? 1 : dynamic[sym] ? -1 : values[0][sym]).toArray();
            inputs.add(new InputSpec(dtype, declared));
            inputDims.add(dims);
            return inputs.size() - 1;
        }

        /** Appends {@code op}; returns its value id. */
        int op(OpSpec op) {
            ops.add(op);
            return inputs.size() + ops.size() - 1;
        }

        List<long[]> shapes(int set) {
            return inputDims.stream().map(dims -> Arrays.stream(dims).mapToLong(sym -> sym == ONE ? 1 : values[set][sym]).toArray()).toList();
        }
    }
}
