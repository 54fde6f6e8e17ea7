package dev.dvm.jmh.cube;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelBuilder;
import dev.dvm.core.KernelType;
import dev.dvm.core.Value;
import dev.dvm.jmh.kernels.OnnxModel;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The two kernels of issue 6's benchmark over f32 with K = N = {@value #K} fixed and M dynamic,
 * each as a dvm4j kernel and as an ONNX model, with their seeded inputs A [M, K], B [K, N] and,
 * for the MIX kernel, bias [N]. All are kernel inputs on both sides (none is an ONNX
 * initialiser), because dvm4j has no constant weights for ORT to pre-pack in its place.
 */
public enum CubeKernel {
    /** C = A·B: a CUBE kernel; ORT MatMul. */
    MATMUL(KernelType.CUBE),
    /**
     * C = GELU(A·B + bias), exact GELU 0.5·x·(1 + erf(x/√2)): a MIX kernel (the bias, given to
     * {@code matmul}, and GELU are the vector unit's epilogue); ORT MatMul, Add, Gelu (opset 20).
     */
    MATMUL_BIAS_GELU(KernelType.MIX);

    /** The contraction dim K, fixed. */
    public static final long K = 1024;
    /** The output columns N, fixed. */
    public static final long N = 1024;
    /** The ONNX names of A, B, bias (in kernel input order) and C. */
    static final String[] INPUT_NAMES = {"a", "b", "bias"};
    static final String OUTPUT_NAME = "c";
    /** The first opset with a Gelu op. */
    private static final int GELU_OPSET = 20;
    /**
     * Inputs are uniform in [-bound, bound): A like the kernels suite's activations, B at 1/√K so
     * that C has about unit variance and GELU works on its curved part rather than saturating.
     */
    private static final double[] INPUT_BOUNDS = {3, 1 / Math.sqrt(K), 0.5};

    private final KernelType type;

    CubeKernel(KernelType type) {
        this.type = type;
    }

    /** The dvm4j kernel type this kernel must build to. */
    public KernelType type() {
        return type;
    }

    /** A freshly built dvm4j kernel, M dynamic. */
    public Kernel dvm4jKernel() {
        KernelBuilder b = new KernelBuilder(name().toLowerCase());
        Value a = b.input(DType.F32, -1, K);
        Value weights = b.input(DType.F32, K, N);
        Value c = switch (this) {
            case MATMUL -> b.matmul(a, weights);
            case MATMUL_BIAS_GELU -> {
                Value x = b.matmul(a, weights, false, false, b.input(DType.F32, N));
                yield b.mul(b.mul(x, 0.5), b.add(b.erf(b.mul(x, 0.70710678118654752)), 1.0)); // x/√2 as x·(1/√2)
            }
        };
        b.output(c);
        return b.build();
    }

    /** The ONNX model of the same computation, M a {@code dim_param}. */
    public byte[] onnxModel() {
        OnnxModel m = new OnnxModel(GELU_OPSET);
        String product = m.op("MatMul", m.input(INPUT_NAMES[0], null, K), m.input(INPUT_NAMES[1], K, N));
        String c = switch (this) {
            case MATMUL -> product;
            case MATMUL_BIAS_GELU -> m.op("Gelu", m.op("Add", product, m.input(INPUT_NAMES[2], N)));
        };
        m.output(c, OUTPUT_NAME, null, N);
        return m.toBytes(name().toLowerCase());
    }

    /** Shapes of the inputs for M = {@code rows}: A, B and, for the MIX kernel, bias. */
    public long[][] inputShapes(long rows) {
        return switch (this) {
            case MATMUL -> new long[][] {{rows, K}, {K, N}};
            case MATMUL_BIAS_GELU -> new long[][] {{rows, K}, {K, N}, {N}};
        };
    }

    /** The seeded input data for M = {@code rows}, row-major, the same in every fork and for both sides. */
    public float[][] inputData(long rows) {
        long[][] shapes = inputShapes(rows);
        float[][] data = new float[shapes.length][];
        for (int slot = 0; slot < shapes.length; slot++) {
            SplittableRandom random = new SplittableRandom(0x5EED + slot);
            double bound = INPUT_BOUNDS[slot];
            float[] d = new float[Math.toIntExact(Arrays.stream(shapes[slot]).reduce(1, Math::multiplyExact))];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) random.nextDouble(-bound, bound);
            }
            data[slot] = d;
        }
        return data;
    }
}
