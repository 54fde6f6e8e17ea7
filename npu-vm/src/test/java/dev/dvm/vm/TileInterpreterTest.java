package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Program;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The interpreter's dispatch, through real launches: every tensor∘scalar instruction, with the
 * scalar on the right and on the left, must compute {@code x op s} (or {@code s op x}) from its
 * immediate scalar. The tile's input sits at UB address 0, so an instruction dispatched as its
 * tensor form (reading operand b from address 0) would compute {@code x op x} and fail.
 */
class TileInterpreterTest {
    private static final int ROWS = 6, COLS = 40;

    @Test
    void scalarFormsComputeWithTheirImmediateOnEitherSide() {
        Random random = new Random(5);
        try (Arena arena = Arena.ofShared(); Device device = new Device(NpuSpec.host().withCores(2))) {
            for (Opcode op : Opcode.values()) {
                if (op.layout() != Layout.BINARY_SCALAR) {
                    continue;
                }
                assertEquals(op.name(), PreDecoder.tensorForm(op).name() + "_S");
                for (ElementType type : new ElementType[] {ElementType.F32, ElementType.I32}) {
                    if (!op.types().contains(type)) {
                        continue;
                    }
                    for (boolean left : new boolean[] {false, true}) {
                        check(device, arena, random, op, type, left);
                    }
                }
            }
        }
    }

    private static void check(Device device, Arena arena, Random random, Opcode op, ElementType type, boolean left) {
        boolean f32 = type == ElementType.F32;
        // Small values, some equal to the scalar so EQ, GE and LE see both outcomes; integer exponents stay small.
        int s = 3;
        MemorySegment x = arena.allocate(4L * ROWS * COLS);
        for (int i = 0; i < ROWS * COLS; i++) {
            int v = random.nextInt(4) == 0 ? s : random.nextInt(13) - 4;
            x.setAtIndex(ValueLayout.JAVA_INT, i, f32 ? Float.floatToRawIntBits(v * 1.25f) : v);
        }
        long scalarBits = f32 ? Float.floatToRawIntBits(s * 1.25f) : s;
        MemorySegment y = arena.allocate(4L * ROWS * COLS);
        device.launch(Executable.of(program(op, type, left, scalarBits), device.spec()), new Bindings(2).set(0, x, 0).set(1, y, 0));
        for (int i = 0; i < ROWS * COLS; i++) {
            int a = x.getAtIndex(ValueLayout.JAVA_INT, i);
            int expected = f32
                    ? left ? f32(op, Float.intBitsToFloat((int) scalarBits), Float.intBitsToFloat(a)) : f32(op, Float.intBitsToFloat(a), Float.intBitsToFloat((int) scalarBits))
                    : left ? i32(op, s, a) : i32(op, a, s);
            assertEquals(expected, y.getAtIndex(ValueLayout.JAVA_INT, i), op + " " + type + (left ? " scalar left" : "") + ", element " + i + " = " + (f32 ? Float.intBitsToFloat(a) : a));
        }
    }

    /** LOAD x to UB 0, the scalar instruction into a second buffer, STORE it; tiles of 4 × 16. */
    private static Program program(Opcode op, ElementType type, boolean left, long scalar) {
        int tileRows = 4, tileCols = 16;
        int bytes = tileRows * tileCols * 4;
        TestProgram p = new TestProgram(2 * bytes);
        p.slot(Isa.SLOT_INPUT, type, 4L * ROWS * COLS);
        p.slot(Isa.SLOT_OUTPUT, ElementType.I32, 4L * ROWS * COLS);
        p.stage(new long[] {ROWS, COLS}, 1, tileRows, tileCols, tileCols);
        p.memory(Opcode.LOAD, TestProgram.LOAD_SYNC, 0, 0, type, 0, 0, COLS, 1);
        p.op(op, TestProgram.VECTOR_SYNC, bytes, 0, tileRows * tileCols, type.code(), left ? Isa.FLAG_SCALAR_LEFT : 0, scalar);
        p.memory(Opcode.STORE, TestProgram.STORE_SYNC, bytes, 1, ElementType.I32, 0, 0, COLS, 1);
        return p.end().build();
    }

    /** The F32 result bits (compares and logic: 0 or 1) of {@code a op b}, {@code op} a scalar form. */
    private static int f32(Opcode op, float a, float b) {
        return switch (op) {
            case EQ_S -> a == b ? 1 : 0;
            case NE_S -> a != b ? 1 : 0;
            case GT_S -> a > b ? 1 : 0;
            case GE_S -> a >= b ? 1 : 0;
            case LT_S -> a < b ? 1 : 0;
            case LE_S -> a <= b ? 1 : 0;
            case AND_S -> a != 0 && b != 0 ? 1 : 0;
            case OR_S -> a != 0 || b != 0 ? 1 : 0;
            case ADD_S -> Float.floatToRawIntBits(a + b);
            case SUB_S -> Float.floatToRawIntBits(a - b);
            case MUL_S -> Float.floatToRawIntBits(a * b);
            case DIV_S -> Float.floatToRawIntBits(a / b);
            case POW_S -> Float.floatToRawIntBits((float) StrictMath.pow(a, b));
            case MAX_S -> Float.floatToRawIntBits(Math.max(a, b));
            case MIN_S -> Float.floatToRawIntBits(Math.min(a, b));
            default -> throw new AssertionError(op);
        };
    }

    private static int i32(Opcode op, int a, int b) {
        return switch (op) {
            case EQ_S -> a == b ? 1 : 0;
            case NE_S -> a != b ? 1 : 0;
            case GT_S -> a > b ? 1 : 0;
            case GE_S -> a >= b ? 1 : 0;
            case LT_S -> a < b ? 1 : 0;
            case LE_S -> a <= b ? 1 : 0;
            case AND_S -> a != 0 && b != 0 ? 1 : 0;
            case OR_S -> a != 0 || b != 0 ? 1 : 0;
            case ADD_S -> a + b;
            case SUB_S -> a - b;
            case MUL_S -> a * b;
            case POW_S -> b < 0 ? (a == 1 ? 1 : a == -1 ? (b % 2 == 0 ? 1 : -1) : 0) : (int) Math.round(Math.pow(a, b));
            case MAX_S -> Math.max(a, b);
            case MIN_S -> Math.min(a, b);
            default -> throw new AssertionError(op);
        };
    }
}
