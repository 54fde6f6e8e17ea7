package dev.dvm.jmh.kernels;

import dev.dvm.core.Kernel;
import dev.dvm.core.KernelCache;
import dev.dvm.core.KernelInstance;
import dev.dvm.vm.NpuSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encode time: {@link Kernel#normalize} (shape inference, tiling, UB allocation, sync events,
 * code generation and verification) of an already built kernel for [s, 1024] on
 * {@link NpuSpec#host()}, with a new s every invocation: s cycles through 1 … {@value #DISTINCT_ROWS}
 * and the kernel uses a cache of no bytes, so every invocation misses and encodes (the time
 * includes that lookup and the executable's pre-decoding). With the shared cache, 16,384 instances
 * of under 1 KiB each fit and the loop would measure hits.
 */
@State(Scope.Benchmark)
public class KernelEncodeBench extends BenchmarkDefaults {
    /** s values cycled through: 16384 rows is the 16M-element run shape. */
    static final int DISTINCT_ROWS = 16384;

    @Param({"GELU", "SOFTMAX", "LAYER_NORM", "RMS_NORM", "ADD_MUL_RELU", "ELEMENTWISE_10"})
    public Workload kernel;

    private Kernel built;
    private NpuSpec spec;
    private long[][][] shapes;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        built = kernel.kernel().useCache(new KernelCache(0));
        spec = NpuSpec.host();
        shapes = new long[DISTINCT_ROWS][][];
        for (int s = 1; s <= DISTINCT_ROWS; s++) {
            shapes[s - 1] = kernel.inputShapes(s);
        }
    }

    @Benchmark
    public KernelInstance normalize() {
        long[][] inputShapes = shapes[next];
        next = next + 1 == DISTINCT_ROWS ? 0 : next + 1;
        return built.normalize(spec, inputShapes);
    }
}
