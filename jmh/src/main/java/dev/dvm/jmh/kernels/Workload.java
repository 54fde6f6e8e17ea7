package dev.dvm.jmh.kernels;

import dev.dvm.core.Kernel;
import dev.dvm.tests.DemoKernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The benchmarked kernels and their data. Every input is either the activations {@code x} of
 * shape [s, h] with h = {@value #HIDDEN} fixed and s = elements / h dynamic, or a per-feature
 * vector of shape [h]; every kernel has one [s, h] f32 output. Input data is seeded, so every
 * fork and every peer sees the same numbers.
 */
public enum Workload {
    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    GELU(DemoKernels::geluKernel, Input.ACTIVATIONS),
    /** exp(x − max) · (1 / Σ exp(x − max)) over the last axis. */
    SOFTMAX(DemoKernels::softmaxKernel, Input.ACTIVATIONS),
    /** (x − mean)/√(var + ε)·γ + β over the last axis, ε = 1e-5. */
    LAYER_NORM(() -> DemoKernels.layerNormKernel(Workload.HIDDEN), Input.ACTIVATIONS, Input.SCALE, Input.SHIFT),
    /** x/√(mean(x²) + ε)·γ over the last axis, ε = 1e-6. */
    RMS_NORM(() -> DemoKernels.rmsNormKernel(Workload.HIDDEN), Input.ACTIVATIONS, Input.SCALE),
    /** max((a + b)·c, 0). */
    ADD_MUL_RELU(DemoKernels::addMulReluKernel, Input.ACTIVATIONS, Input.ACTIVATIONS, Input.ACTIVATIONS),
    /** Ten elementwise ops on x: max(exp(−√|1.5x + 0.25|) + x, −1)·0.5 − 0.125 (encode time only). */
    ELEMENTWISE_10(DemoKernels::elementwise10Kernel, Input.ACTIVATIONS);

    /** The fixed last dim h. */
    public static final long HIDDEN = 1024;

    /** The kinds of input a workload takes. */
    enum Input {
        /** [s, h], uniform in [-3, 3). */
        ACTIVATIONS,
        /** [h], uniform in [0.5, 1.5). */
        SCALE,
        /** [h], uniform in [-0.5, 0.5). */
        SHIFT
    }

    private final Supplier<Kernel> builder;
    private final Input[] inputs;

    Workload(Supplier<Kernel> builder, Input... inputs) {
        this.builder = builder;
        this.inputs = inputs;
    }

    /** A freshly built dvm4j kernel. */
    public Kernel kernel() {
        return builder.get();
    }

    /** The ε of a normalisation (the demo kernels' value: 1e-5 for LayerNorm, 1e-6 for RMSNorm). */
    public double epsilon() {
        return switch (this) {
            case LAYER_NORM -> DemoKernels.LAYER_NORM_EPS;
            case RMS_NORM -> DemoKernels.RMS_NORM_EPS;
            default -> throw new IllegalStateException(this + " is not a normalisation and has no ε");
        };
    }

    /** Elements of a size name: "1K", "64K", "1M", "16M" (binary multiples). */
    public static long elements(String size) {
        long unit = switch (size.charAt(size.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            default -> throw new IllegalArgumentException(
                    "size '" + size + "': write a count of K or M elements, e.g. 64K or 16M");
        };
        long elements = Long.parseLong(size.substring(0, size.length() - 1)) * unit;
        if (elements % HIDDEN != 0) {
            throw new IllegalArgumentException("size '" + size + "' is not a multiple of h = " + HIDDEN);
        }
        return elements;
    }

    /** s for {@code elements}. */
    public static long rows(long elements) {
        return elements / HIDDEN;
    }

    int inputCount() {
        return inputs.length;
    }

    /** Shapes of the inputs for s rows. */
    public long[][] inputShapes(long s) {
        return Arrays.stream(inputs)
                .map(in -> in == Input.ACTIVATIONS ? new long[] {s, HIDDEN} : new long[] {HIDDEN})
                .toArray(long[][]::new);
    }

    /** Whether input {@code slot} is a per-feature vector [h] (the rest are [s, h]). */
    boolean isFeatureVector(int slot) {
        return inputs[slot] != Input.ACTIVATIONS;
    }

    /** The seeded input data for s rows, row-major. */
    public float[][] inputData(long s) {
        float[][] data = new float[inputs.length][];
        for (int slot = 0; slot < inputs.length; slot++) {
            SplittableRandom random = new SplittableRandom(0x5EED + slot);
            Input in = inputs[slot];
            float[] d = new float[Math.toIntExact(in == Input.ACTIVATIONS ? s * HIDDEN : HIDDEN)];
            for (int i = 0; i < d.length; i++) {
                d[i] = switch (in) {
                    case ACTIVATIONS -> (float) random.nextDouble(-3, 3);
                    case SCALE -> (float) random.nextDouble(0.5, 1.5);
                    case SHIFT -> (float) random.nextDouble(-0.5, 0.5);
                };
            }
            data[slot] = d;
        }
        return data;
    }

    /** Bytes one run reads and writes (all inputs once, the output once): the basis of GB/s. */
    public long bytesMoved(long s) {
        long elements = s * HIDDEN; // the output
        for (long[] shape : inputShapes(s)) {
            elements += Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }
        return elements * Float.BYTES;
    }
}
