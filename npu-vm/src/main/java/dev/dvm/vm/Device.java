package dev.dvm.vm;

import dev.dvm.bytecode.Isa;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * The modelled NPU: persistent core workers, each with its own unified buffer. A launch splits
 * each stage's tiles into contiguous ranges, one per core, waits for them, and runs the next
 * stage; a stage of one tile, or too small to pay for a hand-off ({@link Options#minElementsPerCore()}),
 * runs on the caller's thread. Result bits do not depend on the core count. Thread-safe: concurrent launches are serialised.
 *
 * <p>Core 0 is the launching thread itself; cores 1.. are daemon threads named {@code dvm-core-N}.
 * After each range a worker keeps spinning for {@link #SPIN_NANOS} (so the stages of a launch and
 * back-to-back launches find it awake), then backs off to parking (Agrona) and is unparked when
 * work is posted. A range is claimed by one compare-and-set: when the caller has finished its own
 * range and a worker has not yet started its one (descheduled, or still waking up), the caller
 * runs that range itself, so spreading a stage is never much slower than running it on the
 * caller; every tile's result is independent of the core that runs it. Workspace slots are bound
 * to segments the device owns, grown on demand and reused.
 */
public final class Device implements AutoCloseable {
    /**
     * How the device runs programs.
     *
     * @param checked track the pipes' event flags and fail with a hazard report when an
     *     instruction reads or overwrites a buffer without the event that orders it
     * @param scalarUnit use the scalar vector unit instead of the Vector API one (for tests)
     * @param minElementsPerCore elements each core must get before a stage is spread over
     *     several cores ({@link #DEFAULT_MIN_ELEMENTS_PER_CORE}); 1 spreads every stage of two or
     *     more tiles, which tests use to exercise the workers with small shapes
     * @param jit whether hot stages run through the JIT tier; checked devices and devices on the
     *     scalar unit always interpret
     */
    public record Options(boolean checked, boolean scalarUnit, long minElementsPerCore, JitMode jit) {
        public Options {
            if (minElementsPerCore < 1) {
                throw new IllegalArgumentException("minElementsPerCore is " + minElementsPerCore + "; give 1 or more");
            }
            Objects.requireNonNull(jit, "jit");
        }

        /** The JIT mode of system property {@code dvm.jit}. */
        public Options(boolean checked, boolean scalarUnit, long minElementsPerCore) {
            this(checked, scalarUnit, minElementsPerCore, JitMode.fromSystemProperty());
        }

        /** These options with JIT mode {@code jit}. */
        public Options withJit(JitMode jit) {
            return new Options(checked, scalarUnit, minElementsPerCore, jit);
        }

        /** The default spreading threshold. */
        public Options(boolean checked, boolean scalarUnit) {
            this(checked, scalarUnit, DEFAULT_MIN_ELEMENTS_PER_CORE);
        }

        public static Options defaults() {
            return new Options(false, false);
        }
    }

    /**
     * Elements a core must get for a stage to be spread, by default. Handing a range to a spinning
     * worker measured about 1.5 µs on the 2-vCPU Zen 4 host (a 16K-element LayerNorm: 7.9 µs on one
     * core, 5.3 µs on two instead of 4 µs), a parked one tens of µs, and a loaded host adds more; 12K
     * elements are 4–6 µs of the demo kernels' work (0.3–0.5 ns per element), enough to amortise a
     * hand-off, so stages up to 16K elements stay on the caller.
     */
    public static final long DEFAULT_MIN_ELEMENTS_PER_CORE = 12_288;

    private static final int SPINS_BEFORE_YIELD = 2_000;
    /**
     * How long a worker spins after a range before backing off. Waking a parked thread costs tens
     * of microseconds on this class of host, far more than a short stage; 200 µs covers the gaps
     * between the stages of a launch and between launches in a loop, and bounds the CPU a device
     * burns after its last launch.
     */
    private static final long SPIN_NANOS = 200_000;

    private final NpuSpec spec;
    private final Options options;
    private final TileInterpreter caller;
    private final Worker[] workers;
    /** The JIT mode in effect: OFF for checked devices and the scalar unit, which tests compare the interpreter by. */
    private final JitMode jit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Arena arena = Arena.ofShared();
    private volatile boolean closed;
    private long handedOff;

    private MemorySegment[] segments = new MemorySegment[0];
    private long[] bases = new long[0];
    private MemorySegment[] workspaces = new MemorySegment[0];

    public Device(NpuSpec spec) {
        this(spec, Options.defaults());
    }

    public Device(NpuSpec spec, Options options) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.options = Objects.requireNonNull(options, "options");
        this.caller = new TileInterpreter(spec, options.scalarUnit(), options.checked());
        this.jit = options.checked() || options.scalarUnit() ? JitMode.OFF : options.jit();
        this.workers = new Worker[spec.cores() - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1, new TileInterpreter(spec, options.scalarUnit(), options.checked()));
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    public NpuSpec spec() {
        return spec;
    }

    public Options options() {
        return options;
    }

    /** Cores a launch of {@code exe} uses: the most any of its stages spreads over. */
    public int coresFor(Executable exe) {
        int most = 1;
        for (StagePlan st : exe.stages) {
            most = Math.max(most, coresFor(st));
        }
        return most;
    }

    /**
     * Cores a stage uses: as many as get {@link Options#minElementsPerCore()} elements each (a
     * product's elements counted k times: each is k multiply-adds), at most the device's, then
     * ranges of ceil(tiles / cores) tiles, one per core, none empty.
     */
    private int coresFor(StagePlan st) {
        long tiles = st.tiles;
        if (tiles <= 1) {
            return 1;
        }
        int cores = (int) Math.max(1, Math.min(spec.cores(), st.work / options.minElementsPerCore()));
        long perCore = ceilDiv(tiles, cores);
        return (int) ceilDiv(tiles, perCore);
    }

    /** Runs {@code exe} to completion with {@code bindings}; throws {@link VmException} on a bad binding or a hazard. */
    public void launch(Executable exe, Bindings bindings) {
        Objects.requireNonNull(exe, "exe");
        Objects.requireNonNull(bindings, "bindings");
        lock.lock();
        try {
            if (closed) {
                throw new VmException("launch on a closed device (" + spec.name() + ")");
            }
            if (exe.ubBytes > spec.ubBytes() || exe.spec().events() > spec.events()) {
                throw new VmException("program verified for " + exe.spec() + " needs " + exe.ubBytes + " UB bytes and "
                        + exe.spec().events() + " events per pair; this device has " + spec.ubBytes() + " and " + spec.events()
                        + ": build the Executable for this device's spec");
            }
            boolean shared = bind(exe, bindings);
            for (StagePlan st : exe.stages) {
                runStage(st, shared ? coresFor(st) : 1);
            }
            if (jit == JitMode.AUTO) {
                for (StagePlan st : exe.stages) {
                    Jit.queueDue(st, spec);
                }
            }
        } finally {
            // A finished launch keeps no user segment reachable, and no stage or compiled class: an
            // evicted program (and its hidden class) must be free to go.
            Arrays.fill(segments, null);
            for (Worker w : workers) {
                w.forget();
            }
            lock.unlock();
        }
    }

    /** Checks and copies the bindings; returns whether every segment may be touched by the worker threads. */
    private boolean bind(Executable exe, Bindings bindings) {
        int slots = exe.slots();
        if (bindings.size() != slots) {
            throw new VmException("bindings have " + bindings.size() + " slots, the program has " + slots + ": create Bindings(" + slots + ")");
        }
        if (segments.length < slots) {
            segments = new MemorySegment[slots];
            bases = new long[slots];
        }
        boolean shared = true;
        for (int s = 0; s < slots; s++) {
            long needed = exe.slotBytes[s];
            int kind = exe.slotKinds[s];
            if (kind == Isa.SLOT_WORKSPACE) {
                segments[s] = workspace(s, needed);
                bases[s] = 0;
                continue;
            }
            MemorySegment segment = bindings.segment(s);
            long offset = bindings.byteOffset(s);
            if (segment == null) {
                throw new VmException(slotName(exe, s) + " is not bound; it needs " + needed + " bytes: call Bindings.set(" + s + ", segment, offset)");
            }
            if (!segment.scope().isAlive()) {
                throw new VmException(slotName(exe, s) + " is bound to a segment whose arena is closed; bind a live segment");
            }
            if (kind == Isa.SLOT_OUTPUT && segment.isReadOnly()) {
                throw new VmException(slotName(exe, s) + " is bound to a read-only segment; outputs need a writable one");
            }
            if (offset > segment.byteSize() || segment.byteSize() - offset < needed) {
                throw new VmException(slotName(exe, s) + " needs " + needed + " bytes from byte offset " + offset + ", the bound segment gives "
                        + Math.max(0, segment.byteSize() - offset) + " (segment of " + segment.byteSize() + " bytes)");
            }
            segments[s] = segment;
            bases[s] = offset;
            for (Worker w : workers) {
                shared &= segment.isAccessibleBy(w.thread);
            }
        }
        return shared;
    }

    /** "slot 2 (output, F32)", for errors only: the launch path builds no strings. */
    private static String slotName(Executable exe, int s) {
        return "slot " + s + " (" + (exe.slotKinds[s] == Isa.SLOT_INPUT ? "input" : "output") + ", " + exe.slotTypes[s] + ")";
    }

    private MemorySegment workspace(int slot, long bytes) {
        if (workspaces.length <= slot) {
            workspaces = Arrays.copyOf(workspaces, slot + 1);
        }
        MemorySegment ws = workspaces[slot];
        if (ws == null || ws.byteSize() < bytes) {
            ws = arena.allocate(Math.max(bytes, 1), 64);
            workspaces[slot] = ws;
        }
        return ws;
    }

    private void runStage(StagePlan st, int cores) {
        long tiles = st.tiles;
        if (tiles == 0) {
            return;
        }
        CompiledStage code = jit == JitMode.OFF ? null : Jit.codeFor(st, jit);
        if (cores == 1) {
            try {
                run(code, caller, st, 0, tiles, segments, bases);
            } catch (VmException e) {
                throw e;
            } catch (RuntimeException e) {
                throw failure(st, 0, 0, tiles, e);
            }
            return;
        }
        long perCore = ceilDiv(tiles, cores);
        for (int k = 1; k < cores; k++) {
            workers[k - 1].post(code, st, k * perCore, Math.min(tiles, (k + 1) * perCore), segments, bases);
        }
        handedOff += cores - 1;
        RuntimeException own = null;
        try {
            run(code, caller, st, 0, perCore, segments, bases);
        } catch (VmException e) {
            own = e;
        } catch (RuntimeException e) {
            own = failure(st, 0, 0, perCore, e);
        }
        // Every posted range must finish before the bindings are released or an error is thrown.
        for (int k = 1; k < cores; k++) {
            Worker w = workers[k - 1];
            if (w.claim(w.posted)) {
                try {
                    run(code, caller, st, w.first, w.end, segments, bases);
                } catch (VmException e) {
                    own = own == null ? e : own;
                } catch (RuntimeException e) {
                    own = own == null ? failure(st, k, w.first, w.end, e) : own;
                }
                continue;
            }
            w.await();
            Throwable t = w.takeFailure();
            if (t != null && own == null) {
                own = t instanceof VmException vm ? vm : failure(st, k, w.first, w.end, t);
            }
        }
        if (own != null) {
            throw own;
        }
    }

    /** Runs tiles {@code [first, end)} of {@code st} by its compiled code, or by {@code interpreter} when there is none. */
    private static void run(CompiledStage code, TileInterpreter interpreter, StagePlan st, long first, long end, MemorySegment[] segments,
            long[] bases) {
        if (code != null) {
            code.run(st, first, end, segments, bases);
        } else {
            interpreter.run(st, first, end, segments, bases);
        }
    }

    /**
     * The JIT tier's counters, over all devices of the process.
     *
     * @param queued stages queued for background compilation
     * @param pending of those, the ones whose compilation and warm-up have not finished yet (0: the background thread is idle)
     * @param compiled classes generated and defined (one per stage shape)
     * @param failed stage shapes whose compilation failed (each counted and logged once; they stay interpreted)
     * @param published stages switched to compiled code, cache hits included
     * @param compileNanos time spent generating and defining the {@code compiled} classes (ASM, then
     *     {@code defineHiddenClass}), on the background thread in AUTO mode, on the launching thread in FORCE mode
     * @param maxCompileNanos the longest of those compilations
     * @param warmUpNanos time the background thread spent running new classes on scratch memory until the JVM had
     *     compiled them to run faster than the interpreter, before publishing them (AUTO mode only)
     */
    public record JitStats(long queued, long pending, long compiled, long failed, long published, long compileNanos, long maxCompileNanos,
            long warmUpNanos) {}

    /** The JIT tier's counters so far. */
    public static JitStats jitStats() {
        return Jit.stats();
    }

    private static VmException failure(StagePlan st, int core, long first, long end, Throwable cause) {
        return new VmException("core " + core + " failed in stage " + st.index + " (tiles " + first + ".." + (end - 1) + "): " + cause, cause);
    }

    /** Stops the workers and frees the workspaces; later launches fail. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Worker w : workers) {
                LockSupport.unpark(w.thread);
            }
            for (Worker w : workers) {
                try {
                    w.thread.join(TimeUnit.SECONDS.toMillis(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            arena.close();
        } finally {
            lock.unlock();
        }
    }

    /** Tile ranges posted to the worker threads (cores 1..) so far; a launch that stays on the caller posts none. */
    long rangesHandedOff() {
        return handedOff;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static final VarHandle CLAIMED;

    static {
        try {
            CLAIMED = MethodHandles.lookup().findVarHandle(Worker.class, "claimed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A core other than 0: a daemon thread that runs the tile ranges posted to it, unless the caller claims them first. */
    private final class Worker implements Runnable {
        final Thread thread;
        private final TileInterpreter interpreter;
        private final BackoffIdleStrategy idle = new BackoffIdleStrategy(200, 20, 1_000, 1_000_000);
        private volatile long posted;
        /** The last posted range someone (this worker or the caller) has taken; set by {@link #claim}. */
        private volatile long claimed;
        private volatile long done;
        private StagePlan stage;
        private CompiledStage code;
        private long first;
        private long end;
        private MemorySegment[] segs;
        private long[] offsets;
        private Throwable failure;

        Worker(int core, TileInterpreter interpreter) {
            this.interpreter = interpreter;
            this.thread = new Thread(this, "dvm-core-" + core);
            thread.setDaemon(true);
        }

        /** Hands a range to this core; the volatile write publishes the fields before it. */
        void post(CompiledStage code, StagePlan st, long first, long end, MemorySegment[] segs, long[] offsets) {
            this.code = code;
            this.stage = st;
            this.first = first;
            this.end = end;
            this.segs = segs;
            this.offsets = offsets;
            posted = posted + 1;
            LockSupport.unpark(thread);
        }

        /** Takes range {@code p} for the calling thread; false when it was taken already. */
        boolean claim(long p) {
            return CLAIMED.compareAndSet(this, p - 1, p);
        }

        void await() {
            long target = posted;
            int spins = 0;
            while (done != target) {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        /**
         * Drops the last range's stage and code. Only called once every posted range is done: a
         * worker reads them only after claiming a range, and each range is claimed once.
         */
        void forget() {
            stage = null;
            code = null;
        }

        Throwable takeFailure() {
            Throwable t = failure;
            failure = null;
            return t;
        }

        @Override
        public void run() {
            long seen = 0;
            long idleSince = System.nanoTime();
            while (!closed) {
                long p = posted;
                if (p == seen) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        idle.idle();
                    }
                    continue;
                }
                seen = p;
                if (claim(p)) {
                    try {
                        Device.run(code, interpreter, stage, first, end, segs, offsets);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    done = p;
                }
                idle.reset();
                idleSince = System.nanoTime();
            }
        }
    }
}
