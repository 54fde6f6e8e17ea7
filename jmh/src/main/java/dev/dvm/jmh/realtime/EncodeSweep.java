package dev.dvm.jmh.realtime;

import dev.dvm.core.Kernel;
import dev.dvm.core.KernelInstance;
import dev.dvm.tests.DemoKernels;
import dev.dvm.vm.NpuSpec;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The encode sweep of {@code ./dvm bench realtime}: encodes the 10-op kernel
 * ({@link DemoKernels#elementwise10()}) for {@value #SHAPES} distinct shapes, each timed alone, and
 * prints the median, p99, p99.9 and maximum as a markdown table (DVM documents about 100 µs per
 * fused kernel).
 *
 * <p>The shapes are [s, h] for s = 1 … 100 and h = 1, 42, … 4060 (100 values), in a seeded random
 * order, so tiling changes in both dims. Each timing is one {@link Kernel#normalize(NpuSpec, long[]...)}
 * on {@link NpuSpec#host()} of a shape the kernel has never seen: a cache miss, shape inference,
 * encoding, verification, pre-decoding and insertion into the cache. The kernel is fresh and
 * prepared first by one encode of a shape outside the sweep (that first encode, which includes the
 * once-per-kernel preparation, is printed too), so the sweep sees per-instance work only. Warm-up
 * sweeps over other fresh kernels run first so the JIT has compiled the encoder; GC pauses and
 * other interruptions during the sweep stay in the figures, as they would for a caller.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.dvm.jmh.realtime.EncodeSweep [warm-up sweeps, default 20]}
 */
public final class EncodeSweep {
    static final int SHAPES = 10_000;
    private static final int SIDE = 100;
    private static final long COLUMN_STEP = 41;
    /** Outside the sweep's columns (which are 1 mod 41 and at most 4060). */
    private static final long[] PRIMING_SHAPE = {1, 8192};
    private static final double DVM_DOCUMENTED_NANOS = 100_000;

    private EncodeSweep() {}

    public static void main(String[] args) {
        int warmups = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long[][] shapes = shapes();
        NpuSpec spec = NpuSpec.host();
        for (int w = 0; w < warmups; w++) {
            sweep(prepared(spec).kernel(), spec, shapes);
        }
        Prepared fresh = prepared(spec);
        long[] gcBefore = gcCountAndMillis();
        long[] nanos = sweep(fresh.kernel(), spec, shapes);
        long[] gcAfter = gcCountAndMillis();
        System.out.print(table(nanos, shapes, fresh.firstNanos(), warmups));
        // GC pauses land in single encodes: they explain most of a large maximum.
        System.out.printf(Locale.ROOT, "%nGarbage collections during the sweep: %d, %d ms in total.%n",
                gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);
    }

    /** A new 10-op kernel after its first encode (of {@link #PRIMING_SHAPE}), and how long that took. */
    private record Prepared(Kernel kernel, long firstNanos) {}

    private static Prepared prepared(NpuSpec spec) {
        Kernel kernel = DemoKernels.elementwise10Kernel();
        long start = System.nanoTime();
        kernel.normalize(spec, PRIMING_SHAPE);
        return new Prepared(kernel, System.nanoTime() - start);
    }

    /** Every shape's encode time in ns; checks each instance is the requested one. */
    private static long[] sweep(Kernel kernel, NpuSpec spec, long[][] shapes) {
        long[] nanos = new long[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            long start = System.nanoTime();
            KernelInstance instance = kernel.normalize(spec, shapes[i]);
            nanos[i] = System.nanoTime() - start;
            if (!Arrays.equals(instance.inputShape(0), shapes[i])) {
                throw new IllegalStateException("normalize for " + Arrays.toString(shapes[i]) + " returned the instance of "
                        + Arrays.toString(instance.inputShape(0)));
            }
        }
        return nanos;
    }

    /** Collections so far and their total time in ms, over all collectors. */
    private static long[] gcCountAndMillis() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /** [s, h] for s = 1 … 100 and h = 1 + 41·j, j = 0 … 99, shuffled with a fixed seed. */
    static long[][] shapes() {
        long[][] shapes = new long[SHAPES][];
        for (int i = 0; i < SHAPES; i++) {
            shapes[i] = new long[] {1 + i / SIDE, 1 + (i % SIDE) * COLUMN_STEP};
        }
        SplittableRandom r = new SplittableRandom(10_000);
        for (int i = SHAPES - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            long[] t = shapes[i];
            shapes[i] = shapes[j];
            shapes[j] = t;
        }
        return shapes;
    }

    private static String table(long[] nanos, long[][] shapes, long firstNanos, int warmups) {
        int slowest = 0;
        for (int i = 1; i < nanos.length; i++) {
            if (nanos[i] > nanos[slowest]) {
                slowest = i;
            }
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, """

                ### Encode sweep: 10-op kernel, %d distinct shapes (after %d warm-up sweeps)

                | median | p99 | p99.9 | max | slowest shape | first encode of the kernel | DVM (documented) |
                |---|---|---|---|---|---|---|
                | %s | %s | %s | %s | %s | %s | ≈ %s |
                """, nanos.length, warmups, micros(percentile(sorted, 0.5)), micros(percentile(sorted, 0.99)),
                micros(percentile(sorted, 0.999)), micros(sorted[sorted.length - 1]), Arrays.toString(shapes[slowest]),
                micros(firstNanos), micros(DVM_DOCUMENTED_NANOS));
    }

    /** The nearest-rank percentile of sorted values. */
    private static long percentile(long[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String micros(double nanos) {
        return String.format(Locale.ROOT, "%.2f µs", nanos / 1e3);
    }
}
