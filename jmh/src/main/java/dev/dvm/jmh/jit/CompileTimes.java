package dev.dvm.jmh.jit;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelCache;
import dev.dvm.core.Tensor;
import dev.dvm.jmh.kernels.Workload;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Locale;

/**
 * The compile-time table of {@code ./dvm bench jit}: for each workload, the time the JIT tier
 * spends generating and defining the classes of one program (its compiled stages), from
 * {@link Device#jitStats()}; the target is under 5 ms per program. JMH cannot time this:
 * the compilation happens once per program shape, off the measured thread.
 *
 * <p>Every round builds each workload's kernel afresh and launches it once at 64K elements on a
 * FORCE device, which compiles on the launching thread with the same code the background thread
 * runs. Between rounds {@link System#gc()} drops the previous round's programs, so their classes
 * (cached only weakly) unload and the next round compiles again instead of hitting the cache;
 * rounds where a class survived are visible as 0 stages. The first round also shows the cold
 * cost (ASM and the generator still interpreted); the table is the last round's, after the
 * warm-up rounds.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.dvm.jmh.jit.CompileTimes [warm-up rounds, default 20]}
 */
public final class CompileTimes {
    private static final long ROWS = Workload.rows(Workload.elements("64K"));
    private static final double TARGET_NANOS = 5e6;

    private CompileTimes() {}

    /** One program's compilation: stages compiled and the nanoseconds they took. */
    private record Program(long stages, long nanos) {}

    public static void main(String[] args) {
        int warmups = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Workload[] workloads = Workload.values();
        Program[] cold = round(workloads);
        Program[] warm = cold;
        for (int r = 0; r < warmups; r++) {
            System.gc();
            warm = round(workloads);
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, """

                ### JIT compile time per program (64K elements; after %d warm-up rounds; target < 5 ms)

                | kernel | stages compiled | total | per stage | first round (cold JVM) |
                |---|---|---|---|---|
                """, warmups));
        for (int i = 0; i < workloads.length; i++) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", workloads[i], warm[i].stages(),
                    micros(warm[i].nanos()), warm[i].stages() == 0 ? "—" : micros((double) warm[i].nanos() / warm[i].stages()),
                    micros(cold[i].nanos())));
        }
        Device.JitStats stats = Device.jitStats();
        out.append(String.format(Locale.ROOT, "%nLongest single compilation in this process (cold ones included): %s; "
                + "%d classes compiled, %d failed. Target met by every program of the last round: %s.%n",
                micros(stats.maxCompileNanos()), stats.compiled(), stats.failed(),
                Arrays.stream(warm).allMatch(p -> p.nanos() < TARGET_NANOS) ? "yes" : "no"));
        System.out.print(out);
    }

    /** Each workload's fresh program compiled once; its compile time from the counters' difference. */
    private static Program[] round(Workload[] workloads) {
        Program[] programs = new Program[workloads.length];
        try (Arena arena = Arena.ofConfined();
                Device device = new Device(NpuSpec.host().withCores(1), Device.Options.defaults().withJit(JitMode.FORCE))) {
            for (int i = 0; i < workloads.length; i++) {
                Workload w = workloads[i];
                long[][] shapes = w.inputShapes(ROWS);
                float[][] data = w.inputData(ROWS);
                Tensor[] inputs = new Tensor[shapes.length];
                for (int slot = 0; slot < shapes.length; slot++) {
                    inputs[slot] = Tensor.of(arena, data[slot], shapes[slot]);
                }
                Tensor[] outputs = {Tensor.allocate(arena, DType.F32, ROWS, Workload.HIDDEN)};
                // A cache of its own: the shared one would keep the program, and so its classes, alive.
                Kernel kernel = w.kernel().useCache(new KernelCache(KernelCache.DEFAULT_BUDGET_BYTES));
                Device.JitStats before = Device.jitStats();
                kernel.run(device, inputs, outputs);
                Device.JitStats after = Device.jitStats();
                programs[i] = new Program(after.compiled() - before.compiled(), after.compileNanos() - before.compileNanos());
            }
        }
        return programs;
    }

    private static String micros(double nanos) {
        return String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
    }
}
