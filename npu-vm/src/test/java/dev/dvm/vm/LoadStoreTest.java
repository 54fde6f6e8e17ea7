package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Program;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** LOAD and STORE through whole programs: strides, broadcast, several inner dims, tails, flag ROWS and every conversion. */
class LoadStoreTest {
    private static final Device DEVICE = new Device(NpuSpec.host().withCores(1));
    private static final int UB = 16 * 1024;
    private static final int X = 0, Y = 8 * 1024;

    @AfterAll
    static void close() {
        DEVICE.close();
    }

    /** LOAD x with the given layout, COPY, STORE y; both slots sized by the caller. */
    private static Program copy(long[] dims, int inner, int rows, int cols, ElementType in, long inBytes, int inFlags, long[] inStrides,
            ElementType out, long outBytes, int outFlags, long[] outStrides) {
        int pitch = (cols + 7) / 8 * 8;
        TestProgram p = new TestProgram(UB);
        p.slot(Isa.SLOT_INPUT, in, inBytes);
        p.slot(Isa.SLOT_OUTPUT, out, outBytes);
        p.stage(dims, inner, rows, cols, pitch);
        p.memory(Opcode.LOAD, TestProgram.LOAD_SYNC, X, 0, in, inFlags, 0, inStrides);
        p.op(Opcode.COPY, TestProgram.VECTOR_SYNC, Y, X, (long) rows * pitch, in.computeType().code());
        p.memory(Opcode.STORE, TestProgram.STORE_SYNC, Y, 1, out, outFlags, 0, outStrides);
        return p.end().build();
    }

    private static void run(Program program, MemorySegment in, MemorySegment out) {
        DEVICE.launch(Executable.of(program, DEVICE.spec()), new Bindings(2).set(0, in, 0).set(1, out, 0));
    }

    private static MemorySegment floats(Arena arena, int n) {
        MemorySegment s = arena.allocate(4L * n);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 1.5f - 7);
        }
        return s;
    }

    @Test
    void stridedTransposeWithTails() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = floats(arena, 35);
            MemorySegment out = arena.allocate(35 * 4);
            // out[r][c] = in[c][r]: 5 rows x 7 cols in tiles of 2 x 4, so both dims have tails.
            run(copy(new long[] {5, 7}, 1, 2, 4, ElementType.F32, 140, 0, new long[] {1, 5}, ElementType.F32, 140, 0, new long[] {7, 1}), in, out);
            for (int r = 0; r < 5; r++) {
                for (int c = 0; c < 7; c++) {
                    assertEquals(in.getAtIndex(ValueLayout.JAVA_FLOAT, c * 5 + r), out.getAtIndex(ValueLayout.JAVA_FLOAT, r * 7 + c), "(" + r + ", " + c + ")");
                }
            }
        }
    }

    @Test
    void strideZeroBroadcastsAlongRowsAndColumns() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = floats(arena, 7);
            MemorySegment out = arena.allocate(6 * 7 * 4);
            run(copy(new long[] {6, 7}, 1, 4, 3, ElementType.F32, 28, 0, new long[] {0, 1}, ElementType.F32, 168, 0, new long[] {7, 1}), in, out);
            for (int i = 0; i < 42; i++) {
                assertEquals(in.getAtIndex(ValueLayout.JAVA_FLOAT, i % 7), out.getAtIndex(ValueLayout.JAVA_FLOAT, i), "column broadcast " + i);
            }
            run(copy(new long[] {6, 7}, 1, 4, 3, ElementType.F32, 28, 0, new long[] {1, 0}, ElementType.F32, 168, 0, new long[] {7, 1}), in, out);
            for (int i = 0; i < 42; i++) {
                assertEquals(in.getAtIndex(ValueLayout.JAVA_FLOAT, i / 7), out.getAtIndex(ValueLayout.JAVA_FLOAT, i), "row broadcast " + i);
            }
        }
    }

    @Test
    void severalInnerDimsWalkAsRuns() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = floats(arena, 30);
            MemorySegment out = arena.allocate(30 * 4);
            // Domain (a, b, c) of 2 x 3 x 5, columns = (b, c) flattened, tiles of 1 x 4 cross the c extent;
            // the input is stored as [c][b][a].
            run(copy(new long[] {2, 3, 5}, 2, 1, 4, ElementType.F32, 120, 0, new long[] {1, 2, 6}, ElementType.F32, 120, 0, new long[] {15, 5, 1}),
                    in, out);
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 3; b++) {
                    for (int c = 0; c < 5; c++) {
                        assertEquals(in.getAtIndex(ValueLayout.JAVA_FLOAT, c * 6 + b * 2 + a), out.getAtIndex(ValueLayout.JAVA_FLOAT, a * 15 + b * 5 + c));
                    }
                }
            }
        }
    }

    @Test
    void halfFloatsWidenAndNarrowToNearestEven() {
        try (Arena arena = Arena.ofConfined()) {
            short[] halves = {0x3C00, (short) 0xC000, 0x7C00, (short) 0xFC00, 0x7E00, 0x0001, 0x3555, (short) 0x8000, 0x7BFF};
            MemorySegment in = arena.allocate(2L * halves.length);
            MemorySegment.copy(halves, 0, in, ValueLayout.JAVA_SHORT, 0, halves.length);
            MemorySegment out = arena.allocate(4L * halves.length);
            long n = halves.length;
            run(copy(new long[] {n}, 1, 1, 8, ElementType.F16, 2 * n, 0, new long[] {1}, ElementType.F32, 4 * n, 0, new long[] {1}), in, out);
            for (int i = 0; i < halves.length; i++) {
                assertEquals(Float.float16ToFloat(halves[i]), out.getAtIndex(ValueLayout.JAVA_FLOAT, i), "F16 " + Integer.toHexString(halves[i]));
            }
            float[] values = {1f, 1.00048828125f, 1.000732421875f, 65520f, 1e-8f, -2.5f, Float.NaN};
            MemorySegment f = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
            MemorySegment h = arena.allocate(2L * values.length);
            long m = values.length;
            run(copy(new long[] {m}, 1, 1, 8, ElementType.F32, 4 * m, 0, new long[] {1}, ElementType.F16, 2 * m, 0, new long[] {1}), f, h);
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.floatToFloat16(values[i]), h.getAtIndex(ValueLayout.JAVA_SHORT, i), "to F16 " + values[i]);
            }
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        try (Arena arena = Arena.ofConfined()) {
            int[] bits = {0x3F80_8000, 0x3F81_8000, 0x3F80_8001, 0x3F80_7FFF, 0x7F7F_FFFF, 0xBF80_0000};
            short[] expected = {0x3F80, 0x3F82, 0x3F81, 0x3F80, 0x7F80, (short) 0xBF80};
            MemorySegment f = arena.allocateFrom(ValueLayout.JAVA_INT, bits);
            MemorySegment h = arena.allocate(2L * bits.length);
            long n = bits.length;
            run(copy(new long[] {n}, 1, 1, 8, ElementType.F32, 4 * n, 0, new long[] {1}, ElementType.BF16, 2 * n, 0, new long[] {1}), f, h);
            assertArrayEquals(expected, h.toArray(ValueLayout.JAVA_SHORT));
            MemorySegment back = arena.allocate(4L * n);
            run(copy(new long[] {n}, 1, 1, 8, ElementType.BF16, 2 * n, 0, new long[] {1}, ElementType.F32, 4 * n, 0, new long[] {1}), h, back);
            for (int i = 0; i < n; i++) {
                assertEquals(expected[i] << 16, back.getAtIndex(ValueLayout.JAVA_INT, i));
            }
        }
    }

    @Test
    void boolBytesReadAsZeroOrOne() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 0, (byte) 1, (byte) 5, (byte) -1, (byte) 0);
            MemorySegment out = arena.allocate(20);
            run(copy(new long[] {5}, 1, 1, 8, ElementType.BOOL, 5, 0, new long[] {1}, ElementType.I32, 20, 0, new long[] {1}), in, out);
            assertArrayEquals(new int[] {0, 1, 1, 1, 0}, out.toArray(ValueLayout.JAVA_INT));
            MemorySegment ints = arena.allocateFrom(ValueLayout.JAVA_INT, 0, 7, -3, 0, 1);
            MemorySegment bytes = arena.allocate(5);
            run(copy(new long[] {5}, 1, 1, 8, ElementType.I32, 20, 0, new long[] {1}, ElementType.BOOL, 5, 0, new long[] {1}), ints, bytes);
            assertArrayEquals(new byte[] {0, 1, 1, 0, 1}, bytes.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void longsCopyWithStrides() {
        try (Arena arena = Arena.ofConfined()) {
            long[] values = new long[22];
            for (int i = 0; i < values.length; i++) {
                values[i] = (i % 2 == 0 ? Long.MIN_VALUE / 3 : 1L << 40) + i;
            }
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_LONG, values);
            MemorySegment out = arena.allocate(11 * 8);
            run(copy(new long[] {11}, 1, 1, 4, ElementType.I64, 176, 0, new long[] {2}, ElementType.I64, 88, 0, new long[] {1}), in, out);
            for (int i = 0; i < 11; i++) {
                assertEquals(values[2 * i], out.getAtIndex(ValueLayout.JAVA_LONG, i));
            }
        }
    }

    @Test
    void rowsFlagStoresOnePartialPerColumnBlock() {
        try (Arena arena = Arena.ofConfined()) {
            int rows = 3, cols = 20, tileCols = 8;
            MemorySegment in = arena.allocate(4L * rows * cols);
            float[][] x = new float[rows][cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    x[r][c] = (float) Math.sin(r * 31 + c) * (c % 3 == 0 ? 1e6f : 1f);
                    in.setAtIndex(ValueLayout.JAVA_FLOAT, r * cols + c, x[r][c]);
                }
            }
            MemorySegment out = arena.allocate(4L * rows * 3);
            TestProgram p = new TestProgram(UB);
            p.slot(Isa.SLOT_INPUT, ElementType.F32, 4L * rows * cols);
            p.slot(Isa.SLOT_OUTPUT, ElementType.F32, 4L * rows * 3);
            p.stage(new long[] {rows, cols}, 1, 2, tileCols, 8);
            p.memory(Opcode.LOAD, TestProgram.LOAD_SYNC, X, 0, ElementType.F32, 0, 0, cols, 1);
            p.op(Opcode.REDUCE_SUM, TestProgram.VECTOR_SYNC, Y, X, 2, 8, ElementType.F32.code());
            p.memory(Opcode.STORE, TestProgram.STORE_SYNC, Y, 1, ElementType.F32, Isa.FLAG_ROWS, 0, 3, 1);
            run(p.end().build(), in, out);
            for (int r = 0; r < rows; r++) {
                for (int block = 0; block < 3; block++) {
                    int from = block * tileCols;
                    float[] part = java.util.Arrays.copyOfRange(x[r], from, Math.min(cols, from + tileCols));
                    assertEquals(Float.floatToRawIntBits(canonicalSum(part)), Float.floatToRawIntBits(out.getAtIndex(ValueLayout.JAVA_FLOAT, r * 3 + block)),
                            "row " + r + " block " + block);
                }
            }
        }
    }

    @Test
    void rowsFlagLoadsOneValuePerRow() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bias = floats(arena, 5);
            MemorySegment out = arena.allocate(5 * 9 * 4);
            TestProgram p = new TestProgram(UB);
            p.slot(Isa.SLOT_INPUT, ElementType.F32, 20);
            p.slot(Isa.SLOT_OUTPUT, ElementType.F32, 180);
            p.stage(new long[] {5, 9}, 1, 2, 8, 8);
            p.memory(Opcode.LOAD, TestProgram.LOAD_SYNC, X, 0, ElementType.F32, Isa.FLAG_ROWS, 0, 1, 0);
            p.op(Opcode.BROADCAST_ROW, TestProgram.VECTOR_SYNC, Y, X, 2, 8, ElementType.F32.code());
            p.memory(Opcode.STORE, TestProgram.STORE_SYNC, Y, 1, ElementType.F32, 0, 0, 9, 1);
            run(p.end().build(), bias, out);
            for (int i = 0; i < 45; i++) {
                assertEquals(bias.getAtIndex(ValueLayout.JAVA_FLOAT, i / 9), out.getAtIndex(ValueLayout.JAVA_FLOAT, i), "element " + i);
            }
        }
    }

    /** The canonical REDUCE_SUM order, written out independently of the VM. */
    static float canonicalSum(float[] x) {
        float[] p = new float[16];
        java.util.Arrays.fill(p, -0f);
        for (int c = 0; c < x.length; c++) {
            p[c % 16] += x[c];
        }
        for (int width = 8; width >= 1; width /= 2) {
            for (int i = 0; i < width; i++) {
                p[i] += p[i + width];
            }
        }
        return p[0];
    }
}
