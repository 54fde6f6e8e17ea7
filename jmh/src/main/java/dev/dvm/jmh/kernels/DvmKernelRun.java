package dev.dvm.jmh.kernels;

import dev.dvm.core.DType;
import dev.dvm.core.KernelInstance;
import dev.dvm.core.Tensor;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;

/**
 * One workload on dvm4j, ready to run: a device of {@code cores} cores, the kernel normalised once
 * for [s, h], the seeded inputs and a preallocated output. The run benchmark times {@link #run};
 * the peer benchmarks use {@link #verify} to prove they compute the same thing; the JIT suite
 * ({@code dev.dvm.jmh.jit}) runs it with a given {@link JitMode}.
 */
public final class DvmKernelRun implements AutoCloseable {
    private final Workload workload;
    private final Arena arena = Arena.ofShared();
    private final Device device;
    private final KernelInstance instance;
    private final Tensor[] inputs;
    private final Tensor[] outputs;

    DvmKernelRun(Workload workload, long s, int cores) {
        this(workload, s, cores, JitMode.fromSystemProperty());
    }

    /** The workload for s rows on a device of {@code cores} cores in JIT mode {@code jit}. */
    public DvmKernelRun(Workload workload, long s, int cores, JitMode jit) {
        this.workload = workload;
        device = new Device(NpuSpec.host().withCores(cores), Device.Options.defaults().withJit(jit));
        long[][] shapes = workload.inputShapes(s);
        float[][] data = workload.inputData(s);
        inputs = new Tensor[shapes.length];
        for (int slot = 0; slot < shapes.length; slot++) {
            inputs[slot] = Tensor.of(arena, data[slot], shapes[slot]);
        }
        instance = workload.kernel().normalize(device.spec(), shapes);
        outputs = new Tensor[] {Tensor.allocate(arena, DType.F32, instance.outputShape(0))};
    }

    /** One launch of the normalised instance. */
    public void run() {
        instance.run(device, inputs, outputs);
    }

    /**
     * Runs dvm4j once and compares {@code peer}'s output with it: prints the largest absolute
     * difference and fails when an element differs by more than 1e-5 + 1e-3·|dvm4j| (different
     * exp/tanh approximations and summation orders stay far below; a different formula does not).
     */
    void verify(String peer, float[] actual) {
        run();
        float[] expected = outputs[0].toFloatArray();
        if (expected.length != actual.length) {
            throw new IllegalStateException(peer + " " + workload + ": " + actual.length
                    + " output elements, dvm4j has " + expected.length);
        }
        double maxDiff = 0;
        int worst = 0;
        boolean mismatch = false;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            if (!(diff <= 1e-5 + 1e-3 * Math.abs(expected[i]))) {
                mismatch = true;
            }
            if (!(diff <= maxDiff)) {
                maxDiff = diff;
                worst = i;
            }
        }
        String line = peer + " vs dvm4j, " + workload + " [" + expected.length / Workload.HIDDEN + ", "
                + Workload.HIDDEN + "]: max abs diff " + maxDiff + " at " + worst + " (dvm4j " + expected[worst]
                + ", " + peer + " " + actual[worst] + ")";
        System.out.println(line);
        if (mismatch) {
            throw new IllegalStateException("outputs differ: " + line);
        }
    }

    /** The output after the last {@link #run}. */
    public float[] output() {
        return outputs[0].toFloatArray();
    }

    @Override
    public void close() {
        device.close();
        arena.close();
    }
}
