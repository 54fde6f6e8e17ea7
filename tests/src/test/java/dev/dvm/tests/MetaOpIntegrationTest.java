package dev.dvm.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelInstance;
import dev.dvm.core.Tensor;
import dev.dvm.tests.property.KernelProperty;
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
import dev.dvm.tests.reference.TensorBridge;
import dev.dvm.tests.reference.Tolerances;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** One focused end-to-end test per meta-op and dtype family, through the public API, against the reference. */
class MetaOpIntegrationTest {
    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16};
    private static final DType[] INTS = {DType.I32, DType.I64, DType.BOOL};
    @AutoClose
    private static final KernelProperty RUNNER = new KernelProperty();

    // ---- helpers

    private static KernelSpec spec(List<InputSpec> inputs, List<OpSpec> ops, Integer... outputs) {
        return new KernelSpec("t", inputs, ops, List.of(outputs));
    }

    private static KernelSpec oneOp(OpSpec op, InputSpec... inputs) {
        return spec(List.of(inputs), List.of(op), inputs.length);
    }

    private static InputSpec in(DType t, long... dims) {
        return new InputSpec(t, dims);
    }

    /** Failures of the current test: every case of a test runs, and all failures are reported together. */
    private final List<String> failures = new ArrayList<>();

    @AfterEach
    void reportFailures() {
        if (!failures.isEmpty()) {
            fail(failures.size() + " case(s) failed:\n\n" + String.join("\n\n", failures));
        }
    }

    private void check(KernelSpec spec, RefTensor... inputs) {
        String failure;
        try {
            failure = RUNNER.checkInputs(spec, spec.build().kernel(), List.of(inputs));
        } catch (RuntimeException e) {
            failure = "threw " + e;
        }
        if (failure != null) {
            failures.add(spec + "\n  inputs " + List.of(inputs) + "\n  " + failure);
        }
    }

    /** Values in [lo, hi) for floats (with a few exact specials when {@code specials}), small ints for integer dtypes. */
    private static RefTensor data(DType t, long[] shape, double lo, double hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = Math.toIntExact(RefTensor.count(shape));
        if (RefTypes.isFloat(t)) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextDouble(lo, hi);
            }
            return RefTensor.ofFloats(t, shape, v);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = t == DType.BOOL ? r.nextInt(2) : r.nextLong((long) lo, (long) hi + 1);
        }
        return RefTensor.ofInts(t, shape, v);
    }

    private static RefTensor withSpecials(RefTensor t) {
        double[] specials = {0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5, -2.5, 1e-30};
        double[] v = t.floats().clone();
        for (int i = 0; i < Math.min(specials.length, v.length); i++) {
            v[i * 3 % v.length] = specials[i];
        }
        return RefTensor.ofFloats(t.dtype(), t.shape(), v);
    }

    private static boolean positiveDomain(UnaryOp op) {
        return op == UnaryOp.SQRT || op == UnaryOp.RSQRT || op == UnaryOp.LOG || op == UnaryOp.RECIPROCAL;
    }

    // ---- elementwise

    @Test
    void unaryOpsOnFloatDtypes() {
        for (UnaryOp op : UnaryOp.values()) {
            for (DType t : FLOATS) {
                RefTensor x = positiveDomain(op) ? data(t, new long[] {5, 37}, 0.1, 8, 1) : data(t, new long[] {5, 37}, -6, 6, 1);
                check(oneOp(new OpSpec.Unary(op, 0), in(t, -1, 37)), withSpecials(x));
            }
        }
    }

    @Test
    void unaryOpsOnIntegerAndBoolDtypes() {
        for (UnaryOp op : UnaryOp.values()) {
            for (DType t : INTS) {
                check(oneOp(new OpSpec.Unary(op, 0), in(t, -1)), data(t, new long[] {41}, -20, 20, 2));
            }
        }
    }

    @Test
    void binaryOpsOnDtypePairsWithBroadcasting() {
        DType[][] pairs = {{DType.F32, DType.F32}, {DType.F16, DType.BF16}, {DType.F16, DType.F32}, {DType.BF16, DType.I32},
            {DType.I32, DType.I32}, {DType.I64, DType.I32}, {DType.BOOL, DType.BOOL}, {DType.BOOL, DType.I64}};
        for (BinaryOp op : BinaryOp.values()) {
            for (DType[] p : pairs) {
                boolean floatPow = op == BinaryOp.POW && RefTypes.isFloat(RefTypes.promote(p[0], p[1]));
                RefTensor a = floatPow ? data(p[0], new long[] {4, 1, 6}, 0.2, 3, 3) : data(p[0], new long[] {4, 1, 6}, -5, 5, 3);
                RefTensor b = op == BinaryOp.POW ? data(p[1], new long[] {3, 1}, -3, 4, 4) : data(p[1], new long[] {3, 1}, -5, 5, 4);
                check(spec(List.of(in(p[0], -1, 1, 6), in(p[1], 3, -1)), List.of(new OpSpec.Binary(op, 0, 1)), 2), a, b);
            }
        }
    }

    @Test
    void scalarOverloads() {
        for (BinaryOp op : BinaryOp.values()) {
            for (DType t : new DType[] {DType.F32, DType.F16, DType.I32, DType.I64, DType.BOOL}) {
                boolean pow = op == BinaryOp.POW;
                RefTensor x = pow && RefTypes.isFloat(t) ? data(t, new long[] {2, 9}, 0.2, 3, 5) : data(t, new long[] {2, 9}, -4, 4, 5);
                for (Scalar s : new Scalar[] {Scalar.of(pow ? 2.0 : 1.5), Scalar.of(pow ? 3L : -2L)}) {
                    for (boolean left : new boolean[] {false, true}) {
                        check(oneOp(new OpSpec.BinaryScalar(op, 0, s, left), in(t, 2, -1)), x);
                    }
                }
            }
        }
    }

    @Test
    void selectBroadcastsAndPromotes() {
        KernelSpec s = spec(List.of(in(DType.BOOL, -1, 1), in(DType.I32, 7), in(DType.F16, -1, 7)),
                List.of(new OpSpec.Select(0, 1, 2)), 3);
        check(s, data(DType.BOOL, new long[] {5, 1}, 0, 1, 6), data(DType.I32, new long[] {7}, -9, 9, 7), data(DType.F16, new long[] {5, 7}, -3, 3, 8));
        KernelSpec nonBoolCond = spec(List.of(in(DType.F32, -1), in(DType.F32, -1), in(DType.F32, -1)), List.of(new OpSpec.Select(0, 1, 2)), 3);
        check(nonBoolCond, data(DType.F32, new long[] {9}, -1, 1, 9), data(DType.F32, new long[] {9}, -1, 1, 10), data(DType.F32, new long[] {9}, -1, 1, 11));
    }

    @Test
    void castsBetweenEveryDtypePair() {
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                RefTensor x = RefTypes.isFloat(from) ? withSpecials(data(from, new long[] {67}, -70000, 70000, 12)) : data(from, new long[] {67}, -200000, 200000, 12);
                if (from == DType.I32 || from == DType.I64) {
                    long[] v = x.ints().clone();
                    v[0] = from == DType.I32 ? Integer.MAX_VALUE : Long.MAX_VALUE;
                    v[1] = from == DType.I32 ? Integer.MIN_VALUE : (1L << 32) + 5;
                    v[2] = 16_777_217;
                    x = RefTensor.ofInts(from, x.shape(), v);
                }
                check(oneOp(new OpSpec.Cast(0, to), in(from, -1)), x);
            }
        }
    }

    // ---- layout

    @Test
    void broadcastAndFill() {
        RefTensor col = data(DType.F32, new long[] {3, 1}, -2, 2, 13);
        check(oneOp(new OpSpec.Broadcast(0, new long[] {2, -1, 5}), in(DType.F32, -1, 1)), col);
        RefTensor like = data(DType.I32, new long[] {3, 4}, -2, 2, 14);
        check(spec(List.of(in(DType.F32, -1, 1), in(DType.I32, -1, -1)), List.of(new OpSpec.BroadcastLike(0, 1)), 2), col, like);
        for (DType t : DType.values()) {
            check(spec(List.of(in(DType.I32, -1, -1)), List.of(new OpSpec.Fill(RefTypes.isFloat(t) ? 2.5 : 3, t, 0)), 1), like);
        }
    }

    @Test
    void reshapeAndPermute() {
        RefTensor x = data(DType.F32, new long[] {2, 3, 5}, -2, 2, 15);
        check(oneOp(new OpSpec.Reshape(0, new long[] {0, -1}), in(DType.F32, -1, 3, 5)), x);
        check(oneOp(new OpSpec.Reshape(0, new long[] {5, 1, -1}), in(DType.F32, -1, 3, 5)), x);
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] p : perms) {
            check(oneOp(new OpSpec.Permute(0, p), in(DType.F32, -1, -1, -1)), x);
            check(oneOp(new OpSpec.Permute(0, p), in(DType.I64, -1, -1, -1)), data(DType.I64, new long[] {17, 3, 33}, -9, 9, 16));
        }
    }

    @Test
    void slices() {
        RefTensor x = data(DType.F32, new long[] {9, 40}, -2, 2, 17);
        long max = Long.MAX_VALUE;
        long[][][] cases = {
            {{0, 0}, {max, max}, {1, 1}},
            {{1, -7}, {-1, max}, {2, 3}},
            {{-100, 5}, {100, 6}, {5, 1}},
            {{4, 39}, {2, max}, {1, 1}},
            {{0, 3}, {9, 37}, {4, 16}},
        };
        for (long[][] c : cases) {
            check(oneOp(new OpSpec.Slice(0, c[0], c[1], c[2]), in(DType.F32, -1, 40)), x);
        }
        check(oneOp(new OpSpec.Slice(0, new long[] {1}, new long[] {max}, new long[] {2}), in(DType.BF16, -1)), data(DType.BF16, new long[] {33}, -2, 2, 18));
    }

    @Test
    void concatAndSplit() {
        RefTensor a = data(DType.F32, new long[] {3, 4, 5}, -2, 2, 19);
        RefTensor b = data(DType.I32, new long[] {3, 4, 5}, -9, 9, 20);
        for (int axis = -3; axis < 3; axis++) {
            check(spec(List.of(in(DType.F32, -1, 4, 5), in(DType.I32, -1, 4, 5)), List.of(new OpSpec.Concat(axis, new int[] {0, 1, 0})), 2), a, b);
        }
        for (int axis = 0; axis < 3; axis++) {
            for (int part = 0; part < 2; part++) {
                check(oneOp(new OpSpec.Split(0, axis, new long[] {1, -1}, 0, part), in(DType.F32, -1, -1, -1)), a);
            }
        }
        check(oneOp(new OpSpec.Split(0, 2, null, 5, 3), in(DType.F32, -1, -1, 5)), a);
    }

    @Test
    void oneHotCopyElemAny() {
        RefTensor idx = data(DType.I32, new long[] {4, 6}, -2, 8, 21);
        for (DType t : DType.values()) {
            check(oneOp(new OpSpec.OneHot(0, 7, RefTypes.isFloat(t) ? 2.5 : 1, 0, t), in(DType.I32, -1, 6)), idx);
        }
        check(oneOp(new OpSpec.OneHot(0, 5, 1, 0, DType.F32), in(DType.I64, -1)), data(DType.I64, new long[] {9}, -1, 6, 22));
        check(oneOp(new OpSpec.Copy(0), in(DType.BF16, -1, 6)), data(DType.BF16, new long[] {4, 6}, -2, 2, 23));
        for (DType t : DType.values()) {
            check(oneOp(new OpSpec.ElemAny(0), in(t, -1, -1)), data(t, new long[] {3, 5}, -1, 1, 24));
            check(oneOp(new OpSpec.ElemAny(0), in(t, -1)), RefTypes.isFloat(t) ? RefTensor.ofFloats(t, new long[] {4}, new double[4]) : RefTensor.ofInts(t, new long[] {4}, new long[4]));
        }
    }

    // ---- reductions

    @Test
    void reductionsOverEveryAxisSubsetOfARank3Tensor() {
        for (DType t : new DType[] {DType.F32, DType.I32, DType.F16, DType.BOOL}) {
            RefTensor x = data(t, new long[] {5, 7, 33}, -3, 3, 25);
            for (int mask = 0; mask < 8; mask++) {
                List<Integer> axes = new ArrayList<>();
                for (int d = 0; d < 3; d++) {
                    if ((mask & 1 << d) != 0) {
                        axes.add(d);
                    }
                }
                if (axes.isEmpty()) {
                    continue;
                }
                for (ReduceOp op : ReduceOp.values()) {
                    for (boolean keep : new boolean[] {false, true}) {
                        check(oneOp(new OpSpec.Reduce(op, 0, keep, axes.stream().mapToInt(Integer::intValue).toArray()), in(t, -1, 7, -1)), x);
                    }
                }
            }
            for (ReduceOp op : ReduceOp.values()) {
                check(oneOp(new OpSpec.Reduce(op, 0, false, new int[0]), in(t, -1, 7, -1)), x);
            }
        }
    }

    @Test
    void reductionsOverRowsLongerThanATile() {
        RefTensor rows = data(DType.F32, new long[] {3, 300_000}, -1, 1, 26);
        for (ReduceOp op : ReduceOp.values()) {
            check(oneOp(new OpSpec.Reduce(op, 0, false, new int[] {-1}), in(DType.F32, -1, -1)), rows);
        }
        check(oneOp(new OpSpec.Reduce(ReduceOp.SUM, 0, true, new int[] {0}), in(DType.F32, -1, -1)), data(DType.F32, new long[] {300_000, 3}, -1, 1, 27));
        check(oneOp(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[0]), in(DType.I32, -1)), data(DType.I32, new long[] {1_000_003}, -1000, 1000, 28));
        check(oneOp(new OpSpec.Reduce(ReduceOp.MAX, 0, false, new int[0]), in(DType.F32, -1)), data(DType.F32, new long[] {1_000_003}, -1000, 1000, 29));
        // Split sums whose column blocks once followed the core count (1 core and 3 cores summed in different orders).
        check(oneOp(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[0]), in(DType.F32, -1, 73, 3)), data(DType.F32, new long[] {65, 73, 3}, -1e6, 1e6, 35));
        check(oneOp(new OpSpec.Reduce(ReduceOp.SUM, 0, true, new int[0]), in(DType.F32, 9, -1, 9, 9, 9)), data(DType.F32, new long[] {9, 2, 9, 9, 9}, -50, 50, 36));
    }

    // ---- shapes: dynamic, empty, rank 0

    @Test
    void oneKernelForSeveralDynamicShapes() {
        KernelSpec s = spec(List.of(in(DType.F32, -1, 17), in(DType.F32, 17)),
                List.of(new OpSpec.Binary(BinaryOp.MUL, 0, 1), new OpSpec.Reduce(ReduceOp.SUM, 2, false, new int[] {1})), 2, 3);
        Kernel k = s.build().kernel();
        for (long rows : new long[] {1, 3, 129, 1000}) {
            List<RefTensor> inputs = List.of(data(DType.F32, new long[] {rows, 17}, -2, 2, rows), data(DType.F32, new long[] {17}, -2, 2, 30));
            String failure = RUNNER.checkInputs(s, k, inputs);
            if (failure != null) {
                failures.add("rows " + rows + ": " + failure);
            }
        }
        KernelInstance inst = k.normalize(NpuSpec.host(), new long[] {5, 17}, new long[] {17});
        assertArrayEquals(new long[] {5, 17}, inst.inputShape(0));
        assertArrayEquals(new long[] {5}, inst.outputShape(1));
        assertTrue(inst.tiles() >= 1 && inst.bytecodeBytes() > 0);
    }

    @Test
    void emptyTensors() {
        RefTensor empty = data(DType.F32, new long[] {0, 7}, -1, 1, 31);
        check(oneOp(new OpSpec.Unary(UnaryOp.EXP, 0), in(DType.F32, -1, 7)), empty);
        check(oneOp(new OpSpec.Reduce(ReduceOp.SUM, 0, false, new int[] {0}), in(DType.F32, -1, 7)), empty);
        check(oneOp(new OpSpec.Reduce(ReduceOp.SUM, 0, true, new int[] {1}), in(DType.F32, 4, -1)), data(DType.F32, new long[] {4, 0}, -1, 1, 32));
        check(spec(List.of(in(DType.F32, -1, 7), in(DType.F32, 7)), List.of(new OpSpec.Binary(BinaryOp.ADD, 0, 1)), 2), empty, data(DType.F32, new long[] {7}, -1, 1, 33));
        // Every part empty: the output is empty but the program still needs a stage.
        check(oneOp(new OpSpec.Concat(2, new int[] {0, 0, 0}), in(DType.F32, -1, 0, 0)), data(DType.F32, new long[] {0, 0, 0}, -1, 1, 37));
        check(oneOp(new OpSpec.Concat(1, new int[] {0, 0}), in(DType.F32, -1, 0, 3)), data(DType.F32, new long[] {2, 0, 3}, -1, 1, 38));
    }

    @Test
    void rankZero() {
        RefTensor a = RefTensor.ofFloats(DType.F32, new long[0], new double[] {2.5});
        RefTensor b = data(DType.F32, new long[] {3, 4}, -1, 1, 34);
        check(spec(List.of(in(DType.F32), in(DType.F32, -1, 4)), List.of(new OpSpec.Binary(BinaryOp.MUL, 0, 1), new OpSpec.Reduce(ReduceOp.SUM, 2, false, new int[0])), 2, 3), a, b);
        check(oneOp(new OpSpec.Unary(UnaryOp.NEG, 0), in(DType.I64)), RefTensor.ofInts(DType.I64, new long[0], new long[] {7}));
        // elemAny of a rank-0 value of every dtype, zero and nonzero.
        for (DType t : DType.values()) {
            for (int v = 0; v < 2; v++) {
                RefTensor x = RefTypes.isFloat(t) ? RefTensor.ofFloats(t, new long[0], new double[] {v * -1.5})
                        : RefTensor.ofInts(t, new long[0], new long[] {v * (t == DType.BOOL ? 1 : -3)});
                check(oneOp(new OpSpec.ElemAny(0), in(t)), x);
            }
        }
    }

    // ---- matrix products (random ones: MatMulPropertyTest)

    /** matmul(a [M, K], b [K, N]) + bias [N] with every dim dynamic. */
    private static KernelSpec productWithBias(DType a, DType b) {
        return spec(List.of(in(a, -1, -1), in(b, -1, -1), in(DType.F32, -1)), List.of(new OpSpec.MatMul(0, 1, false, false, 2)), 3);
    }

    @Test
    void matmulOfEmptyAndSingleElementOperands() {
        // K = 0 leaves the bias alone; M or N = 0 an empty product; K = 1 must round a·b exactly once.
        long[][] mnks = {{0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {1, 1, 1}, {4, 3, 1}, {1, 5, 300}};
        for (long[] mnk : mnks) {
            long m = mnk[0], n = mnk[1], k = mnk[2];
            for (DType t : FLOATS) {
                check(productWithBias(t, DType.F32), data(t, new long[] {m, k}, -3, 3, m), data(DType.F32, new long[] {k, n}, -3, 3, n),
                        data(DType.F32, new long[] {n}, -1, 1, k));
            }
        }
    }

    @Test
    void matmulPropagatesSpecials() {
        // NaN, infinities and signed zeros in both operands: IEEE's NaN or infinity, the same in any order.
        RefTensor a = withSpecials(data(DType.F32, new long[] {6, 9}, -2, 2, 60));
        RefTensor b = withSpecials(data(DType.F32, new long[] {9, 7}, -2, 2, 61));
        check(productWithBias(DType.F32, DType.F32), a, b, data(DType.F32, new long[] {7}, -1, 1, 62));
    }

    /**
     * One row against a batch of transposed matrices, K over one chunk: a decode step's attention
     * scores. On 2 or more cores the split-k encoding fails its own verifier ("matmul-groups: MATMUL
     * split over k: 2 groups of gspan = 2 rows, but the stage has 2 rows"); found by the matmul fuzz.
     */
    @Test
    void matmulOfOneRowAgainstBatchedTransposedMatrices() {
        long[][] mnks = {{1, 2, 257}, {1, 3, 257}, {1, 2, 600}, {1, 64, 300}};
        for (long[] mnk : mnks) {
            long n = mnk[1], k = mnk[2];
            for (boolean transA : new boolean[] {false, true}) {
                KernelSpec s = spec(List.of(in(DType.F32, -1, -1), in(DType.F32, 2, -1, -1)),
                        List.of(new OpSpec.MatMul(0, 1, transA, true, OpSpec.MatMul.NO_BIAS)), 2);
                check(s, data(DType.F32, transA ? new long[] {k, 1} : new long[] {1, k}, -2, 2, n), data(DType.F32, new long[] {2, n, k}, -2, 2, k));
            }
        }
    }

    // ---- views

    /** Reads a (possibly strided) tensor's values into a reference tensor. */
    private static RefTensor valuesOf(Tensor t) {
        return TensorBridge.fromTensor(t);
    }

    @Test
    void stridedInputViews() {
        KernelSpec s = spec(List.of(in(DType.F32, -1, -1), in(DType.F32, -1, -1)), List.of(new OpSpec.Binary(BinaryOp.SUB, 0, 1)), 2);
        Kernel k = s.build().kernel();
        try (Arena arena = Arena.ofShared()) {
            Tensor base = TensorBridge.toTensor(arena, data(DType.F32, new long[] {8, 20}, -2, 2, 35));
            Tensor sliced = base.slice(1, 1, 20, 3);            // [8, 7], column stride 3
            Tensor permuted = TensorBridge.toTensor(arena, data(DType.F32, new long[] {7, 8}, -2, 2, 36)).permute(1, 0); // [8, 7]
            Tensor broadcast = TensorBridge.toTensor(arena, data(DType.F32, new long[] {7}, -2, 2, 37)).broadcastTo(8, 7);
            Tensor[][] pairs = {{sliced, permuted}, {permuted, broadcast}, {broadcast, sliced}};
            for (Tensor[] pair : pairs) {
                List<RefTensor> expected = ReferenceEvaluator.evaluate(s, List.of(valuesOf(pair[0]), valuesOf(pair[1])));
                Tensor[] one = {Tensor.allocate(arena, DType.F32, 8, 7)};
                Tensor[] many = {Tensor.allocate(arena, DType.F32, 8, 7)};
                k.run(RUNNER.oneCore(), pair, one);
                k.run(RUNNER.manyCores(), pair, many);
                assertNull(KernelProperty.compareOutputs(s, expected, one, many));
                assertNull(KernelProperty.compareOutputs(s, expected, k.run(RUNNER.oneCore(), arena, pair), k.run(RUNNER.manyCores(), arena, pair)));
            }
        }
    }

    @Test
    void stridedOutputViewsWriteOnlyTheirElements() {
        KernelSpec s = spec(List.of(in(DType.F32, -1, -1)), List.of(new OpSpec.Binary(BinaryOp.ADD, 0, 0)), 1);
        Kernel k = s.build().kernel();
        try (Arena arena = Arena.ofShared()) {
            RefTensor x = data(DType.F32, new long[] {6, 5}, -2, 2, 38);
            Tensor in = TensorBridge.toTensor(arena, x);
            List<RefTensor> expected = ReferenceEvaluator.evaluate(s, List.of(x));
            Tensor wide = Tensor.allocate(arena, DType.F32, 6, 10);
            Tensor everyOther = wide.slice(1, 1, 10, 2);       // [6, 5]
            k.run(RUNNER.manyCores(), new Tensor[] {in}, new Tensor[] {everyOther});
            assertNull(Tolerances.firstMismatch(expected.get(0), valuesOf(everyOther)));
            double[] all = wide.toDoubleArray();
            for (int r = 0; r < 6; r++) {
                for (int c = 0; c < 10; c += 2) {
                    assertEquals(0.0, all[r * 10 + c], "element [" + r + ", " + c + "] outside the view was written");
                }
            }
            Tensor transposed = Tensor.allocate(arena, DType.F32, 5, 6).permute(1, 0);  // [6, 5], strides (1, 6)
            k.run(RUNNER.oneCore(), new Tensor[] {in}, new Tensor[] {transposed});
            assertNull(Tolerances.firstMismatch(expected.get(0), valuesOf(transposed)));
        }
    }

    /** A transposed view and a broadcast batch view as operands: the product reads them through their strides. */
    @Test
    void matmulOperandViews() {
        KernelSpec s = spec(List.of(in(DType.F32, -1, -1, -1), in(DType.F32, -1, -1)), List.of(new OpSpec.MatMul(0, 1, false, false, OpSpec.MatMul.NO_BIAS)), 2);
        Kernel k = s.build().kernel();
        try (Arena arena = Arena.ofShared()) {
            Tensor transposed = TensorBridge.toTensor(arena, data(DType.F32, new long[] {2, 30, 20}, -2, 2, 63)).permute(0, 2, 1); // [2, 20, 30]
            Tensor broadcast = TensorBridge.toTensor(arena, data(DType.F32, new long[] {1, 20, 30}, -2, 2, 64)).broadcastTo(3, 20, 30);
            Tensor weights = TensorBridge.toTensor(arena, data(DType.F32, new long[] {30, 9}, -2, 2, 65));
            Tensor weightsTransposed = TensorBridge.toTensor(arena, data(DType.F32, new long[] {9, 30}, -2, 2, 66)).permute(1, 0);
            Tensor[][] pairs = {{transposed, weights}, {broadcast, weightsTransposed}};
            for (Tensor[] pair : pairs) {
                List<RefTensor> expected = ReferenceEvaluator.evaluate(s, List.of(valuesOf(pair[0]), valuesOf(pair[1])));
                assertNull(KernelProperty.compareOutputs(s, expected, k.run(RUNNER.oneCore(), arena, pair), k.run(RUNNER.manyCores(), arena, pair)));
            }
        }
    }
}
