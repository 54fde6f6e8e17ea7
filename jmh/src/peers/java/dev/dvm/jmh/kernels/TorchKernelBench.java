package dev.dvm.jmh.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.jni.JniUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * PyTorch eager (libtorch through DJL, CPU) running the same kernel as {@link KernelRunBench},
 * one NDArray op at a time as a PyTorch user writes it: GELU as the tanh formula (9 ops),
 * torch softmax, torch layer_norm, RMSNorm as pow/mean/add/sqrt/div/mul, add/mul/relu. Every op
 * allocates its result (eager mode has no preallocated outputs); the results are freed at the end
 * of each invocation. Intra-op threads = {@code threads}, inter-op threads = 1.
 */
@State(Scope.Benchmark)
public class TorchKernelBench extends KernelParams {
    private NDManager manager;
    private NDArray[] inputs;

    @Setup(Level.Trial)
    public void setUp() {
        // Read when the engine starts, which is below (one fork per parameter set).
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
        JniUtils.setNumThreads(threads);
        long s = rows();
        long[][] shapes = kernel.inputShapes(s);
        float[][] data = kernel.inputData(s);
        inputs = new NDArray[shapes.length];
        for (int slot = 0; slot < shapes.length; slot++) {
            inputs[slot] = manager.create(data[slot], new Shape(shapes[slot]));
        }
        float[] actual;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            actual = forward().toFloatArray();
        }
        try (DvmKernelRun dvm = new DvmKernelRun(kernel, s, threads)) {
            dvm.verify("PyTorch", actual);
        }
    }

    @Benchmark
    public void run(Blackhole blackhole) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            blackhole.consume(forward()); // eager libtorch ops have finished when they return
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    private NDArray forward() {
        return switch (kernel) {
            case GELU -> {
                NDArray x = inputs[0];
                NDArray inner = x.mul(x).mul(x).mul(0.044715f).add(x).mul((float) Math.sqrt(2 / Math.PI));
                yield x.mul(inner.tanh().add(1f)).mul(0.5f);
            }
            case SOFTMAX -> inputs[0].softmax(1);
            case LAYER_NORM -> LayerNorm.layerNorm(inputs[0], new Shape(Workload.HIDDEN), inputs[1], inputs[2],
                    (float) kernel.epsilon()).singletonOrThrow();
            case RMS_NORM -> {
                NDArray rms = inputs[0].pow(2f).mean(new int[] {1}, true).add((float) kernel.epsilon()).sqrt();
                yield inputs[0].div(rms).mul(inputs[1]);
            }
            case ADD_MUL_RELU -> Activation.relu(inputs[0].add(inputs[1]).mul(inputs[2]));
            case ELEMENTWISE_10 -> throw new IllegalArgumentException(
                    "ELEMENTWISE_10 is an encode-time workload only; pick one of the five run workloads");
        };
    }
}
