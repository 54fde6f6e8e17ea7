package dev.dvm.vm;

import dev.dvm.vm.JitCompiler.Shape;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Tiering for the JIT: every stage starts in the interpreter; each launch counts against the
 * stage's {@link StagePlan} (launches and elements); the launch that crosses a threshold queues the
 * stage, once it has finished, on one background daemon thread, unless its shape is already compiled (then it is
 * published at once) or unsupported (then it is never queued). The compiled form is published in
 * the plan's volatile field and used by every later launch on every core. A failure (an exception,
 * the JVM verifier rejecting the class) leaves the stage interpreted, and is counted and logged
 * once per shape.
 *
 * <p>Generated classes are cached by {@link Shape} through weak references: a plan holds its
 * {@link Compiled} strongly, the cache only weakly, so a class unloads when the last program
 * using it is dropped.
 */
final class Jit {
    private Jit() {}

    /** Launches of a stage before it is compiled ({@code dvm.jit.launches}). */
    static final long LAUNCHES = setting("dvm.jit.launches", 2, 1);
    /** Elements processed by a stage before it is compiled ({@code dvm.jit.elements}). */
    static final long ELEMENTS = setting("dvm.jit.elements", 1 << 20, 1);

    private static final System.Logger LOG = System.getLogger("dev.dvm.vm.jit");

    /** Test hook: rewrites every generated class file before it is defined, e.g. to make the verifier reject it. */
    static volatile UnaryOperator<byte[]> classFileHook = UnaryOperator.identity();

    /** A generated class's instance with the shape it was made for (which keeps the cache entry alive). */
    record Compiled(Shape shape, CompiledStage code) {}

    /**
     * A stage's {@code jitState}: NEW counts launches; a launch CLAIMs it to decide; DUE waits for
     * that launch to end before the compilation is queued ({@link #queueDue}); SETTLED is final.
     */
    static final int NEW = 0, CLAIMED = 1, SETTLED = 2, DUE = 3;

    private static final Map<Shape, WeakReference<Compiled>> CACHE = new WeakHashMap<>();
    private static final Set<Shape> FAILED = ConcurrentHashMap.newKeySet();
    private static final AtomicLong QUEUED = new AtomicLong(), FINISHED = new AtomicLong(), COMPILED = new AtomicLong(), FAILURES = new AtomicLong(),
            PUBLISHED = new AtomicLong();
    /** Time spent generating and defining the classes counted by {@link #COMPILED}: the sum and the longest. */
    private static final AtomicLong COMPILE_NANOS = new AtomicLong(), MAX_COMPILE_NANOS = new AtomicLong();
    /** Time the background thread spent running new classes before publishing them ({@link JitWarmUp}). */
    private static final AtomicLong WARM_UP_NANOS = new AtomicLong();
    private static final ExecutorService COMPILER = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "dvm-jit");
        thread.setDaemon(true);
        return thread;
    });
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(StagePlan.class, "jitState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The compiled code to run this launch of {@code st} with, or null to interpret it; counts the
     * launch and, per {@code mode} (AUTO or FORCE), marks the stage due for compilation or compiles it.
     */
    static CompiledStage codeFor(StagePlan st, JitMode mode) {
        Compiled c = st.compiled;
        if (c != null) {
            return c.code();
        }
        if (st.jitState != NEW) {
            return null;
        }
        if (mode == JitMode.FORCE) {
            if (claim(st)) {
                Shape shape = JitCompiler.shapeOf(st);
                if (shape != null) {
                    compile(st, shape, null);
                }
                st.jitState = SETTLED;
            }
            c = st.compiled;
            return c == null ? null : c.code();
        }
        // Racing launches on several devices may lose a count; the threshold is only a heuristic.
        long launches = ++st.jitLaunches;
        long elements = st.jitElements += st.totalRows * st.totalCols;
        if ((launches >= LAUNCHES || elements >= ELEMENTS) && claim(st)) {
            Shape shape = JitCompiler.shapeOf(st);
            Compiled hit = shape == null ? null : cached(shape);
            if (hit != null) {
                publish(st, hit);
                return hit.code();
            }
            if (shape == null || FAILED.contains(shape)) {
                st.jitState = SETTLED;
                return null;
            }
            st.jitState = DUE;
        }
        return null;
    }

    /**
     * Queues the compilation of {@code st} if a launch found it {@link #DUE}. The device calls this
     * once the launch has run every stage, so that neither the class's generation nor its warm-up
     * competes for the cores with the launch that crossed the threshold (at 16M elements that launch
     * ran at up to 1.4 times the interpreter's time on one core, 2.7 times on two).
     */
    static void queueDue(StagePlan st, NpuSpec spec) {
        if (st.jitState == DUE && STATE.compareAndSet(st, DUE, CLAIMED)) {
            QUEUED.incrementAndGet();
            COMPILER.execute(() -> {
                try {
                    // The shape again, here rather than on the launching thread: codeFor found it non-null.
                    compile(st, JitCompiler.shapeOf(st), spec);
                } finally {
                    st.jitState = SETTLED;
                    FINISHED.incrementAndGet();
                }
            });
        }
    }

    /** A whole number of at least {@code min} from system property {@code name}, else {@code fallback}; a bad value fails naming the property. */
    static long setting(String name, long fallback, long min) {
        String text = System.getProperty(name);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text.trim());
            if (value >= min) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the valid range
        }
        throw new IllegalArgumentException("system property " + name + " is '" + text + "'; give a whole number of " + min + " or more");
    }

    private static boolean claim(StagePlan st) {
        return STATE.compareAndSet(st, NEW, CLAIMED);
    }

    private static Compiled cached(Shape shape) {
        synchronized (CACHE) {
            WeakReference<Compiled> ref = CACHE.get(shape);
            return ref == null ? null : ref.get();
        }
    }

    private static void publish(StagePlan st, Compiled c) {
        st.compiled = c;
        PUBLISHED.incrementAndGet();
    }

    /**
     * Finds or generates the class for {@code shape} and publishes it in {@code st}; a failure leaves
     * {@code st} interpreted. A new class is first warmed up on {@code warmOn}'s interpreter unless
     * that is null (FORCE: the launch waits for the class and runs it at once).
     */
    private static void compile(StagePlan st, Shape shape, NpuSpec warmOn) {
        Compiled c;
        boolean generated = false;
        // One class generation at a time: FORCE compiles on launching threads too.
        synchronized (Jit.class) {
            c = cached(shape);
            if (c == null) {
                if (FAILED.contains(shape)) {
                    return;
                }
                long start = System.nanoTime();
                try {
                    c = new Compiled(shape, JitCompiler.define(classFileHook.apply(JitCompiler.generate(shape))));
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    if (FAILED.add(shape)) {
                        FAILURES.incrementAndGet();
                        LOG.log(System.Logger.Level.WARNING, "dvm JIT: compiling stage " + st.index + " (" + shape.steps().size()
                                + " instructions) failed; it and stages of its shape stay interpreted", e);
                    }
                    return;
                }
                long nanos = System.nanoTime() - start;
                COMPILE_NANOS.addAndGet(nanos);
                MAX_COMPILE_NANOS.accumulateAndGet(nanos, Math::max);
                COMPILED.incrementAndGet();
                generated = true;
            }
        }
        if (generated) {
            // Outside the lock: a warm-up may take seconds, and FORCE launches of other shapes must not wait for it.
            if (warmOn != null) {
                warmUp(st, c, warmOn);
            }
            // Cached only once warm: a stage of the same shape hits the cache and publishes at once.
            synchronized (CACHE) {
                CACHE.put(shape, new WeakReference<>(c));
            }
        }
        publish(st, c);
    }

    /** Runs {@link JitWarmUp}; a failure there (the class is already defined and verified) only publishes it cold. */
    private static void warmUp(StagePlan st, Compiled c, NpuSpec spec) {
        try {
            WARM_UP_NANOS.addAndGet(JitWarmUp.warm(st, c.code(), spec));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "dvm JIT: warming up stage " + st.index + " failed; publishing it cold", e);
        }
    }

    /** The class file generated for {@code st}, or null when the JIT does not support it. */
    static byte[] classFile(StagePlan st) {
        Shape shape = JitCompiler.shapeOf(st);
        return shape == null ? null : JitCompiler.generate(shape);
    }

    static Device.JitStats stats() {
        // Finished first: a task finishing between the two reads cannot make pending negative.
        long finished = FINISHED.get();
        long queued = QUEUED.get();
        return new Device.JitStats(queued, queued - finished, COMPILED.get(), FAILURES.get(), PUBLISHED.get(), COMPILE_NANOS.get(),
                MAX_COMPILE_NANOS.get(), WARM_UP_NANOS.get());
    }
}
