package dev.dvm.jmh.realtime;

import dev.dvm.core.Kernel;
import dev.dvm.core.KernelInstance;
import dev.dvm.jmh.kernels.BenchmarkDefaults;
import dev.dvm.tests.DemoKernels;
import dev.dvm.vm.NpuSpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encoding a new instance of the 10-op vector kernel ({@link DemoKernels#elementwise10()}): one
 * {@link Kernel#normalize(NpuSpec, long[]...)} on {@link NpuSpec#host()} for [s, 1024] with a
 * new s every invocation, as a sample-time distribution (median, p99.9) in ns.
 *
 * <p>s runs through 1 … {@value #DISTINCT_ROWS}: about a million layouts, more than the kernel cache
 * can hold (64 MiB by default at some hundred bytes an instance), so no invocation hits the cache
 * and each pays the whole per-instance path: the cache lookup (a miss), shape inference, encoding
 * (tiling numbers, UB offsets and counts patched into the kernel's template, incremental
 * verification), the executable's pre-decoding, and insertion into the cache (with the eviction of
 * the least recently used instance once it is full). The once-per-kernel preparation happens in
 * the warm-up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeNewShapeBench extends BenchmarkDefaults {
    /** Distinct s values cycled through (a power of two, so the wrap is a mask). */
    static final int DISTINCT_ROWS = 1 << 20;
    static final long HIDDEN = 1024;

    private Kernel kernel;
    private NpuSpec spec;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        kernel = DemoKernels.elementwise10Kernel();
        spec = NpuSpec.host();
    }

    @Benchmark
    public KernelInstance encode() {
        long rows = 1 + next;
        next = (next + 1) & (DISTINCT_ROWS - 1);
        return kernel.normalize(spec, new long[] {rows, HIDDEN});
    }
}
