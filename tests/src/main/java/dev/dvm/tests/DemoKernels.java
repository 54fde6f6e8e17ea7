package dev.dvm.tests;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.KernelSpec.InputSpec;
import dev.dvm.tests.reference.OpSpec;
import dev.dvm.tests.reference.OpSpec.BinaryOp;
import dev.dvm.tests.reference.OpSpec.ReduceOp;
import dev.dvm.tests.reference.OpSpec.Scalar;
import dev.dvm.tests.reference.OpSpec.UnaryOp;
import dev.dvm.tests.reference.RefMath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The demo kernels, over an F32 input {@code x} of shape {@code [s, h]} with {@code s} dynamic,
 * each as a {@link KernelSpec} (build it with {@link KernelSpec#build()}, or use the
 * {@code *Kernel} shortcuts; evaluate it with the reference evaluator) and with a plain float64
 * reference function over row-major arrays. Used by the demo, the tests and the JMH benchmarks.
 *
 * <ul>
 *   <li>{@link #gelu()}: tanh-GELU, {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}; h dynamic too.
 *   <li>{@link #softmax()}: softmax over the last axis, max-subtracted; h dynamic too.
 *   <li>{@link #layerNorm(long)}: LayerNorm over the last axis of {@code [s, h]}, inputs x, gamma[h], beta[h], eps 1e-5.
 *   <li>{@link #rmsNorm(long)}: RMSNorm over the last axis, inputs x, gamma[h], eps 1e-6.
 *   <li>{@link #addMulRelu()}: {@code relu((x + y) · z)} with y and z of x's shape; h dynamic too.
 *   <li>{@link #elementwise10()}: a chain of 10 elementwise ops on x, for encode-time measurements.
 *   <li>{@link #matmulGelu(long, long)}: GELU (erf form) of x[s, k]·W[k, n] + bias[n], a MIX kernel.
 * </ul>
 * The norms take h when built because their means divide by it. {@link #demo(long)} lists the
 * kernels {@code ./dvm demo} runs and {@link #shapes} gives their inputs' shapes.
 */
public final class DemoKernels {
    private DemoKernels() {}

    /** √(2/π). */
    public static final double GELU_C = Math.sqrt(2 / Math.PI);
    public static final double GELU_A = 0.044715;
    public static final double LAYER_NORM_EPS = 1e-5;
    public static final double RMS_NORM_EPS = 1e-6;
    /** K and N of the demo's product x[s, K]·W[K, N]. */
    public static final long MATMUL_K = 1024, MATMUL_N = 1024;

    /** Builds specs op by op; value ids are returned by each call. */
    private static final class SpecBuilder {
        final String name;
        final List<InputSpec> inputs = new ArrayList<>();
        final List<OpSpec> ops = new ArrayList<>();

        SpecBuilder(String name) {
            this.name = name;
        }

        int input(long... dims) {
            inputs.add(new InputSpec(DType.F32, dims));
            return inputs.size() - 1;
        }

        int op(OpSpec op) {
            ops.add(op);
            return inputs.size() + ops.size() - 1;
        }

        int bin(BinaryOp op, int a, int b) {
            return op(new OpSpec.Binary(op, a, b));
        }

        int bin(BinaryOp op, int a, double s) {
            return op(new OpSpec.BinaryScalar(op, a, Scalar.of(s), false));
        }

        int un(UnaryOp op, int x) {
            return op(new OpSpec.Unary(op, x));
        }

        int reduceLast(ReduceOp op, int x) {
            return op(new OpSpec.Reduce(op, x, true, new int[] {-1}));
        }

        KernelSpec done(int output) {
            return new KernelSpec(name, inputs, ops, List.of(output));
        }
    }

    /** tanh-GELU of x[s, h]. */
    public static KernelSpec gelu() {
        SpecBuilder b = new SpecBuilder("gelu");
        int x = b.input(-1, -1);
        int x3 = b.bin(BinaryOp.MUL, b.bin(BinaryOp.MUL, x, x), x);
        int inner = b.bin(BinaryOp.ADD, x, b.bin(BinaryOp.MUL, x3, GELU_A));
        int t = b.un(UnaryOp.TANH, b.bin(BinaryOp.MUL, inner, GELU_C));
        return b.done(b.bin(BinaryOp.MUL, b.bin(BinaryOp.MUL, x, 0.5), b.bin(BinaryOp.ADD, t, 1.0)));
    }

    /**
     * Softmax of x[s, h] over h: exp(x - max) · (1 / Σ exp(x - max)), the sum's reciprocal taken
     * once per row and multiplied in, as ONNX Runtime's and PyTorch's CPU kernels compute it (a
     * division per element costs 7% of the kernel's time in the JIT tier; the product is within
     * one rounding of the quotient, and the demo checks it against the exact quotient).
     */
    public static KernelSpec softmax() {
        SpecBuilder b = new SpecBuilder("softmax");
        int x = b.input(-1, -1);
        int e = b.un(UnaryOp.EXP, b.bin(BinaryOp.SUB, x, b.reduceLast(ReduceOp.MAX, x)));
        return b.done(b.bin(BinaryOp.MUL, e, b.un(UnaryOp.RECIPROCAL, b.reduceLast(ReduceOp.SUM, e))));
    }

    /**
     * LayerNorm of x[s, h] over h with gamma[h], beta[h]: (x - mean)/√(var + 1e-5)·gamma + beta,
     * with both statistics from one pass over the row as ONNX Runtime's CPU kernel computes them,
     * var = mean(x²) − mean², here clamped at 0 so that rounding cannot make it negative. (The
     * two-pass variance, mean((x − mean)²), reads every row once more and ran at half the memory
     * bandwidth; {@link #layerNormReference} computes it exactly, so the demo's check covers the
     * one-pass form's rounding.)
     */
    public static KernelSpec layerNorm(long h) {
        SpecBuilder b = new SpecBuilder("layer_norm");
        int x = b.input(-1, h);
        int gamma = b.input(h);
        int beta = b.input(h);
        int mean = b.bin(BinaryOp.MUL, b.reduceLast(ReduceOp.SUM, x), 1.0 / h);
        int meanOfSquares = b.bin(BinaryOp.MUL, b.reduceLast(ReduceOp.SUM, b.bin(BinaryOp.MUL, x, x)), 1.0 / h);
        int var = b.bin(BinaryOp.MAXIMUM, b.bin(BinaryOp.SUB, meanOfSquares, b.bin(BinaryOp.MUL, mean, mean)), 0.0);
        int xc = b.bin(BinaryOp.SUB, x, mean);
        int y = b.bin(BinaryOp.MUL, xc, b.un(UnaryOp.RSQRT, b.bin(BinaryOp.ADD, var, LAYER_NORM_EPS)));
        return b.done(b.bin(BinaryOp.ADD, b.bin(BinaryOp.MUL, y, gamma), beta));
    }

    /** RMSNorm of x[s, h] over h with gamma[h]: x/√(mean(x²) + 1e-6)·gamma. */
    public static KernelSpec rmsNorm(long h) {
        SpecBuilder b = new SpecBuilder("rms_norm");
        int x = b.input(-1, h);
        int gamma = b.input(h);
        int ms = b.bin(BinaryOp.MUL, b.reduceLast(ReduceOp.SUM, b.bin(BinaryOp.MUL, x, x)), 1.0 / h);
        int y = b.bin(BinaryOp.MUL, x, b.un(UnaryOp.RSQRT, b.bin(BinaryOp.ADD, ms, RMS_NORM_EPS)));
        return b.done(b.bin(BinaryOp.MUL, y, gamma));
    }

    /** relu((x + y)·z), all three [s, h]. */
    public static KernelSpec addMulRelu() {
        SpecBuilder b = new SpecBuilder("add_mul_relu");
        int x = b.input(-1, -1);
        int y = b.input(-1, -1);
        int z = b.input(-1, -1);
        return b.done(b.bin(BinaryOp.MAXIMUM, b.bin(BinaryOp.MUL, b.bin(BinaryOp.ADD, x, y), z), 0.0));
    }

    /** Ten elementwise ops: ((exp(-√|1.5x + 0.25|) + x) max -1)·0.5 - 0.125, as written below. */
    public static KernelSpec elementwise10() {
        SpecBuilder b = new SpecBuilder("elementwise10");
        int x = b.input(-1, -1);
        int v = b.bin(BinaryOp.MUL, x, 1.5);
        v = b.bin(BinaryOp.ADD, v, 0.25);
        v = b.un(UnaryOp.ABS, v);
        v = b.un(UnaryOp.SQRT, v);
        v = b.un(UnaryOp.NEG, v);
        v = b.un(UnaryOp.EXP, v);
        v = b.bin(BinaryOp.ADD, v, x);
        v = b.bin(BinaryOp.MAXIMUM, v, -1.0);
        v = b.bin(BinaryOp.MUL, v, 0.5);
        return b.done(b.bin(BinaryOp.SUB, v, 0.125));
    }

    /** GELU of x[s, k]·W[k, n] + bias[n] in its erf form (PyTorch's default): product, bias and GELU in one MIX kernel. */
    public static KernelSpec matmulGelu(long k, long n) {
        SpecBuilder b = new SpecBuilder("matmul_gelu");
        int x = b.input(-1, k);
        int w = b.input(k, n);
        int bias = b.input(n);
        return b.done(erfGelu(b::op, b.op(new OpSpec.MatMul(x, w, false, false, bias))));
    }

    /**
     * Appends GELU of value {@code x} in its erf form, 0.5·x·(1 + erf(x/√2)), through {@code append}
     * (which adds an op and returns its value id); returns the GELU's value id.
     */
    public static int erfGelu(ToIntFunction<OpSpec> append, int x) {
        int erf = append.applyAsInt(new OpSpec.Unary(UnaryOp.ERF, append.applyAsInt(new OpSpec.BinaryScalar(BinaryOp.MUL, x, Scalar.of(Math.sqrt(0.5)), false))));
        int half = append.applyAsInt(new OpSpec.BinaryScalar(BinaryOp.MUL, x, Scalar.of(0.5), false));
        return append.applyAsInt(new OpSpec.Binary(BinaryOp.MUL, half, append.applyAsInt(new OpSpec.BinaryScalar(BinaryOp.ADD, erf, Scalar.of(1.0), false))));
    }

    /** The kernels {@code ./dvm demo} runs, by name; the norms over rows of {@code h}. */
    public static Map<String, KernelSpec> demo(long h) {
        Map<String, KernelSpec> kernels = new LinkedHashMap<>();
        for (KernelSpec k : List.of(gelu(), softmax(), layerNorm(h), rmsNorm(h), addMulRelu(), matmulGelu(MATMUL_K, MATMUL_N))) {
            kernels.put(k.name(), k);
        }
        return kernels;
    }

    /** Shapes of {@code spec}'s inputs for {@code rows} rows: a dynamic leading dim is {@code rows}, any other dynamic dim {@code h}. */
    public static long[][] shapes(KernelSpec spec, long rows, long h) {
        return spec.inputs().stream().map(in -> {
            long[] shape = in.dims().clone();
            for (int d = 0; d < shape.length; d++) {
                shape[d] = shape[d] != -1 ? shape[d] : d == 0 ? rows : h;
            }
            return shape;
        }).toArray(long[][]::new);
    }

    public static Kernel geluKernel() {
        return gelu().build().kernel();
    }

    public static Kernel softmaxKernel() {
        return softmax().build().kernel();
    }

    public static Kernel layerNormKernel(long h) {
        return layerNorm(h).build().kernel();
    }

    public static Kernel rmsNormKernel(long h) {
        return rmsNorm(h).build().kernel();
    }

    public static Kernel addMulReluKernel() {
        return addMulRelu().build().kernel();
    }

    public static Kernel elementwise10Kernel() {
        return elementwise10().build().kernel();
    }

    // ---- plain float64 references over row-major [s, h] arrays

    public static double[] geluReference(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            out[i] = 0.5 * v * (1 + Math.tanh(GELU_C * (v + GELU_A * v * v * v)));
        }
        return out;
    }

    public static double[] softmaxReference(float[] x, int h) {
        double[] out = new double[x.length];
        for (int row = 0; row < x.length / Math.max(h, 1); row++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < h; c++) {
                max = Math.max(max, x[row * h + c]);
            }
            double sum = 0;
            for (int c = 0; c < h; c++) {
                out[row * h + c] = Math.exp(x[row * h + c] - max);
                sum += out[row * h + c];
            }
            for (int c = 0; c < h; c++) {
                out[row * h + c] /= sum;
            }
        }
        return out;
    }

    public static double[] layerNormReference(float[] x, float[] gamma, float[] beta, int h) {
        double[] out = new double[x.length];
        for (int row = 0; row < x.length / Math.max(h, 1); row++) {
            double mean = 0;
            for (int c = 0; c < h; c++) {
                mean += x[row * h + c];
            }
            mean /= h;
            double var = 0;
            for (int c = 0; c < h; c++) {
                double d = x[row * h + c] - mean;
                var += d * d;
            }
            var /= h;
            double inv = 1 / Math.sqrt(var + LAYER_NORM_EPS);
            for (int c = 0; c < h; c++) {
                out[row * h + c] = (x[row * h + c] - mean) * inv * gamma[c] + beta[c];
            }
        }
        return out;
    }

    public static double[] rmsNormReference(float[] x, float[] gamma, int h) {
        double[] out = new double[x.length];
        for (int row = 0; row < x.length / Math.max(h, 1); row++) {
            double ms = 0;
            for (int c = 0; c < h; c++) {
                ms += (double) x[row * h + c] * x[row * h + c];
            }
            double inv = 1 / Math.sqrt(ms / h + RMS_NORM_EPS);
            for (int c = 0; c < h; c++) {
                out[row * h + c] = x[row * h + c] * inv * gamma[c];
            }
        }
        return out;
    }

    public static double[] addMulReluReference(float[] x, float[] y, float[] z) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.max(((double) x[i] + y[i]) * z[i], 0);
        }
        return out;
    }

    public static double[] elementwise10Reference(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = Math.exp(-Math.sqrt(Math.abs(x[i] * 1.5 + 0.25)));
            out[i] = Math.max(v + x[i], -1) * 0.5 - 0.125;
        }
        return out;
    }

    /** gelu(x·w + bias) (erf form) of x[s, k], w[k, n], bias[n]. */
    public static double[] matmulGeluReference(float[] x, float[] w, float[] bias, int k, int n) {
        int rows = x.length / Math.max(k, 1);
        double[] out = new double[rows * n];
        for (int row = 0; row < rows; row++) {
            for (int j = 0; j < n; j++) {
                double v = bias[j];
                for (int c = 0; c < k; c++) {
                    v += (double) x[row * k + c] * w[c * n + j];
                }
                out[row * n + j] = 0.5 * v * (1 + RefMath.erf(v / Math.sqrt(2)));
            }
        }
        return out;
    }
}
