package dev.dvm.jmh.jit;

import dev.dvm.jmh.kernels.BenchmarkDefaults;
import dev.dvm.jmh.kernels.DvmKernelRun;
import dev.dvm.jmh.kernels.Workload;
import dev.dvm.vm.JitMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One launch of a demo kernel or the 10-op chain on [s, 1024], on a device with the JIT tier OFF
 * (the interpreter) or FORCE (every supported stage compiled before its first launch): the speedup
 * is OFF's time over FORCE's for the same kernel, size and threads. Same method as
 * {@code KernelRunBench} (average µs per launch, instance normalised and output allocated in setup).
 */
@State(Scope.Benchmark)
public class JitSpeedupBench extends BenchmarkDefaults {
    @Param({"GELU", "SOFTMAX", "LAYER_NORM", "RMS_NORM", "ADD_MUL_RELU", "ELEMENTWISE_10"})
    public Workload kernel;

    @Param({"64K", "16M"})
    public String size;

    @Param({"1", "2"})
    public int threads;

    @Param({"OFF", "FORCE"})
    public JitMode jit;

    private DvmKernelRun dvm;

    @Setup(Level.Trial)
    public void setUp() {
        dvm = new DvmKernelRun(kernel, Workload.rows(Workload.elements(size)), threads, jit);
        dvm.run();
    }

    @Benchmark
    public void run() {
        dvm.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dvm.close();
    }
}
