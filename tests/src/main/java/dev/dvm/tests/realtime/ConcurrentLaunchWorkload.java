package dev.dvm.tests.realtime;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.Launch;
import dev.dvm.core.Tensor;
import dev.dvm.tests.DemoKernels;
import dev.dvm.tests.property.Property;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.RefTensor;
import dev.dvm.tests.reference.ReferenceEvaluator;
import dev.dvm.tests.reference.TensorBridge;
import dev.dvm.tests.reference.Tolerances;
import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Several threads launching the demo kernels with random shapes at the same time on one shared
 * {@link Device}, every result checked: used by {@code ConcurrentLaunchTest} (seconds) and by
 * {@code ./dvm fuzz --target realtime} (minutes).
 *
 * <p>The kernels (GELU, softmax, LayerNorm, RMSNorm, add-mul-relu, the 10-op chain, the MIX
 * product with bias and GELU) are built once and shared by all threads, so their instance caches
 * see concurrent hits, misses and evictions.
 * Half of the shapes come from a few "hot" shapes per kernel (cache hits), half from thousands of
 * others (misses). The shared device has {@value #SHARED_CORES} cores and spreads every stage of two
 * or more tiles over them, so launches also contend for its workers.
 *
 * <p>A case launches in one of three ways: through the thread's reusable {@link Launch} of the
 * kernel (the allocation-free path), {@link Kernel#run(Device, Tensor[], Tensor[])} into outputs it
 * allocated, or {@link Kernel#run(Device, Arena, Tensor...)}.
 *
 * <p>A case (kernel, shape, inputs, launch form) is a function of its case seed alone
 * ({@link #checkCase}). Each result must match the reference evaluator within its tolerances and
 * be bit-identical to the same kernel run alone on the worker's private one-core device (results
 * must not depend on the core count or on other threads). Outputs are pre-filled with NaN bits, so a
 * store that never happens is caught. A thread still running {@value #STALL_SECONDS} s after the
 * deadline is reported as a deadlock with its stack.
 */
public final class ConcurrentLaunchWorkload implements AutoCloseable {
    /** Threads of the figure. */
    public static final int THREADS = 4;
    /** Cores of the shared device: more than the machine has, so workers contend for CPUs too. */
    static final int SHARED_CORES = 3;
    /** How long after the deadline a thread may still be finishing its case before it counts as stuck. */
    static final int STALL_SECONDS = 30;
    /** The fixed last dim of the norm kernels (their means divide by it, so it is built in). */
    private static final long NORM_H = 96;
    /** The MIX kernel's fixed k (over one cube chunk) and n; its rows vary like the others'. */
    private static final long PRODUCT_K = 300, PRODUCT_N = 40;
    private static final int HOT_SHAPES = 4;
    private static final int MAX_ROWS = 48;
    private static final int MAX_COLS = 300;
    /** Failures kept for the report; counting goes on past it. */
    private static final int KEPT_FAILURES = 20;

    /** A demo kernel, built once, with the spec the reference evaluates. */
    private record Subject(KernelSpec spec, Kernel kernel, boolean fixedColumns) {
        Subject(KernelSpec spec, boolean fixedColumns) {
            this(spec, spec.build().kernel(), fixedColumns);
        }
    }

    /** One failed case: enough to find and rerun it. */
    public record Failure(int thread, long caseSeed, String problem) {
        @Override
        public String toString() {
            return "thread " + thread + ", case seed " + caseSeed + ": " + problem;
        }
    }

    /**
     * What a run did.
     *
     * @param seed the run's seed
     * @param cases cases run, over all threads (each launches twice: on the shared and on its private device)
     * @param failureCount every failure, including those beyond the kept ones
     * @param failures the first failures
     * @param seconds wall time
     */
    public record Summary(long seed, long cases, long failureCount, List<Failure> failures, double seconds) {
        /** One paragraph: counts, then every kept failure on its own line. */
        public String report() {
            StringBuilder sb = new StringBuilder(String.format(
                    "realtime: seed %d, %d threads, %d cases, %d failures, %.1f s", seed, THREADS, cases, failureCount, seconds));
            for (Failure f : failures) {
                sb.append("\n  FAIL ").append(f);
            }
            if (failureCount > failures.size()) {
                sb.append("\n  … ").append(failureCount - failures.size()).append(" more");
            }
            return sb.toString();
        }
    }

    private final List<Subject> subjects = List.of(
            new Subject(DemoKernels.gelu(), false),
            new Subject(DemoKernels.softmax(), false),
            new Subject(DemoKernels.layerNorm(NORM_H), true),
            new Subject(DemoKernels.rmsNorm(NORM_H), true),
            new Subject(DemoKernels.addMulRelu(), false),
            new Subject(DemoKernels.elementwise10(), false),
            new Subject(DemoKernels.matmulGelu(PRODUCT_K, PRODUCT_N), true));
    private final Device shared = new Device(NpuSpec.host().withCores(SHARED_CORES), new Device.Options(false, false, 1));

    /**
     * Runs {@link #THREADS} threads for {@code duration}; each runs cases
     * {@code Property.caseSeed(seed, i·THREADS + thread)} for i = 0, 1, … until the deadline.
     */
    public Summary run(long seed, Duration duration) {
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        AtomicLong cases = new AtomicLong();
        AtomicLong failureCount = new AtomicLong();
        List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads[t] = Thread.ofPlatform().daemon().name("realtime-launcher-" + t).unstarted(() -> {
                long caseSeed = seed;
                try (Device own = new Device(NpuSpec.host().withCores(1))) {
                    Launch[] launches = newLaunches();
                    for (long i = 0; System.nanoTime() < deadline; i++) {
                        caseSeed = Property.caseSeed(seed, Math.toIntExact(i * THREADS + thread));
                        String problem = check(caseSeed, own, launches);
                        cases.incrementAndGet();
                        if (problem != null && failureCount.incrementAndGet() <= KEPT_FAILURES) {
                            failures.add(new Failure(thread, caseSeed, problem));
                        }
                    }
                } catch (Throwable e) {
                    // An Error (or a failing close) ends this thread: record it rather than lose it with the thread.
                    failureCount.incrementAndGet();
                    failures.add(new Failure(thread, caseSeed, "launcher thread died: " + e));
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        long joinBy = deadline + STALL_SECONDS * 1_000_000_000L;
        for (int t = 0; t < THREADS; t++) {
            try {
                threads[t].join(Duration.ofNanos(Math.max(1, joinBy - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the launcher threads", e);
            }
            if (threads[t].isAlive()) {
                failureCount.incrementAndGet();
                failures.add(new Failure(t, -1, "still running " + STALL_SECONDS + " s after the deadline (deadlock?), at\n    "
                        + String.join("\n    ", Arrays.stream(threads[t].getStackTrace()).map(Object::toString).toList())));
            }
        }
        return new Summary(seed, cases.get(), failureCount.get(), List.copyOf(failures), (System.nanoTime() - start) / 1e9);
    }

    /** Runs the case of {@code caseSeed} alone on the calling thread: {@code null} when it passes, else the problem. */
    public String checkCase(long caseSeed) {
        try (Device own = new Device(NpuSpec.host().withCores(1))) {
            return check(caseSeed, own, newLaunches());
        }
    }

    /** One reusable launch per kernel, for one thread (a {@link Launch} is not thread-safe). */
    private Launch[] newLaunches() {
        return subjects.stream().map(s -> s.kernel().newLaunch()).toArray(Launch[]::new);
    }

    /**
     * One case: launch on the shared device, compare with the reference and with a run on
     * {@code own}. {@code launches} are the calling thread's, indexed like the kernels.
     */
    private String check(long caseSeed, Device own, Launch[] launches) {
        SplittableRandom r = new SplittableRandom(caseSeed);
        int subject = r.nextInt(subjects.size());
        Subject s = subjects.get(subject);
        long rows;
        long cols;
        if (r.nextBoolean()) {
            // A hot shape: derived from the kernel alone, so all threads share it and hit the cache.
            int hot = r.nextInt(HOT_SHAPES);
            rows = 1 + hot * 13L;
            cols = s.fixedColumns() ? NORM_H : 8 + hot * 61L;
        } else {
            rows = r.nextLong(1, MAX_ROWS + 1);
            cols = s.fixedColumns() ? NORM_H : r.nextLong(1, MAX_COLS + 1);
        }
        List<RefTensor> inputs = inputs(s.spec(), rows, cols, r);
        LaunchForm form = LaunchForm.values()[r.nextInt(LaunchForm.values().length)];
        String what = s.spec().name() + " on [" + rows + ", " + cols + "] by " + form;
        try (Arena arena = Arena.ofConfined()) {
            Tensor[] in = inputs.stream().map(t -> TensorBridge.toTensor(arena, t)).toArray(Tensor[]::new);
            List<RefTensor> expected = ReferenceEvaluator.evaluate(s.spec(), inputs);
            Tensor[] out;
            if (form == LaunchForm.KERNEL_RUN_ALLOCATING) {
                out = s.kernel().run(shared, arena, in);
            } else {
                out = expected.stream().map(e -> Tensor.allocate(arena, DType.F32, e.shape())).toArray(Tensor[]::new);
                for (Tensor o : out) {
                    o.segment().fill((byte) 0xFF); // NaN bits: an element never stored cannot pass
                }
                if (form == LaunchForm.REUSED_LAUNCH) {
                    Launch launch = launches[subject];
                    for (int i = 0; i < in.length; i++) {
                        launch.input(i, in[i]);
                    }
                    for (int k = 0; k < out.length; k++) {
                        launch.output(k, out[k]);
                    }
                    try {
                        launch.run(shared);
                    } finally {
                        launch.clear(); // the arena closes with this case: keep no closed tensor reachable
                    }
                } else {
                    s.kernel().run(shared, in, out);
                }
            }
            Tensor[] alone = s.kernel().run(own, arena, in);
            for (int k = 0; k < out.length; k++) {
                RefTensor got = TensorBridge.fromTensor(out[k]);
                Tolerances.Mismatch m = Tolerances.firstMismatch(expected.get(k), got);
                if (m != null) {
                    return what + ": output " + k + " differs from the reference at element " + m.index() + ": got " + m.got()
                            + ", expected " + m.expected() + " (tolerance " + m.tolerance() + ")";
                }
                int at = Arrays.mismatch(TensorBridge.rawBytes(out[k]), TensorBridge.rawBytes(alone[k]));
                if (at >= 0) {
                    int e = at / Float.BYTES;
                    return what + ": output " + k + " differs from a run alone on one core at element " + e + ": "
                            + got.get(e) + " vs " + TensorBridge.fromTensor(alone[k]).get(e);
                }
            }
            return null;
        } catch (RuntimeException e) {
            return what + ": " + e;
        }
    }

    /** How a case launches on the shared device. */
    private enum LaunchForm {
        /** The thread's {@link Launch} of the kernel, its tensors set for this case. */
        REUSED_LAUNCH,
        /** {@link Kernel#run(Device, Tensor[], Tensor[])} into outputs the case allocated. */
        KERNEL_RUN_INTO_OUTPUTS,
        /** {@link Kernel#run(Device, Arena, Tensor...)}, which allocates the outputs. */
        KERNEL_RUN_ALLOCATING
    }

    /**
     * Inputs uniform in [-3, 3): each input's dims as built, a dynamic last dim {@code cols} and any
     * other dynamic dim {@code rows} ([rows, cols] activations, [cols] per-feature vectors, a
     * product's fixed weights as they are).
     */
    private static List<RefTensor> inputs(KernelSpec spec, long rows, long cols, SplittableRandom r) {
        return spec.inputs().stream().map(in -> {
            long[] shape = in.dims().clone();
            for (int d = 0; d < shape.length; d++) {
                shape[d] = shape[d] >= 0 ? shape[d] : d == shape.length - 1 ? cols : rows;
            }
            return RefTensor.uniformF32(r, -3, 3, shape);
        }).toList();
    }

    @Override
    public void close() {
        shared.close();
    }
}
