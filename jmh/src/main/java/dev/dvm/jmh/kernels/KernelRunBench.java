package dev.dvm.jmh.kernels;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * dvm4j run time of one kernel on [s, 1024]: the instance is normalised once in setup and its
 * output preallocated, so an invocation is one launch (bindings, tiles over {@code threads} cores,
 * loads, vector work, stores). GB/s = {@link Workload#bytesMoved} / time, computed by {@link Report}.
 */
@State(Scope.Benchmark)
public class KernelRunBench extends KernelParams {
    private DvmKernelRun dvm;

    @Setup(Level.Trial)
    public void setUp() {
        dvm = new DvmKernelRun(kernel, rows(), threads);
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
