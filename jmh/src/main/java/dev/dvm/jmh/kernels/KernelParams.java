package dev.dvm.jmh.kernels;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The parameters shared by dvm4j's and the peers' kernel benchmarks, so that their results line up
 * in {@link Report}: the kernel, the total elements (s = size / 1024 rows of h = 1024) and the
 * threads (dvm4j device cores, ONNX Runtime intra-op threads, libtorch threads).
 */
@State(Scope.Benchmark)
public abstract class KernelParams extends BenchmarkDefaults {
    @Param({"GELU", "SOFTMAX", "LAYER_NORM", "RMS_NORM", "ADD_MUL_RELU"})
    public Workload kernel;

    @Param({"1K", "64K", "1M", "16M"})
    public String size;

    @Param({"1", "2"})
    public int threads;

    /** s for this size. */
    protected long rows() {
        return Workload.rows(Workload.elements(size));
    }
}
