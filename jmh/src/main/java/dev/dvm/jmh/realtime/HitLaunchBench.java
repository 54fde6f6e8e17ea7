package dev.dvm.jmh.realtime;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelInstance;
import dev.dvm.core.Launch;
import dev.dvm.core.Tensor;
import dev.dvm.jmh.kernels.BenchmarkDefaults;
import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A cache hit plus launch of {@link FourOpKernel} on {@value FourOpKernel#ELEMENTS} elements, end
 * to end on the caller's thread, as a sample-time distribution in ns; run with {@code -prof gc} for
 * the bytes allocated per launch (gc.alloc.rate.norm, 0 is the target).
 *
 * <p>Tensors are allocated once in setup, and the kernel's instance for them is encoded there, so
 * every measured call is a cache hit; setup checks the result and that the launch runs on one core,
 * i.e. on the caller's thread ({@link NpuSpec#host()}, default device options).
 * <ul>
 *   <li>{@link #hitLaunch}: {@link Launch#run} of a reusable {@link Launch} with the tensors set
 *       once: the layout signature straight from the tensors, the cache lookup (a hit), the binding,
 *       and the single-tile launch. This is the figure of issue 4 (at most 1 µs, 0 B/op).
 *   <li>{@link #kernelRun}: the same through {@link Kernel#run(Device, Tensor[], Tensor[])}, the
 *       convenience call with arrays of tensors.
 *   <li>{@link #instanceRun}: {@link KernelInstance#run} of the instance the lookup finds: the launch
 *       alone, so the difference to {@link #hitLaunch} is the lookup.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HitLaunchBench extends BenchmarkDefaults {
    private Arena arena;
    private Device device;
    private Kernel kernel;
    private KernelInstance instance;
    private Launch launch;
    private Tensor[] inputs;
    private Tensor[] outputs;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        device = new Device(NpuSpec.host());
        kernel = FourOpKernel.build();
        float[][] data = FourOpKernel.inputs();
        inputs = Arrays.stream(data).map(v -> Tensor.of(arena, v, v.length)).toArray(Tensor[]::new);
        outputs = new Tensor[] {Tensor.allocate(arena, DType.F32, FourOpKernel.ELEMENTS)};
        launch = kernel.newLaunch().input(0, inputs[0]).input(1, inputs[1]).input(2, inputs[2]).output(0, outputs[0]);
        instance = launch.instance(device);
        if (device.coresFor(instance.executable()) != 1) {
            throw new IllegalStateException("the 1K launch spreads over " + device.coresFor(instance.executable())
                    + " cores; this benchmark measures a launch on the caller's thread");
        }
        hitLaunch();
        if (!Arrays.equals(outputs[0].toFloatArray(), FourOpKernel.expected(data))) {
            throw new IllegalStateException("dvm4j's result differs from relu((x + y)·z)·0.5 computed in Java");
        }
    }

    @Benchmark
    public void hitLaunch() {
        launch.run(device);
    }

    @Benchmark
    public void kernelRun() {
        kernel.run(device, inputs, outputs);
    }

    @Benchmark
    public void instanceRun() {
        instance.run(device, inputs, outputs);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        // One miss (setup's first lookup) and nothing else, or the benchmark did not measure cache hits.
        if (kernel.stats().misses() != 1) {
            throw new IllegalStateException("expected only setup's cache miss, got " + kernel.stats());
        }
        device.close();
        arena.close();
    }
}
