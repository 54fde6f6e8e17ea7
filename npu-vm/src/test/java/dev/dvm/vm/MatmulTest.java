package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.Sync;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * MATMUL through whole hand-written programs, one stage each: the product goes to UB on the cube,
 * a vector instruction takes it over on the MTE2→V event, and a STORE writes it out. Results are
 * compared with a double-precision reference, within 1e-5 of Σ |a × b| (the size of the terms
 * summed, so the bound is relative however the terms cancel).
 */
class MatmulTest {
    private static final Device DEVICE = new Device(NpuSpec.host().withCores(1));
    private static final double TOLERANCE = 1e-5;

    @AfterAll
    static void close() {
        DEVICE.close();
    }

    /** One matrix operand: its element type, its values (as that type holds them), its k stride and its stride per domain dim. */
    private record Factor(ElementType type, float[] values, long kStride, long... strides) {}

    /** Element (t, m, n, k) of a factor in matrix terms, for the reference. */
    private interface Index {
        int at(int t, int m, int n, int k);
    }

    /**
     * c = a · b (+ bias, broadcast over the rows, when {@code bias} is not null) over the stage domain
     * {@code dims} (inner rank 1), in tiles of rows × cols. Slots: a, b, c, then bias. The MATMUL
     * carries {@code matmulSync}; with a bias, its LOAD comes first and carries {@code biasSync}.
     */
    private static Program program(long[] dims, int rows, int cols, long k, Factor a, Factor b, float[] bias, int biasSync,
            int matmulSync) {
        int pitch = (cols + 7) / 8 * 8;
        int tile = rows * pitch * 4;
        int product = 0, biasAt = tile, out = 2 * tile;
        TestProgram p = new TestProgram(3 * tile);
        p.slot(Isa.SLOT_INPUT, a.type(), (long) a.values().length * a.type().byteSize());
        p.slot(Isa.SLOT_INPUT, b.type(), (long) b.values().length * b.type().byteSize());
        p.slot(Isa.SLOT_OUTPUT, ElementType.F32, 4 * elements(dims));
        if (bias != null) {
            p.slot(Isa.SLOT_INPUT, ElementType.F32, 4L * bias.length);
        }
        p.stage(dims, 1, rows, cols, pitch);
        if (bias != null) {
            long[] broadcast = new long[dims.length];
            broadcast[dims.length - 1] = 1;
            p.memory(Opcode.LOAD, biasSync, biasAt, 3, ElementType.F32, 0, 0, broadcast);
        }
        p.matmul(matmulSync, product, 0, a.type(), 1, b.type(), k, a.kStride(), b.kStride(), a.strides(), b.strides());
        long words = (long) rows * pitch;
        if (bias == null) {
            p.op(Opcode.COPY, TestProgram.VECTOR_SYNC, out, product, words, ElementType.F32.code());
        } else {
            p.op(Opcode.ADD, TestProgram.VECTOR_SYNC, out, product, biasAt, words, ElementType.F32.code());
        }
        p.memory(Opcode.STORE, TestProgram.STORE_SYNC, out, 2, ElementType.F32, 0, 0, rowMajor(dims));
        return p.end().build();
    }

    private static Program program(long[] dims, int rows, int cols, long k, Factor a, Factor b) {
        return program(dims, rows, cols, k, a, b, null, 0, TestProgram.LOAD_SYNC);
    }

    private static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    private static long[] rowMajor(long[] dims) {
        long[] strides = new long[dims.length];
        long stride = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= dims[d];
        }
        return strides;
    }

    /** Runs {@code program} on {@code device} and returns c. */
    private static float[] run(Device device, Program program, Factor a, Factor b, float[] bias, int outElements) {
        try (Arena arena = Arena.ofConfined()) {
            Bindings bindings = new Bindings(bias == null ? 3 : 4).set(0, segment(arena, a.type(), a.values()), 0)
                    .set(1, segment(arena, b.type(), b.values()), 0);
            MemorySegment c = arena.allocate(4L * outElements);
            bindings.set(2, c, 0);
            if (bias != null) {
                bindings.set(3, segment(arena, ElementType.F32, bias), 0);
            }
            device.launch(Executable.of(program, device.spec()), bindings);
            return c.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private static MemorySegment segment(Arena arena, ElementType type, float[] values) {
        MemorySegment s = arena.allocate((long) values.length * type.byteSize());
        for (int i = 0; i < values.length; i++) {
            if (type == ElementType.F16) {
                s.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(values[i]));
            } else {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, values[i]);
            }
        }
        return s;
    }

    /** {@code n} Gaussian values, rounded to F16 when {@code type} is F16 so the reference sees what the VM reads. */
    private static float[] values(Random random, ElementType type, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float x = (float) random.nextGaussian();
            v[i] = type == ElementType.F16 ? Float.float16ToFloat(Float.floatToFloat16(x)) : x;
        }
        return v;
    }

    /**
     * Checks c[t][m][n] (row-major over batch × m × n) against Σ_k a(t, m, n, k) × b(t, m, n, k) + bias[n]
     * summed in double.
     */
    private static void assertProduct(float[] c, int batch, int m, int n, int k, float[] a, Index aAt, float[] b, Index bAt, float[] bias) {
        for (int t = 0; t < batch; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = bias == null ? 0 : bias[j];
                    double magnitude = Math.abs(sum);
                    for (int kk = 0; kk < k; kk++) {
                        double term = (double) a[aAt.at(t, i, j, kk)] * b[bAt.at(t, i, j, kk)];
                        sum += term;
                        magnitude += Math.abs(term);
                    }
                    float got = c[(t * m + i) * n + j];
                    String where = "c[" + t + "][" + i + "][" + j + "] = " + got + ", reference " + sum;
                    assertTrue(Math.abs(got - sum) <= TOLERANCE * magnitude, where);
                }
            }
        }
    }

    @Test
    void aThreeByFiveTimesFiveBySevenProduct() {
        Random random = new Random(11);
        int m = 3, k = 5, n = 7;
        Factor a = new Factor(ElementType.F32, values(random, ElementType.F32, m * k), 1, k, 0);
        Factor b = new Factor(ElementType.F32, values(random, ElementType.F32, k * n), n, 0, 1);
        // tiles of 2 × 4 leave a tail in both dims
        float[] c = run(DEVICE, program(new long[] {m, n}, 2, 4, k, a, b), a, b, null, m * n);
        assertProduct(c, 1, m, n, k, a.values(), (t, i, j, kk) -> i * k + kk, b.values(), (t, i, j, kk) -> kk * n + j, null);
    }

    @Test
    void aBatchedProductWithABroadcastF16B() {
        Random random = new Random(12);
        int batch = 2, m = 3, k = 5, n = 7;
        // a [2, 3, 5] f32; b [5, 7] f16, the same for every batch (stride 0 over the batch dim)
        Factor a = new Factor(ElementType.F32, values(random, ElementType.F32, batch * m * k), 1, m * k, k, 0);
        Factor b = new Factor(ElementType.F16, values(random, ElementType.F16, k * n), n, 0, 0, 1);
        // 4 rows of the 6 flattened (batch, m) rows per tile: a tile spans both batches
        float[] c = run(DEVICE, program(new long[] {batch, m, n}, 4, 4, k, a, b), a, b, null, batch * m * n);
        assertProduct(c, batch, m, n, k, a.values(), (t, i, j, kk) -> (t * m + i) * k + kk, b.values(), (t, i, j, kk) -> kk * n + j, null);
    }

    @Test
    void aKOverSeveralChunksWithBTransposed() {
        Random random = new Random(13);
        int m = 4, k = 2 * Isa.CUBE_K_CHUNK + 37, n = 3;
        Factor a = new Factor(ElementType.F32, values(random, ElementType.F32, m * k), 1, k, 0);
        // b held as [n, k]: k runs along its rows
        Factor b = new Factor(ElementType.F32, values(random, ElementType.F32, n * k), 1, 0, k);
        float[] c = run(DEVICE, program(new long[] {m, n}, 4, 3, k, a, b), a, b, null, m * n);
        assertProduct(c, 1, m, n, k, a.values(), (t, i, j, kk) -> i * k + kk, b.values(), (t, i, j, kk) -> j * k + kk, null);
    }

    /**
     * The JIT tier compiles a product stage around the cube unit: warmed up on scratch tiles (with a
     * k shorter than the real one, B's reach along k included, out of bounds would throw) and then
     * run on the real operands, it gives the interpreter's bits, on one core and on three.
     */
    @Test
    void aCompiledProductStageIsWarmedUpOnScratchAndKeepsTheInterpretersBits() throws Exception {
        Random random = new Random(15);
        int m = 70, k = Isa.CUBE_K_CHUNK + 40, n = 37;
        Factor a = new Factor(ElementType.F32, values(random, ElementType.F32, m * k), 1, k, 0);
        Factor b = new Factor(ElementType.F32, values(random, ElementType.F32, n * k), 1, 0, k);
        float[] bias = values(random, ElementType.F32, n);
        Program program = program(new long[] {m, n}, 16, 24, k, a, b, bias, Sync.of(Sync.BACK_WAIT, 0), Sync.of(Sync.SET, 0));
        Executable exe = Executable.of(program, DEVICE.spec());
        StagePlan st = exe.stages[0];
        CompiledStage code = JitCompiler.define(JitCompiler.generate(JitCompiler.shapeOf(st)));
        assertTrue(JitWarmUp.warm(st, code, DEVICE.spec()) > 0, "warmed up");
        float[] expected = run(DEVICE, program, a, b, bias, m * n);
        try (Device one = new Device(NpuSpec.host().withCores(1), new Device.Options(false, false, 1, JitMode.FORCE));
                Device three = new Device(NpuSpec.host().withCores(3), new Device.Options(false, false, 1, JitMode.FORCE))) {
            assertArrayEquals(expected, run(one, program, a, b, bias, m * n));
            assertArrayEquals(expected, run(three, program, a, b, bias, m * n));
        }
    }

    /** c = a · b + bias for {@link #checkedMode}: a [5, 6], b [6, 9], tiles of 2 × 8, so several tiles reuse each buffer. */
    private record BiasCase(Factor a, Factor b, float[] bias) {
        static final int M = 5, K = 6, N = 9;

        static BiasCase of(Random random) {
            return new BiasCase(new Factor(ElementType.F32, values(random, ElementType.F32, M * K), 1, K, 0),
                    new Factor(ElementType.F32, values(random, ElementType.F32, K * N), N, 0, 1), values(random, ElementType.F32, N));
        }

        Program program(int biasSync, int matmulSync) {
            return MatmulTest.program(new long[] {M, N}, 2, 8, K, a, b, bias, biasSync, matmulSync);
        }

        float[] run(Device device, Program program) {
            return MatmulTest.run(device, program, a, b, bias, M * N);
        }
    }

    @Test
    void checkedModeAcceptsTheCubesEventsAndCatchesAProductNoEventCovers() {
        BiasCase bc = BiasCase.of(new Random(14));
        // The bias load back-waits for the add to free its buffer; the product's set covers both inbound writes.
        Program correct = bc.program(Sync.of(Sync.BACK_WAIT, 0), Sync.of(Sync.SET, 0));
        // The set moved from the product to the bias load: the add still waits, but the product is not ordered before it.
        Program planted = bc.program(Sync.of(Sync.BACK_WAIT, 0) | Sync.of(Sync.SET, 0), Sync.NONE);
        try (Device checked = new Device(NpuSpec.host().withCores(2), new Device.Options(true, false))) {
            float[] c = bc.run(checked, correct);
            assertArrayEquals(bc.run(DEVICE, correct), c);
            int k = BiasCase.K, n = BiasCase.N;
            assertProduct(c, 1, BiasCase.M, n, k, bc.a().values(), (t, i, j, kk) -> i * k + kk, bc.b().values(), (t, i, j, kk) -> kk * n + j,
                    bc.bias());

            HazardException e = assertThrows(HazardException.class, () -> bc.run(checked, planted));
            assertEquals(Opcode.ADD, e.opcode());
            assertEquals(0, e.ubAddress(), "the product's buffer");
            assertTrue(e.getMessage().contains("V reads a block written by MTE2"), e.getMessage());
        }
    }
}
