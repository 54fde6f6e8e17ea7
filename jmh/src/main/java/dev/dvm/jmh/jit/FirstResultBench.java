package dev.dvm.jmh.jit;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelCache;
import dev.dvm.core.Tensor;
import dev.dvm.jmh.kernels.BenchmarkDefaults;
import dev.dvm.jmh.kernels.Workload;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to the first result of a new program: a fresh device and a freshly built kernel (with a cache
 * of its own, so nothing is encoded yet) run once on [s, 1024], encode included, with the JIT tier
 * AUTO or OFF, or its second launch right after the first. The issue wants both equal: AUTO never
 * waits for a compilation. At 64K the first launch is below both thresholds; at 16M it crosses the
 * element threshold, so AUTO queues the compilation when it ends, and the second launch runs
 * (interpreted) while the background thread generates and warms up the class.
 *
 * <p>Single-shot: each invocation gets a new device and kernel in its setup, once the background
 * thread is idle, preceded by {@link System#gc()} so that the class compiled for the previous invocation's program (held only
 * weakly once that program is dropped) is unloaded and AUTO really starts from the interpreter.
 * The warm-up invocations let C2 compile the encoder and the interpreter, so the figure is a new
 * program's in a running service, not a cold JVM's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 20)
@Measurement(iterations = 30)
public class FirstResultBench extends BenchmarkDefaults {
    @Param({"GELU", "SOFTMAX", "LAYER_NORM", "RMS_NORM", "ADD_MUL_RELU", "ELEMENTWISE_10"})
    public Workload kernel;

    @Param({"64K", "16M"})
    public String size;

    @Param({"1", "2"})
    public int threads;

    @Param({"OFF", "AUTO"})
    public JitMode jit;

    /** Which launch of the new program is timed: the first, or the second right after it (while AUTO compiles). */
    @Param({"1", "2"})
    public int launch;

    /** A span without JVM compilation that counts as the compiler threads being idle. */
    private static final long QUIET_MILLIS = 50;

    private Arena arena;
    private Tensor[] inputs;
    private Tensor[] outputs;
    private Device device;
    private Kernel fresh;

    @Setup(Level.Trial)
    public void allocate() {
        arena = Arena.ofShared();
        long s = Workload.rows(Workload.elements(size));
        long[][] shapes = kernel.inputShapes(s);
        float[][] data = kernel.inputData(s);
        inputs = new Tensor[shapes.length];
        for (int slot = 0; slot < shapes.length; slot++) {
            inputs[slot] = Tensor.of(arena, data[slot], shapes[slot]);
        }
        outputs = new Tensor[] {Tensor.allocate(arena, DType.F32, s, Workload.HIDDEN)};
    }

    @Setup(Level.Invocation)
    public void freshProgram() throws InterruptedException {
        fresh = null;
        // The previous invocation's program may still be compiling or warming up in the background,
        // and the JVM's compiler threads compiling what its warm-up queued.
        while (Device.jitStats().pending() > 0) {
            Thread.sleep(1);
        }
        CompilationMXBean jvm = ManagementFactory.getCompilationMXBean();
        for (long before = -1; before != jvm.getTotalCompilationTime(); ) {
            before = jvm.getTotalCompilationTime();
            Thread.sleep(QUIET_MILLIS);
        }
        System.gc();
        device = new Device(NpuSpec.host().withCores(threads), Device.Options.defaults().withJit(jit));
        fresh = kernel.kernel().useCache(new KernelCache(KernelCache.DEFAULT_BUDGET_BYTES));
        for (int earlier = 1; earlier < launch; earlier++) {
            fresh.run(device, inputs, outputs);
        }
    }

    @Benchmark
    public void firstLaunch() {
        fresh.run(device, inputs, outputs);
    }

    @TearDown(Level.Invocation)
    public void closeDevice() {
        device.close();
    }

    @TearDown(Level.Trial)
    public void release() {
        arena.close();
    }
}
