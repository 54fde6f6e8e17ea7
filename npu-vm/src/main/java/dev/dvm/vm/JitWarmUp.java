package dev.dvm.vm;

import dev.dvm.bytecode.Opcode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * Gets a newly generated class compiled by the JVM before it replaces the interpreter. A hidden
 * class starts in the JVM's own interpreter and then C1, where every Vector API call allocates a
 * vector object: published at once, it made the next large launch slow (softmax over [16384, 1024]
 * took 120–175 ms on its second launch against the tile interpreter's 25 ms). So the background
 * thread first runs the class on the stage's own first tiles over scratch memory, and publishes it
 * once it runs them about as fast as the tile interpreter does; launches meanwhile stay
 * interpreted. A time limit ({@code dvm.jit.warmupMillis}, 0 to publish at once) bounds the wait for
 * a class that never gets there.
 *
 * <p>The runs follow each other until every pass has been called often enough for HotSpot to queue
 * its C2 compilation ({@link #CALLS}), then come one every {@link #POLL_NANOS}, leaving the core to
 * the compiler threads, until one is fast enough. Only then: C1's code is 20 to 40 times slower than
 * the interpreter where its passes do the vector work themselves, but where they call per-vector
 * functions that C2 already compiled for the interpreter (erf, tanh) it came within twice the
 * interpreter's time at once, and such a class went out cold. The scratch tiles have the stage's
 * own geometry: C2 compiles from the profile and turns what it never saw into traps, and narrower
 * rows mixed in (tried, to make the runs cheaper) left loop predicates that the stage's real rows
 * broke, sending every launch back to the slow code for a while.
 *
 * <p>The scratch memory is of one shared arena. Mixing in runs over a confined one (one in 16, or
 * every other run), so that C2's profile would see both kinds of session, sent LayerNorm over
 * [16384, 1024] into a cycle of C2 compilations and {@code profile_predicate} traps at its loops'
 * entries: the class never came within twice the interpreter's time and went out cold after the
 * 10 s limit (launches 20-25 ms against 8.8 ms). Warmed on shared memory alone, it is published
 * within 2 s, and launches over confined tensors then run at the same speed as over shared ones.
 *
 * <p>The scratch plan is the stage's own, with each memory plan moved to offset 0 of a native
 * segment sized to what the tiles reach; a product runs there with a short k
 * ({@link #PRODUCT_DEPTH}), so that the runs time its epilogue rather than the cube.
 */
final class JitWarmUp {
    private JitWarmUp() {}

    /**
     * Longest wait for a class to beat the interpreter, in ms ({@code dvm.jit.warmupMillis}).
     * Generous: once the calls are made the thread mostly sleeps, and a class published before C2
     * has compiled it is the slow case this class exists to avoid (in a JVM busy compiling, as in
     * the test suite, C2 took over a second).
     */
    private static final long LIMIT_MILLIS = Jit.setting("dvm.jit.warmupMillis", 10_000, 0);

    /** Pass calls per row in the first phase: above HotSpot's C2 invocation threshold (5,000). */
    private static final int CALLS = 6000;

    /**
     * Runs at least: a pass over a whole tile of rows loops often enough per call that HotSpot
     * compiles it after 600 calls (its minimum), one per run.
     */
    private static final int CACHED_RUNS = 700;

    /**
     * The k a product runs with on scratch tiles: the class is the same for every k, and with the
     * real k (1,024 in a transformer layer) the cube's work would hide the epilogue that the
     * warm-up times, and cost a millisecond a run.
     */
    private static final int PRODUCT_DEPTH = 16;

    /** Elements the stage's own first tiles cover at least, for a time well above the clock's resolution. */
    private static final long TIMED_ELEMENTS = 8192;

    /**
     * How close to the interpreter's time the class must come: C2's code runs a stage's first tiles
     * in 0.5 to 1.5 times the interpreter's time (its gains are largest on streamed rows), C1's in
     * 20 to 40 times (measured on softmax rows of 1024).
     */
    private static final int BEATEN = 2;

    /** Interpreter runs timed; the fastest is the one to beat. */
    private static final int INTERPRETER_RUNS = 3;

    /** Pause between runs once C2's compilation is queued: the compiler threads need the core, not more runs. */
    private static final long POLL_NANOS = 1_000_000;

    /** A stage plan over scratch segments and the tiles to run of it. */
    private record Scratch(StagePlan plan, long tiles, MemorySegment[] segments, long[] bases) {
        void run(CompiledStage code) {
            code.run(plan, 0, tiles, segments, bases);
        }

        long rows() {
            return tiles * plan.rows;
        }
    }

    /**
     * Warms {@code code} up for {@code st} as described above and returns the nanoseconds spent; 0
     * when the stage cannot be mirrored (a grouped or split-k product), which publishes the class
     * cold.
     */
    static long warm(StagePlan st, CompiledStage code, NpuSpec spec) {
        if (LIMIT_MILLIS == 0 || !mirrorable(st)) {
            return 0;
        }
        long start = System.nanoTime();
        long deadline = start + LIMIT_MILLIS * 1_000_000;
        try (Arena shared = Arena.ofShared()) {
            long tiles = Math.min(st.tiles, Math.max(1, TIMED_ELEMENTS / ((long) st.rows * st.cols)));
            Scratch own = scratch(st, tiles, shared);
            TileInterpreter interpreter = new TileInterpreter(spec, false, false);
            long toBeat = Long.MAX_VALUE;
            for (int i = 0; i < INTERPRETER_RUNS; i++) {
                long t = System.nanoTime();
                interpreter.run(own.plan(), 0, own.tiles(), own.segments(), own.bases());
                toBeat = Math.min(toBeat, System.nanoTime() - t);
            }
            // Streamed rows call each pass once a row, rows in cache once a tile.
            long busyRuns = Math.max(CALLS / own.rows(), CACHED_RUNS);
            for (long r = 0; System.nanoTime() < deadline; r++) {
                long t = System.nanoTime();
                own.run(code);
                // Within twice the interpreter's time only after the calls that queue C2's compilation:
                // C1's code calling the per-vector functions C2 already compiled for the interpreter
                // can come that close; faster than the interpreter, it is C2's.
                long elapsed = System.nanoTime() - t;
                if (elapsed <= toBeat || r >= busyRuns && elapsed <= BEATEN * toBeat) {
                    break;
                }
                if (r >= busyRuns) {
                    LockSupport.parkNanos(POLL_NANOS);
                }
            }
        }
        return System.nanoTime() - start;
    }

    /**
     * Whether the stage's memory can move to scratch. A stage the JIT compiles has full tiles and
     * one inner dim, and strides are unsigned operands; what is left is a product with flags: a
     * group list would have to hold real sizes, and split k ties the chunk count to k, which the
     * scratch plan shortens.
     */
    private static boolean mirrorable(StagePlan st) {
        for (int k = 0; k < st.length(); k++) {
            if (st.written(k) == Opcode.MATMUL && st.num(k, StagePlan.X) != 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code st} with its memory at offset 0 of new segments from {@code arena}, sized for tiles [0, tiles). */
    private static Scratch scratch(StagePlan st, long tiles, Arena arena) {
        MemoryPlan[] memory = new MemoryPlan[st.memory.length];
        for (int i = 0; i < memory.length; i++) {
            MemoryPlan m = st.memory[i];
            memory[i] = new MemoryPlan(m.load(), m.ubWord(), m.slot(), m.type(), false, 0, m.outerStrides(), m.innerStrides(), 0);
        }
        // A product's operands also reach along k: its k strides times the k it runs with.
        long[] kReach = new long[memory.length];
        int[] nums = st.nums;
        for (int k = 0; k < st.length(); k++) {
            if (st.written(k) == Opcode.MATMUL) {
                nums = nums == st.nums ? nums.clone() : nums;
                int at = st.ops[k * StagePlan.W + StagePlan.NUM];
                int depth = Math.min(nums[at + StagePlan.N], PRODUCT_DEPTH);
                nums[at + StagePlan.N] = depth;
                kReach[st.arg(k)] = Math.max(0, depth - 1L) * nums[at + StagePlan.A];
                kReach[st.arg(k) + 1] = Math.max(0, depth - 1L) * nums[at + StagePlan.B];
            }
        }
        StagePlan plan = new StagePlan(st.index, st.byteOffset, st.tiles, st.rows, st.cols, st.pitch, st.outerExtents, st.innerExtents,
                st.ops, nums, st.scalars, memory);
        int slots = 0;
        for (MemoryPlan m : memory) {
            slots = Math.max(slots, m.slot() + 1);
        }
        long[] reach = new long[slots];
        for (int i = 0; i < memory.length; i++) {
            MemoryPlan m = memory[i];
            reach[m.slot()] = Math.max(reach[m.slot()], reach(plan, m, tiles) + kReach[i] * m.type().byteSize());
        }
        MemorySegment[] segments = new MemorySegment[slots];
        for (int s = 0; s < slots; s++) {
            segments[s] = arena.allocate(Math.max(reach[s], 1), 64);
        }
        return new Scratch(plan, tiles, segments, new long[slots]);
    }

    /** One past the last byte plan {@code m} (at offset 0) touches in tiles [0, tiles), tiled as {@link TileInterpreter#run} does. */
    private static long reach(StagePlan st, MemoryPlan m, long tiles) {
        long end = 0;
        long columnBytes = m.innerStrides()[0] * m.type().byteSize();
        for (long t = 0; t < tiles; t++) {
            long rowBlock = t / st.colBlocks;
            long rowStart = rowBlock * st.rows;
            long colStart = (t - rowBlock * st.colBlocks) * st.cols;
            long rows = Math.min(st.rows, st.totalRows - rowStart);
            long cols = Math.min(st.cols, st.totalCols - colStart);
            for (long r = 0; r < rows; r++) {
                long first = JitRuntime.rowAddress(m, st.outerExtents, 0, rowStart + r, colStart);
                end = Math.max(end, first + (cols - 1) * columnBytes + m.type().byteSize());
            }
        }
        return end;
    }
}
