package dev.dvm.vm;

import static dev.dvm.vm.StagePlan.*;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Operands;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramVisitor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The interpreter's pre-decoder: a visitor that turns a verified program into {@link StagePlan}s.
 * It trusts the verifier for every range and pairing rule.
 */
final class PreDecoder implements ProgramVisitor {
    private static final int SCALAR_FORM_DELTA = Opcode.ADD_S.code() - Opcode.ADD.code();
    private static final int ROW_FORM_DELTA = Opcode.ADD_R.code() - Opcode.ADD.code();

    /**
     * The tensor∘tensor opcode of a tensor∘scalar or tensor∘row one (ADD for ADD_S and ADD_R): the
     * units implement each operation once.
     */
    static Opcode tensorForm(Opcode form) {
        return Opcode.ofCode(form.code() - (form.layout() == Layout.ROW_BINARY ? ROW_FORM_DELTA : SCALAR_FORM_DELTA));
    }

    final List<StagePlan> stages = new ArrayList<>();

    /**
     * Forgets the last program's results (the scratch buffers stay), so that a thread's decoder
     * keeps no program's plans (nor the compiled classes they may come to hold) reachable.
     */
    void reset() {
        stages.clear();
        memory.clear();
        slotKinds = null;
        slotTypes = null;
        slotBytes = null;
    }
    int[] slotKinds;
    ElementType[] slotTypes;
    long[] slotBytes;

    private int stageAt;
    private long tiles;
    private int rows, cols, pitch;
    private int[] outer, inner;
    private int[] code;
    private long[] scalars;
    private int count;
    private final List<MemoryPlan> memory = new ArrayList<>();

    @Override
    public void visitHeader(Program program) {
        slotKinds = new int[program.slots()];
        slotTypes = new ElementType[program.slots()];
        slotBytes = new long[program.slots()];
    }

    @Override
    public void visitSlot(int slot, int kind, ElementType type, long bytes) {
        slotKinds[slot] = kind;
        slotTypes[slot] = type;
        slotBytes[slot] = bytes;
    }

    @Override
    public void visitInstruction(int at, Opcode op, int sync, Operands ops) {
        if (op == Opcode.STAGE) {
            stageAt = at;
            tiles = ops.get(0);
            rows = ops.getInt(2);
            cols = ops.getInt(3);
            pitch = ops.getInt(4);
            int rank = ops.getInt(5);
            int innerRank = ops.getInt(6);
            outer = new int[rank - innerRank];
            inner = new int[innerRank];
            for (int d = 0; d < rank; d++) {
                int extent = ops.getInt(7 + d);
                if (d < outer.length) {
                    outer[d] = extent;
                } else {
                    inner[d - outer.length] = extent;
                }
            }
            // The record buffers are scratch, reused across stages and programs (a decoder serves one
            // thread, see Executable.of); each stage keeps exact copies.
            if (code == null) {
                code = new int[16 * W];
                scalars = new long[16];
            }
            count = 0;
            memory.clear();
            return;
        }
        if (op == Opcode.END) {
            stages.add(new StagePlan(stages.size(), stageAt, tiles, rows, cols, pitch, outer, inner,
                    Arrays.copyOf(code, count * W), Arrays.copyOf(scalars, count), memory.toArray(MemoryPlan[]::new)));
            return;
        }
        if (count * W == code.length) {
            code = Arrays.copyOf(code, code.length * 2);
            scalars = Arrays.copyOf(scalars, scalars.length * 2);
        }
        int r = count * W;
        code[r + SYNC] = sync;
        code[r + AT] = at;
        switch (op.layout()) {
            case MEMORY -> memory(r, op, ops);
            case UNARY, BINARY_SCALAR -> {
                set(r, TYPE, ops.get(3));
                word(r, DST, ops, 0);
                word(r, A, ops, 1);
                set(r, N, ops.get(2));
                if (op.layout() == Layout.BINARY_SCALAR) {
                    // The scalar layout is the unary one followed by the flags and the scalar's bits.
                    set(r, X, ops.get(4) & Isa.FLAG_SCALAR_LEFT);
                    scalars[count] = ops.get(5);
                }
            }
            case BINARY -> {
                set(r, TYPE, ops.get(4));
                word(r, DST, ops, 0);
                word(r, A, ops, 1);
                word(r, B, ops, 2);
                set(r, N, ops.get(3));
            }
            case SELECT -> {
                set(r, TYPE, ops.get(5));
                word(r, DST, ops, 0);
                word(r, A, ops, 1);
                word(r, B, ops, 2);
                word(r, X, ops, 3);
                set(r, N, ops.get(4));
            }
            case CAST -> {
                set(r, TYPE, ops.get(3));
                word(r, DST, ops, 0);
                word(r, A, ops, 1);
                set(r, N, ops.get(2));
                set(r, X, ops.get(4));
            }
            case FILL -> {
                set(r, TYPE, ops.get(2));
                word(r, DST, ops, 0);
                set(r, N, ops.get(1));
                scalars[count] = ops.get(3);
            }
            case IOTA -> {
                set(r, TYPE, ops.get(2));
                word(r, DST, ops, 0);
                set(r, N, ops.get(1));
                set(r, X, ops.get(3));
                set(r, Y, ops.get(4));
            }
            case ROW -> {
                set(r, TYPE, ops.get(4));
                word(r, DST, ops, 0);
                word(r, A, ops, 1);
                set(r, N, ops.get(2));
                set(r, X, ops.get(3));
            }
            case ROW_BINARY -> {
                set(r, TYPE, ops.get(5));
                word(r, DST, ops, 0);
                word(r, A, ops, 1);
                word(r, B, ops, 2);
                set(r, N, ops.get(3));
                set(r, X, ops.get(4));
                set(r, Y, ops.get(6) & Isa.FLAG_ROW_LEFT);
            }
            case STAGE, NONE -> throw new AssertionError(op);
        }
        code[r + OP] = op.ordinal();
        count++;
    }

    private void memory(int r, Opcode op, Operands ops) {
        ElementType type = ElementType.ofCode(ops.get(2));
        boolean perRow = (ops.get(3) & Isa.FLAG_ROWS) != 0;
        long[] outerStrides = new long[outer.length];
        long[] innerStrides = new long[perRow ? 0 : inner.length];
        for (int d = 0; d < outer.length; d++) {
            outerStrides[d] = ops.get(6 + d);
        }
        for (int d = 0; d < innerStrides.length; d++) {
            innerStrides[d] = ops.get(6 + outer.length + d);
        }
        long colBlockStride = perRow ? ops.get(6 + outer.length) : 0;
        boolean load = op == Opcode.LOAD;
        memory.add(new MemoryPlan(load, ops.getInt(0) >>> 2, ops.getInt(1), type, perRow, ops.get(5),
                outerStrides, innerStrides, colBlockStride));
        code[r + A] = memory.size() - 1;
        code[r + TYPE] = type.code();
    }

    /** The UB footprint of a unary, binary or scalar instruction: result size by the table's Result rule. */


    private void set(int r, int field, long value) {
        code[r + field] = (int) value;
    }

    private void word(int r, int field, Operands ops, int operand) {
        code[r + field] = ops.getInt(operand) >>> 2;
    }
}
