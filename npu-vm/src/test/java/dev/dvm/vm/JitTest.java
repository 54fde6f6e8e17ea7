package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.Sync;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The JIT tier against the interpreter: bit-identical results, fallback on failure, concurrent launches while compiling. */
class JitTest {
    private static final Opcode[] UNARY = {Opcode.SQRT, Opcode.RSQRT, Opcode.RECIPROCAL, Opcode.ABS, Opcode.NEG, Opcode.ROUND,
            Opcode.FLOOR, Opcode.CEIL, Opcode.TRUNC, Opcode.EXP, Opcode.TANH, Opcode.SIGMOID, Opcode.COPY};
    /** rows, cols, tile rows, tile cols: full tiles, row tails, column tails, one element. */
    private static final int[][] SHAPES = {{1, 1, 1, 8}, {5, 37, 2, 24}, {3, 100, 3, 100}, {67, 300, 4, 64}, {9, 16, 4, 16}};

    /** Gaussian values with specials (NaN, infinities, zeros, subnormals, exp's overflow range) sprinkled in. */
    static MemorySegment input(Arena arena, long n, long seed) {
        return input(arena, n, seed, 8);
    }

    /** As {@link #input(Arena, long, long)}, one value in {@code oneIn} special (none for 0), so row sums stay mostly finite. */
    static MemorySegment input(Arena arena, long n, long seed, int oneIn) {
        Random random = new Random(seed);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -1e-40f, 100f, -100f,
                8.5e6f, 0.5f, -2.5f};
        MemorySegment x = arena.allocate(4 * n);
        for (long i = 0; i < n; i++) {
            float v = oneIn > 0 && random.nextInt(oneIn) == 0 ? specials[random.nextInt(specials.length)] : (float) (random.nextGaussian() * 4);
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
        }
        return x;
    }

    /** -0, +0, -1 and -inf at random. */
    static MemorySegment nonPositive(Arena arena, long n, long seed) {
        Random random = new Random(seed);
        float[] values = {-0f, 0f, -1f, Float.NEGATIVE_INFINITY};
        MemorySegment x = arena.allocate(4 * n);
        for (long i = 0; i < n; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, values[random.nextInt(values.length)]);
        }
        return x;
    }

    static int[] run(Device device, Executable exe, MemorySegment x, Arena arena, long n) {
        MemorySegment y = arena.allocate(4 * n);
        device.launch(exe, new Bindings(2).set(0, x, 0).set(1, y, 0));
        // NaN sign and payload are not part of the determinism guarantee (docs/decisions/0003).
        return Arrays.stream(y.toArray(ValueLayout.JAVA_INT)).map(b -> Float.isNaN(Float.intBitsToFloat(b)) ? 0x7FC0_0000 : b).toArray();
    }

    static Device device(int cores, JitMode jit) {
        return new Device(NpuSpec.host().withCores(cores), new Device.Options(false, false, 1, jit));
    }

    /** LOAD x, then each op on the previous result in a new buffer, STORE the last, over [rows, cols]. */
    static Program chain(long rows, long cols, int tileRows, int tileCols, Opcode... ops) {
        int pitch = (tileCols + 7) / 8 * 8;
        int bytes = tileRows * pitch * 4;
        TestProgram p = new TestProgram((ops.length + 1) * bytes);
        p.slot(Isa.SLOT_INPUT, ElementType.F32, rows * cols * 4);
        p.slot(Isa.SLOT_OUTPUT, ElementType.F32, rows * cols * 4);
        p.stage(new long[] {rows, cols}, 1, tileRows, tileCols, pitch);
        p.memory(Opcode.LOAD, TestProgram.LOAD_SYNC, 0, 0, ElementType.F32, 0, 0, cols, 1);
        for (int i = 0; i < ops.length; i++) {
            // The first op waits for the LOAD and frees its buffer; the last waits for the STORE's buffer and hands it over.
            int sync = (i == 0 ? Sync.of(Sync.WAIT, 0) | Sync.of(Sync.BACK_SET, 0) : 0)
                    | (i == ops.length - 1 ? Sync.of(Sync.SET, 0) | Sync.of(Sync.BACK_WAIT, 0) : 0);
            p.op(ops[i], sync, (i + 1) * bytes, i * bytes, (long) tileRows * pitch, ElementType.F32.code());
        }
        p.memory(Opcode.STORE, TestProgram.STORE_SYNC, ops.length * bytes, 1, ElementType.F32, 0, 0, cols, 1);
        return p.end().build();
    }

    @Test
    void everySupportedUnaryOperationIsBitIdenticalToTheInterpreter() {
        try (Arena arena = Arena.ofShared(); Device off = device(1, JitMode.OFF); Device one = device(1, JitMode.FORCE);
                Device three = device(3, JitMode.FORCE)) {
            for (int[] s : SHAPES) {
                long n = (long) s[0] * s[1];
                MemorySegment x = input(arena, n, n);
                for (Opcode op : UNARY) {
                    Executable exe = Executable.of(TestProgram.unary(op, s[0], s[1], s[2], s[3]), off.spec());
                    int[] expected = run(off, exe, x, arena, n);
                    assertArrayEquals(expected, run(one, exe, x, arena, n), op + " " + Arrays.toString(s) + " on 1 core");
                    assertNotNull(exe.stages[0].compiled, op + " was compiled");
                    assertArrayEquals(expected, run(three, exe, x, arena, n), op + " " + Arrays.toString(s) + " on 3 cores");
                }
            }
        }
    }

    /**
     * A two-pass row program over [rows, cols]: x; m = reduce(x) × 0.5 (a row-buffer operation);
     * y = x op m (the row form, row on the side {@code rowLeft} says); s = REDUCE_SUM(y);
     * out = y + BROADCAST_ROW(√s). The second pass recomputes y from x.
     */
    private static Program rowProgram(long rows, long cols, int tileRows, int tileCols, Opcode reduce, Opcode rowForm, boolean rowLeft) {
        int pitch = (tileCols + 7) / 8 * 8;
        int full = tileRows * pitch;
        int bytes = full * 4;
        int rowBytes = (tileRows * 4 + 31) / 32 * 32;
        int x = 0, y = bytes, b = 2 * bytes, out = 3 * bytes, m = 4 * bytes, sum = m + rowBytes;
        TestProgram p = new TestProgram(4 * bytes + 2 * rowBytes);
        long f32 = ElementType.F32.code();
        p.slot(Isa.SLOT_INPUT, ElementType.F32, rows * cols * 4);
        p.slot(Isa.SLOT_OUTPUT, ElementType.F32, rows * cols * 4);
        p.stage(new long[] {rows, cols}, 1, tileRows, tileCols, pitch);
        p.memory(Opcode.LOAD, TestProgram.LOAD_SYNC, x, 0, ElementType.F32, 0, 0, cols, 1);
        p.op(reduce, Sync.of(Sync.WAIT, 0), m, x, tileRows, pitch, f32);
        p.op(Opcode.MUL_S, Sync.NONE, m, m, tileRows, f32, 0, Float.floatToRawIntBits(0.5f));
        p.op(rowForm, Sync.of(Sync.BACK_SET, 0), y, x, m, tileRows, pitch, f32, rowLeft ? Isa.FLAG_ROW_LEFT : 0);
        p.op(Opcode.REDUCE_SUM, Sync.NONE, sum, y, tileRows, pitch, f32);
        p.op(Opcode.SQRT, Sync.NONE, sum, sum, tileRows, f32);
        p.op(Opcode.BROADCAST_ROW, Sync.NONE, b, sum, tileRows, pitch, f32);
        p.op(Opcode.ADD, Sync.of(Sync.SET, 0) | Sync.of(Sync.BACK_WAIT, 0), out, y, b, full, f32);
        p.memory(Opcode.STORE, TestProgram.STORE_SYNC, out, 1, ElementType.F32, 0, 0, cols, 1);
        return p.end().build();
    }

    @Test
    void rowReductionsAndRowFormsAreBitIdenticalToTheInterpreter() {
        Opcode[] reductions = {Opcode.REDUCE_SUM, Opcode.REDUCE_MAX, Opcode.REDUCE_MIN};
        Opcode[] rowForms = {Opcode.ADD_R, Opcode.SUB_R, Opcode.MUL_R, Opcode.DIV_R, Opcode.MAX_R, Opcode.MIN_R};
        try (Arena arena = Arena.ofShared(); Device off = device(1, JitMode.OFF); Device one = device(1, JitMode.FORCE);
                Device three = device(3, JitMode.FORCE)) {
            for (int[] s : SHAPES) {
                // oneIn -1: rows of -0, +0, -1 and -inf only, whose MAX is a tie of signed zeros.
                for (int oneIn : new int[] {0, 200, 8, -1}) {
                    long n = (long) s[0] * s[1];
                    MemorySegment x = oneIn < 0 ? nonPositive(arena, n, n) : input(arena, n, n + oneIn, oneIn);
                    for (int i = 0; i < rowForms.length * 2; i++) {
                        Opcode reduce = reductions[i % reductions.length];
                        Opcode rowForm = rowForms[i / 2];
                        boolean rowLeft = i % 2 == 1;
                        String what = reduce + " " + rowForm + (rowLeft ? " row-left " : " ") + Arrays.toString(s) + " specials 1/" + oneIn;
                        Executable exe = Executable.of(rowProgram(s[0], s[1], s[2], s[3], reduce, rowForm, rowLeft), off.spec());
                        int[] expected = run(off, exe, x, arena, n);
                        assertArrayEquals(expected, run(one, exe, x, arena, n), what + " on 1 core");
                        assertNotNull(exe.stages[0].compiled, what + " was compiled");
                        assertArrayEquals(expected, run(three, exe, x, arena, n), what + " on 3 cores");
                    }
                }
            }
        }
    }

    /**
     * A stage whose rows stream from memory (over 16 MiB) runs each pass one row at a time
     * ({@link JitRuntime#rowGroup}) rather than over whole tiles: the same bits as the
     * interpreter, over tiles of four rows and a last tile of three, on two and three cores.
     * Rows of whole vectors in tiles that span them run skewed (the last pass on a row with the
     * first on the next, across tiles): with a middle pass, and with tiles of one row.
     */
    @Test
    void streamedStagesRunEachPassRowByRowWithTheSameBits() {
        long[][] cases = {
            {4L * 1024 + 3, 1008, 1, 1008}, // first, while the core threads' frames are small
            {2L * 1024 + 3, 1100, 4, 552}, // two column blocks: not skewed
            {2L * 1024 + 3, 1024, 4, 1024},
        };
        try (Arena arena = Arena.ofShared(); Device off = device(1, JitMode.OFF); Device two = device(2, JitMode.FORCE);
                Device three = device(3, JitMode.FORCE)) {
            for (long[] c : cases) {
                long rows = c[0], cols = c[1], n = rows * cols;
                String what = Arrays.toString(c);
                MemorySegment x = input(arena, n, 11, 200);
                Executable exe = Executable.of(rowProgram(rows, cols, (int) c[2], (int) c[3], Opcode.REDUCE_MAX, Opcode.SUB_R, false), off.spec());
                assertEquals(1, JitRuntime.rowGroup(exe.stages[0]), "rows stream from memory");
                int[] expected = run(off, exe, x, arena, n);
                assertArrayEquals(expected, run(two, exe, x, arena, n), what + " on 2 cores");
                assertNotNull(exe.stages[0].compiled, "the stage was compiled");
                assertArrayEquals(expected, run(three, exe, x, arena, n), what + " on 3 cores");
            }
            Executable small = Executable.of(rowProgram(64, 1100, 4, 552, Opcode.REDUCE_MAX, Opcode.SUB_R, false), off.spec());
            assertEquals(4, JitRuntime.rowGroup(small.stages[0]), "rows stay in the caches");
        }
    }

    @Test
    void unsupportedStagesAreNeverCompiled() {
        // A BOOL result stored as F32 reads int words as floats: outside what the JIT compiles.
        Executable exe = Executable.of(TestProgram.unary(Opcode.ISFINITE, 4, 16, 4, 16), NpuSpec.host());
        assertNull(JitCompiler.shapeOf(exe.stages[0]));
        assertNull(exe.jitClassFiles()[0]);
        try (Arena arena = Arena.ofShared(); Device force = device(1, JitMode.FORCE)) {
            run(force, exe, input(arena, 64, 1), arena, 64);
            assertNull(exe.stages[0].compiled);
        }
    }

    @Test
    void aFailingCompilationFallsBackToTheInterpreterAndIsCountedOnce() {
        // A shape no other test compiles, so the failure is not masked by a cached class.
        Opcode[] ops = {Opcode.FLOOR, Opcode.CEIL, Opcode.TRUNC, Opcode.ROUND, Opcode.NEG};
        UnaryOperator<byte[]> previous = Jit.classFileHook;
        // A class file cut short: the JVM rejects it when it is defined.
        Jit.classFileHook = bytes -> Arrays.copyOf(bytes, bytes.length / 2);
        long failedBefore = Device.jitStats().failed();
        try (Arena arena = Arena.ofShared(); Device off = device(1, JitMode.OFF); Device force = device(2, JitMode.FORCE)) {
            for (int cols : new int[] {40, 300}) {
                Executable exe = Executable.of(chain(6, cols, 4, 32, ops), off.spec());
                MemorySegment x = input(arena, 6L * cols, cols);
                int[] expected = run(off, exe, x, arena, 6L * cols);
                for (int launch = 0; launch < 3; launch++) {
                    assertArrayEquals(expected, run(force, exe, x, arena, 6L * cols));
                }
                assertNull(exe.stages[0].compiled);
            }
        } finally {
            Jit.classFileHook = previous;
        }
        assertEquals(failedBefore + 1, Device.jitStats().failed());
    }

    /**
     * The warm-up runs a class on scratch memory sized from the stage's own tiles (out of bounds
     * would throw here), and the class computes the interpreter's bits afterwards: shapes with
     * tails, with column blocks, and with rows that stream.
     */
    @Test
    void aWarmedUpClassRunsItsScratchTilesAndKeepsItsResultsBitIdentical() throws Exception {
        Opcode[] ops = {Opcode.EXP, Opcode.TANH, Opcode.ABS};
        try (Arena arena = Arena.ofShared(); Device off = device(1, JitMode.OFF); Device force = device(2, JitMode.FORCE)) {
            for (long[] s : new long[][] {{6, 40, 4, 32}, {64, 1000, 8, 1000}, {5000, 1024, 4, 1024}}) {
                long n = s[0] * s[1];
                Executable exe = Executable.of(chain(s[0], s[1], (int) s[2], (int) s[3], ops), off.spec());
                StagePlan st = exe.stages[0];
                MemorySegment x = input(arena, n, n);
                int[] expected = run(off, exe, x, arena, n);
                CompiledStage code = JitCompiler.define(JitCompiler.generate(JitCompiler.shapeOf(st)));
                assertTrue(JitWarmUp.warm(st, code, off.spec()) > 0, "warmed up " + Arrays.toString(s));
                assertArrayEquals(expected, run(force, exe, x, arena, n), Arrays.toString(s));
            }
        }
    }

    /**
     * The launch that crosses a threshold leaves the stage due; the compilation is queued only
     * once the launch has run every stage, so it never competes with that launch for the cores.
     */
    @Test
    void theLaunchThatCrossesTheThresholdQueuesTheCompilationWhenItHasFinished() throws Exception {
        // A shape no other test compiles, and more elements than the element threshold in one launch.
        long rows = 1025, cols = 1024;
        Executable exe = Executable.of(chain(rows, cols, 4, 1024, Opcode.COS, Opcode.TRUNC, Opcode.SIN), NpuSpec.host());
        StagePlan st = exe.stages[0];
        long queued = Device.jitStats().queued();
        assertNull(Jit.codeFor(st, JitMode.AUTO), "the crossing launch is interpreted");
        assertEquals(Jit.DUE, st.jitState);
        assertEquals(queued, Device.jitStats().queued(), "nothing queued while the launch runs");
        assertNull(Jit.codeFor(st, JitMode.AUTO), "a due stage is interpreted");
        Jit.queueDue(st, NpuSpec.host());
        assertEquals(queued + 1, Device.jitStats().queued());
        Jit.queueDue(st, NpuSpec.host());
        assertEquals(queued + 1, Device.jitStats().queued(), "queued once");
        // Through a device: a launch leaves no stage of its program due.
        Executable second = Executable.of(chain(rows, cols, 4, 1024, Opcode.SIN, Opcode.TRUNC, Opcode.COS), NpuSpec.host());
        try (Arena arena = Arena.ofShared(); Device auto = device(1, JitMode.AUTO)) {
            run(auto, second, input(arena, rows * cols, 5), arena, rows * cols);
            assertNotEquals(Jit.DUE, second.stages[0].jitState);
        }
        for (int wait = 0; wait < 1000 && (st.compiled == null || second.stages[0].compiled == null); wait++) {
            Thread.sleep(10);
        }
        assertNotNull(st.compiled, "compiled in the background");
        assertNotNull(second.stages[0].compiled, "compiled in the background");
    }

    @Test
    void fourThreadsLaunchCorrectlyWhileTheStageCompilesInTheBackground() throws Exception {
        // A shape of its own, so this test sees its compilation happen.
        Program program = chain(37, 411, 4, 96, Opcode.SIGMOID, Opcode.ABS, Opcode.SQRT, Opcode.EXP);
        Executable exe = Executable.of(program, NpuSpec.host());
        long n = 37L * 411;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Arena arena = Arena.ofShared(); Device off = device(1, JitMode.OFF)) {
            MemorySegment x = input(arena, n, 3);
            int[] expected = run(off, exe, x, arena, n);
            List<Future<?>> runs = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                int cores = 1 + thread % 2;
                runs.add(pool.submit(() -> {
                    // Launches before, during and after the switch: until 100 have run compiled (bounded in time).
                    try (Device auto = device(cores, JitMode.AUTO)) {
                        long deadline = System.nanoTime() + 20_000_000_000L;
                        for (int launch = 0, compiled = 0; compiled < 100 && System.nanoTime() < deadline; launch++) {
                            compiled += exe.stages[0].compiled != null ? 1 : 0;
                            assertArrayEquals(expected, run(auto, exe, x, arena, n), "launch " + launch);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertNotNull(exe.stages[0].compiled, "compiled in the background by the end");
        assertTrue(Device.jitStats().queued() >= 1);
    }
}
