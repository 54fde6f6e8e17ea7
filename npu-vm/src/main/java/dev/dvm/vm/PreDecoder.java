package dev.dvm.vm;

import static dev.dvm.vm.StagePlan.*;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Operands;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramStructure;
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
    /** This thread's shared arrays: what a stage keeps comes from here when an equal one was kept before. */
    final SharedArrays shared = new SharedArrays();

    /**
     * The template: the structure of the last program decoded against a verified structure, with
     * the instruction records of its stages and its slot kinds and types. Records hold only what
     * structure bits fix (opcode, sync, byte offset, type, structural argument, where the numbers
     * start; see {@link StagePlan}) and kinds and types are structure bits, so a program of the same
     * structure (the verifier refuses it otherwise) has equal ones: it takes the template's instead
     * of looking its own up. Its numbers and scalars are decoded as always.
     */
    private ProgramStructure templateStructure;
    private int[][] templateRecords;
    private int[] templateSlotKinds;
    private ElementType[] templateSlotTypes;
    /** The verified structure of the program being decoded; null when it is verified in full. */
    private ProgramStructure structure;
    /** The program being decoded has the template's structure. */
    private boolean fromTemplate;
    /** The last program's slot kinds and types, shared; set at its end. */
    int[] slotKinds;
    ElementType[] slotTypes;

    /** Starts a program whose structure is {@code verified}, or null for one verified in full (never a template). */
    void begin(ProgramStructure verified) {
        structure = verified;
    }

    /**
     * Forgets the last program's results (the scratch buffers, the shared arrays and the template
     * stay), so that a thread's decoder keeps no program's plans (nor the compiled classes they may
     * come to hold) reachable.
     */
    void reset() {
        stages.clear();
        shared.resetKept();
        structure = null;
        fromTemplate = false;
        slotKinds = null;
        slotTypes = null;
    }

    // Scratch, reused across stages and programs (a decoder serves one thread, see Executable.of):
    // each stage keeps exact copies, or the shared arrays equal to them.
    private int slots;
    private int[] kinds = new int[4];
    private ElementType[] types = new ElementType[4];
    private long[] slotBytes = new long[4];
    private int stageAt;
    private long tiles;
    private int rows, cols, pitch, rank, innerRank;
    private int[] dims = new int[8];
    private int[] records = new int[16 * W];
    private int[] nums = new int[16 * 5];
    private long[] scalars = new long[16];
    private long[] strides = new long[16];
    private MemoryPlan[] memory = new MemoryPlan[4];
    private int count, numCount, memoryCount;

    /** The slot byte counts of the last program, a new array (they differ between instances). */
    long[] slotBytes() {
        return Arrays.copyOf(slotBytes, slots);
    }

    @Override
    public void visitHeader(Program program) {
        fromTemplate = structure != null && structure == templateStructure;
        slots = program.slots();
        if (kinds.length < slots) {
            kinds = new int[slots];
            types = new ElementType[slots];
            slotBytes = new long[slots];
        }
    }

    @Override
    public void visitSlot(int slot, int kind, ElementType type, long bytes) {
        kinds[slot] = kind;
        types[slot] = type;
        slotBytes[slot] = bytes;
    }

    @Override
    public void visitInstruction(int at, Opcode op, int sync, Operands ops) {
        if (op == Opcode.STAGE) {
            stage(at, ops);
            return;
        }
        if (op == Opcode.END) {
            // Extents and numbers change with the shape and tiling, seldom equal across instances:
            // copied, not looked up (an entry would keep a young array alive into the old generation).
            int[] stageRecords = fromTemplate ? templateRecords[stages.size()] : shared.ints(records, 0, count * W);
            stages.add(new StagePlan(stages.size(), stageAt, tiles, rows, cols, pitch, shared.copy(dims, 0, rank - innerRank),
                    shared.copy(dims, rank - innerRank, rank), stageRecords, shared.copy(nums, 0, numCount),
                    shared.longs(scalars, 0, count), shared.plans(memory, memoryCount)));
            return;
        }
        if (count * W == records.length) {
            records = Arrays.copyOf(records, records.length * 2);
            scalars = Arrays.copyOf(scalars, scalars.length * 2);
        }
        if (numCount + StagePlan.MAX_NUMBERS > nums.length) {
            nums = Arrays.copyOf(nums, nums.length * 2);
        }
        int r = count * W;
        int p = numCount;
        records[r + OP] = op.ordinal();
        records[r + SYNC] = sync;
        records[r + AT] = at;
        records[r + ARG] = 0;
        records[r + NUM] = p;
        scalars[count] = 0;
        switch (op.layout()) {
            case MEMORY -> memory(r, op, ops);
            case MATMUL -> matmul(r, p, ops);
            case UNARY, BINARY_SCALAR -> {
                type(r, ops.get(3));
                word(p + DST, ops, 0);
                word(p + A, ops, 1);
                set(p + N, ops.get(2));
                if (op.layout() == Layout.BINARY_SCALAR) {
                    // The scalar layout is the unary one followed by the flags and the scalar's bits.
                    records[r + ARG] = (ops.get(4) & Isa.FLAG_SCALAR_LEFT) != 0 ? 1 : 0;
                    scalars[count] = ops.get(5);
                }
            }
            case BINARY -> {
                type(r, ops.get(4));
                word(p + DST, ops, 0);
                word(p + A, ops, 1);
                word(p + B, ops, 2);
                set(p + N, ops.get(3));
            }
            case SELECT -> {
                type(r, ops.get(5));
                word(p + DST, ops, 0);
                word(p + A, ops, 1);
                word(p + B, ops, 2);
                word(p + X, ops, 3);
                set(p + N, ops.get(4));
            }
            case CAST -> {
                type(r, ops.get(3));
                word(p + DST, ops, 0);
                word(p + A, ops, 1);
                set(p + N, ops.get(2));
                records[r + ARG] = (int) ops.get(4);
            }
            case FILL -> {
                type(r, ops.get(2));
                word(p + DST, ops, 0);
                set(p + N, ops.get(1));
                scalars[count] = ops.get(3);
            }
            case IOTA -> {
                type(r, ops.get(2));
                word(p + DST, ops, 0);
                set(p + N, ops.get(1));
                set(p + A, ops.get(3));
                set(p + B, ops.get(4));
            }
            case ROW -> {
                type(r, ops.get(4));
                word(p + DST, ops, 0);
                word(p + A, ops, 1);
                set(p + N, ops.get(2));
                set(p + B, ops.get(3));
            }
            case ROW_BINARY -> {
                type(r, ops.get(5));
                word(p + DST, ops, 0);
                word(p + A, ops, 1);
                word(p + B, ops, 2);
                set(p + N, ops.get(3));
                set(p + X, ops.get(4));
                records[r + ARG] = (ops.get(6) & Isa.FLAG_ROW_LEFT) != 0 ? 1 : 0;
            }
            case STAGE, NONE -> throw new AssertionError(op);
        }
        numCount += StagePlan.numbers(op.layout());
        count++;
    }

    @Override
    public void visitEnd() {
        if (fromTemplate) {
            slotKinds = templateSlotKinds;
            slotTypes = templateSlotTypes;
            return;
        }
        slotKinds = shared.ints(kinds, 0, slots);
        slotTypes = shared.types(types, slots);
        if (structure != null) {
            // the verifier passes the end only for a program it accepted: a sound template
            templateStructure = structure;
            templateRecords = stages.stream().map(stage -> stage.ops).toArray(int[][]::new);
            templateSlotKinds = slotKinds;
            templateSlotTypes = slotTypes;
        }
    }

    private void stage(int at, Operands ops) {
        stageAt = at;
        tiles = ops.get(0);
        rows = ops.getInt(2);
        cols = ops.getInt(3);
        pitch = ops.getInt(4);
        rank = ops.getInt(5);
        innerRank = ops.getInt(6);
        if (dims.length < rank) {
            dims = new int[rank];
        }
        for (int d = 0; d < rank; d++) {
            dims[d] = ops.getInt(7 + d);
        }
        count = 0;
        numCount = 0;
        memoryCount = 0;
    }

    private void memory(int r, Opcode op, Operands ops) {
        ElementType type = ElementType.ofCode(ops.get(2));
        boolean perRow = (ops.get(3) & Isa.FLAG_ROWS) != 0;
        int outer = rank - innerRank;
        // Strides as the operands hold them: the outer dims', then the inner dims' or (ROWS) the column-block stride.
        int n = outer + (perRow ? 1 : innerRank);
        if (strides.length < n) {
            strides = new long[n];
        }
        for (int d = 0; d < n; d++) {
            strides[d] = ops.get(6 + d);
        }
        if (memoryCount == memory.length) {
            memory = Arrays.copyOf(memory, memoryCount * 2);
        }
        records[r + ARG] = memoryCount;
        memory[memoryCount++] = shared.plan(op == Opcode.LOAD, ops.getInt(0) >>> 2, ops.getInt(1), type, perRow, ops.get(5),
                shared.longs(strides, 0, outer), shared.longs(strides, outer, perRow ? outer : n), perRow ? strides[outer] : 0);
        records[r + TYPE] = type.code();
    }

    /**
     * A MATMUL: its two operands as load plans in {@link #memory} (a's at ARG, b's next, then a
     * grouped product's group list; their UB word is the destination), its numbers in {@link #nums}.
     */
    private void matmul(int r, int p, Operands ops) {
        int outer = rank - innerRank;
        if (memoryCount + 3 > memory.length) {
            memory = Arrays.copyOf(memory, memory.length * 2 + 2);
        }
        if (strides.length < rank) {
            strides = new long[rank];
        }
        records[r + ARG] = memoryCount;
        records[r + TYPE] = ElementType.F32.code();
        word(p + DST, ops, 0);
        set(p + N, ops.get(7));
        set(p + A, ops.get(8));
        set(p + B, ops.get(9));
        int flags = (int) ops.get(5);
        set(p + X, flags);
        set(p + GROUPS, ops.get(14));
        set(p + GROUP_STRIDE, ops.get(15));
        set(p + GROUP_ROWS, ops.get(16));
        int first = Layout.MATMUL.fixedCount();
        for (int operand = 0; operand < 2; operand++) {
            for (int d = 0; d < rank; d++) {
                strides[d] = ops.get(first + operand * rank + d);
            }
            memory[memoryCount++] = shared.plan(true, ops.getInt(0) >>> 2, ops.getInt(1 + 2 * operand), ElementType.ofCode(ops.get(2 + 2 * operand)),
                    false, ops.get(10 + operand), shared.longs(strides, 0, outer), shared.longs(strides, outer, rank), 0);
        }
        if (flags != 0) {
            memory[memoryCount++] = shared.plan(true, ops.getInt(0) >>> 2, ops.getInt(12), ElementType.ofCode(ops.get(13)), false, ops.get(17),
                    shared.longs(strides, 0, 0), shared.longs(strides, 0, 0), 0);
        }
    }

    private void type(int r, long code) {
        records[r + TYPE] = (int) code;
    }

    private void set(int at, long value) {
        nums[at] = (int) value;
    }

    private void word(int at, Operands ops, int operand) {
        nums[at] = ops.getInt(operand) >>> 2;
    }
}
