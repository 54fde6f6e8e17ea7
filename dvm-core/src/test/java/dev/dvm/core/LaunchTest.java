package dev.dvm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The reusable launch API, and the allocation it promises: none on a cache hit. Allocation is
 * measured with the JVM's per-thread allocation counter (the bytes the thread's TLABs and direct
 * allocations handed out), not inferred from timings.
 */
class LaunchTest {
    @AutoClose
    private static final Device DEVICE = new Device(NpuSpec.host());
    private static final int N = 1024;
    private static final int WARM = 20_000;
    private static final int MEASURED = 10_000;

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The realtime benchmark's 4-op kernel: {@code max((x + y) * z, 0) - 0.5}, every dim dynamic. */
    static Kernel fourOps(String name, long dim) {
        KernelBuilder kb = new KernelBuilder(name);
        Value x = kb.input(DType.F32, dim);
        Value y = kb.input(DType.F32, dim);
        Value z = kb.input(DType.F32, dim);
        kb.output(kb.sub(kb.maximum(kb.mul(kb.add(x, y), z), 0.0), 0.5));
        return kb.build();
    }

    static float[] ramp(int n, float scale, float shift) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i * scale + shift;
        }
        return a;
    }

    static float[] expected(float[] x, float[] y, float[] z) {
        float[] e = new float[x.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = Math.max((x[i] + y[i]) * z[i], 0f) - 0.5f;
        }
        return e;
    }

    /** Average bytes the current thread allocates per call of {@code launch}, after warming it up. */
    /**
     * Bytes allocated per launch in steady state. Warm-up runs in batches until a batch allocates
     * nothing (or 10 s pass): the JIT tier swaps in a compiled stage whose own C2 compilation can
     * take longer than a fixed count of sub-microsecond launches.
     */
    private static double bytesPerLaunch(Runnable launch) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (int batch = 0; batch < 2 || System.nanoTime() < deadline; batch++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < WARM; i++) {
                launch.run();
            }
            // Steady state includes the JIT tier's background work being done: the switch to a class allocates its frame once.
            if (batch >= 1 && THREADS.getCurrentThreadAllocatedBytes() - before < WARM && Device.jitStats().pending() == 0) {
                break;
            }
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            launch.run();
        }
        long after = THREADS.getCurrentThreadAllocatedBytes();
        return (after - before) / (double) MEASURED;
    }

    @Test
    void aCacheHitAllocatesNothing() {
        Kernel k = fourOps("four_ops_alloc", -1);
        try (Arena arena = Arena.ofConfined()) {
            float[] xs = ramp(N, 0.01f, -3f);
            float[] ys = ramp(N, -0.02f, 1f);
            float[] zs = ramp(N, 0.003f, 0.5f);
            Tensor x = Tensor.of(arena, xs, N);
            Tensor y = Tensor.of(arena, ys, N);
            Tensor z = Tensor.of(arena, zs, N);
            Tensor out = Tensor.allocate(arena, DType.F32, N);
            Launch call = k.newLaunch().input(0, x).input(1, y).input(2, z).output(0, out);
            double launchBytes = bytesPerLaunch(() -> call.run(DEVICE));
            assertArrayEquals(expected(xs, ys, zs), out.toFloatArray());

            Tensor[] ins = {x, y, z};
            Tensor[] outs = {out};
            double runBytes = bytesPerLaunch(() -> k.run(DEVICE, ins, outs));
            KernelInstance instance = k.normalize(DEVICE.spec(), ins, outs);
            double instanceBytes = bytesPerLaunch(() -> instance.run(DEVICE, ins, outs));

            // the meter sees allocation: the arena form allocates its outputs (descriptors and memory) every time
            double allocatingBytes = bytesPerLaunch(() -> k.run(DEVICE, Arena.ofAuto(), ins));
            System.out.println("LaunchTest bytes/launch: Launch " + launchBytes + ", Kernel.run " + runBytes + ", KernelInstance.run "
                    + instanceBytes + ", allocating " + allocatingBytes);
            assertTrue(allocatingBytes > 100, "the allocation meter saw only " + allocatingBytes + " bytes per allocating launch");
            assertTrue(launchBytes < 1, "Launch.run allocated " + launchBytes + " bytes per launch");
            assertTrue(runBytes < 1, "Kernel.run allocated " + runBytes + " bytes per launch");
            assertTrue(instanceBytes < 1, "KernelInstance.run allocated " + instanceBytes + " bytes per launch");
            assertEquals(1, k.stats().misses(), "one shape, one miss");
        }
    }

    @Test
    void aStaticKernelAllocatesNothingEither() {
        Kernel k = fourOps("four_ops_static_alloc", N);
        try (Arena arena = Arena.ofConfined()) {
            Launch call = k.newLaunch();
            for (int i = 0; i < 3; i++) {
                call.input(i, Tensor.of(arena, ramp(N, 0.1f * (i + 1), -1f), N));
            }
            call.output(0, Tensor.allocate(arena, DType.F32, N));
            double bytes = bytesPerLaunch(() -> call.run(DEVICE));
            assertTrue(bytes < 1, "a static kernel's launch allocated " + bytes + " bytes per launch");
        }
    }

    @Test
    void tensorsCanBeSwappedBetweenRuns() {
        Kernel k = fourOps("four_ops_swap", -1);
        try (Arena arena = Arena.ofConfined()) {
            Launch call = k.newLaunch();
            for (int n : new int[] {7, 300, 7}) {
                float[] xs = ramp(n, 1f, -3f);
                float[] ys = ramp(n, 0.5f, 0f);
                float[] zs = ramp(n, -0.25f, 2f);
                Tensor out = Tensor.allocate(arena, DType.F32, n);
                call.input(0, Tensor.of(arena, xs, n)).input(1, Tensor.of(arena, ys, n)).input(2, Tensor.of(arena, zs, n)).output(0, out);
                call.run(DEVICE);
                assertArrayEquals(expected(xs, ys, zs), out.toFloatArray(), "n = " + n);
            }
            assertEquals(2, k.stats().misses(), "the second run at 7 elements is a hit");
            assertEquals(1, k.stats().hits());
            assertEquals(3, k.stats().launches());
            assertSame(call.instance(DEVICE), k.normalize(DEVICE.spec(), new long[] {7}, new long[] {7}, new long[] {7}));
        }
    }

    @Test
    void badCallsNameTheKernelAndTheFix() {
        Kernel k = fourOps("four_ops_bad", -1);
        try (Arena arena = Arena.ofConfined()) {
            Launch call = k.newLaunch();
            DvmException unset = assertThrows(DvmException.class, () -> call.run(DEVICE));
            assertTrue(unset.getMessage().contains("kernel 'four_ops_bad' input 0: null tensor"), unset.getMessage());
            Tensor x = Tensor.of(arena, ramp(4, 1f, 0f), 4);
            call.input(0, x).input(1, x).input(2, Tensor.of(arena, ramp(5, 1f, 0f), 5)).output(0, Tensor.allocate(arena, DType.F32, 4));
            DvmException shapes = assertThrows(DvmException.class, () -> call.run(DEVICE));
            assertTrue(shapes.getMessage().contains("four_ops_bad") && shapes.getMessage().contains("[5]"), shapes.getMessage());
            call.input(2, x).output(0, x);
            DvmException overlap = assertThrows(DvmException.class, () -> call.run(DEVICE));
            assertTrue(overlap.getMessage().contains("output 0 overlaps input 0"), overlap.getMessage());
            DvmException index = assertThrows(DvmException.class, () -> call.input(3, x));
            assertTrue(index.getMessage().contains("input 3 does not exist; it has 3 inputs"), index.getMessage());
            DvmException device = assertThrows(DvmException.class, () -> call.run(null));
            assertTrue(device.getMessage().contains("device must not be null"), device.getMessage());
        }
    }
}
