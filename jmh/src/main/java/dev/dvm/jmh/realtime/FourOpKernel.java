package dev.dvm.jmh.realtime;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelBuilder;
import dev.dvm.core.Value;
import java.util.SplittableRandom;

/**
 * The launch-overhead workload: {@code out = relu((x + y)·z)·0.5} over F32 vectors of a dynamic
 * length n, four meta-ops (add, mul, maximum with 0, mul by 0.5), run at n = {@value #ELEMENTS}.
 * Inputs are seeded, uniform in [-3, 3), the same for dvm4j and ONNX Runtime.
 */
public final class FourOpKernel {
    /** n of the benchmarks: 1K elements. */
    public static final int ELEMENTS = 1024;
    /** The final scale. */
    public static final float SCALE = 0.5f;
    private static final int INPUTS = 3;

    private FourOpKernel() {}

    /** The dvm4j kernel, with n dynamic. */
    public static Kernel build() {
        KernelBuilder b = new KernelBuilder("add_mul_relu_scale");
        Value x = b.input(DType.F32, -1);
        Value y = b.input(DType.F32, -1);
        Value z = b.input(DType.F32, -1);
        b.output(b.mul(b.maximum(b.mul(b.add(x, y), z), 0.0), SCALE));
        return b.build();
    }

    /** x, y and z of length {@value #ELEMENTS}. */
    public static float[][] inputs() {
        SplittableRandom r = new SplittableRandom(4);
        float[][] in = new float[INPUTS][ELEMENTS];
        for (float[] v : in) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextDouble(-3, 3);
            }
        }
        return in;
    }

    /** The result in F32 arithmetic, op by op as the kernel computes it (so dvm4j must match it bit for bit). */
    public static float[] expected(float[][] in) {
        float[] out = new float[in[0].length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max((in[0][i] + in[1][i]) * in[2][i], 0f) * SCALE;
        }
        return out;
    }
}
