package dev.dvm.bytecode;

import static dev.dvm.bytecode.Sync.BACK_SET;
import static dev.dvm.bytecode.Sync.BACK_WAIT;
import static dev.dvm.bytecode.Sync.SET;
import static dev.dvm.bytecode.Sync.WAIT;

/**
 * Canonical valid programs for tests, built with {@link ProgramWriter}, plus helpers that corrupt
 * them word by word. Each builder returns a {@link Built} that still holds its writer, so a test
 * can {@link ProgramWriter#patch} one operand and take the program again.
 */
final class Programs {
    /** UB capacity the tests verify against. */
    static final long UB_CAPACITY = 192 * 1024;

    /** Instruction indices of {@link #add()}. */
    static final int ADD_STAGE = 0, ADD_LOAD_A = 1, ADD_LOAD_B = 2, ADD_ADD = 3, ADD_STORE = 4, ADD_END = 5;
    /** Event flags of {@link #add()}: the loads and the store bracket the add with forward and back pairs. */
    static final int SYNC_LOAD_A = Sync.of(BACK_WAIT, 0);
    static final int SYNC_LOAD_B = Sync.of(SET, 0);
    static final int SYNC_ADD = Sync.of(WAIT, 0) | Sync.of(SET, 0) | Sync.of(BACK_WAIT, 0) | Sync.of(BACK_SET, 0);
    static final int SYNC_STORE = Sync.of(WAIT, 0) | Sync.of(BACK_SET, 0);

    /** Instruction indices of {@link #reduceRows()}. */
    static final int RED_STAGE = 0, RED_LOAD = 1, RED_SUM = 2, RED_STORE = 3, RED_END = 4,
            RED2_STAGE = 5, RED2_LOAD = 6, RED2_SUM = 7, RED2_STORE = 8, RED2_END = 9;

    /** Instruction indices of {@link #mixed()}. */
    static final int MIX_STAGE = 0, MIX_LOAD = 1, MIX_EXP = 2, MIX_MUL_S = 3, MIX_IOTA = 4, MIX_CAST = 5, MIX_GT = 6,
            MIX_FILL = 7, MIX_SELECT = 8, MIX_REDUCE_MAX = 9, MIX_BROADCAST = 10, MIX_SUB = 11, MIX_STORE = 12, MIX_END = 13;

    /** Instruction indices of {@link #matmul()}. */
    static final int MM_STAGE = 0, MM_MATMUL = 1, MM_COPY = 2, MM_STORE = 3, MM_END = 4;
    /** Event flags of {@link #matmul()}'s MATMUL: MTE2's, the copy waiting for the product and guarding its buffer. */
    static final int SYNC_MATMUL = Sync.of(SET, 0) | Sync.of(BACK_WAIT, 0);

    private static final long F32 = ElementType.F32.code(), I32 = ElementType.I32.code(), F16 = ElementType.F16.code();

    private Programs() {}

    /** A program being built, with the code-word index of each instruction in order. */
    record Built(ProgramWriter writer, int[] at) {
        Program program() {
            return writer.toProgram();
        }

        /** Byte offset of instruction {@code i} in the finished program. */
        int offset(int i) {
            return (Isa.HEADER_WORDS + writer.slotCount() + at[i]) * 8;
        }

        /** Rewrites operand {@code operand} of instruction {@code i}. */
        Built patch(int i, int operand, long value) {
            writer.patch(at[i], operand, value);
            return this;
        }
    }

    /**
     * out = a + b over f32 [4, 256]: tiles of 2 rows × 128 cols (pitch 128), 4 tiles. UB: a at 0x000,
     * b at 0x400, out at 0x800, 0xC00 bytes.
     */
    static Built add() {
        return add(SYNC_LOAD_A, SYNC_LOAD_B, SYNC_ADD, SYNC_STORE);
    }

    /** {@link #add()} with the given event flags on its load of a, load of b, add and store. */
    static Built add(int syncLoadA, int syncLoadB, int syncAdd, int syncStore) {
        ProgramWriter w = new ProgramWriter().simdWidth(16).ubBytes(0xC00);
        w.slot(Isa.SLOT_INPUT, ElementType.F32, 4096);
        w.slot(Isa.SLOT_INPUT, ElementType.F32, 4096);
        w.slot(Isa.SLOT_OUTPUT, ElementType.F32, 4096);
        int[] at = {
            stage(w, 4, 2, 128, 128, 1, 4, 256),
            memory(w, Opcode.LOAD, syncLoadA, 0x000, 0, F32, 0, 0, 256, 1),
            memory(w, Opcode.LOAD, syncLoadB, 0x400, 1, F32, 0, 0, 256, 1),
            instruction(w, Opcode.ADD, syncAdd, 0x800, 0x000, 0x400, 256, F32),
            memory(w, Opcode.STORE, syncStore, 0x800, 2, F32, 0, 0, 256, 1),
            end(w),
        };
        return new Built(w, at);
    }

    /**
     * Row sums of x: f32 [4, 256], in two stages. The first views x as [4, 2, 128] (inner rank 2),
     * tiles 2 rows × 128 cols and stores one partial per row and column block (flag ROWS) to a
     * [4, 2] workspace; the second sums the two partials of each row into the [4] output.
     */
    static Built reduceRows() {
        ProgramWriter w = new ProgramWriter().simdWidth(16).ubBytes(0x420);
        w.slot(Isa.SLOT_INPUT, ElementType.F32, 4096);
        w.slot(Isa.SLOT_OUTPUT, ElementType.F32, 16);
        w.slot(Isa.SLOT_WORKSPACE, ElementType.F32, 32);
        int[] at = {
            stage(w, 4, 2, 128, 128, 2, 4, 2, 128),
            memory(w, Opcode.LOAD, SYNC_LOAD_A | SYNC_LOAD_B, 0x000, 0, F32, 0, 0, 256, 128, 1),
            instruction(w, Opcode.REDUCE_SUM, SYNC_ADD, 0x400, 0x000, 2, 128, F32),
            memory(w, Opcode.STORE, SYNC_STORE, 0x400, 2, F32, Isa.FLAG_ROWS, 0, 2, 1),
            end(w),
            stage(w, 1, 4, 2, 8, 1, 4, 2),
            memory(w, Opcode.LOAD, Sync.of(SET, 0), 0x000, 2, F32, 0, 0, 2, 1),
            instruction(w, Opcode.REDUCE_SUM, Sync.of(WAIT, 0) | Sync.of(SET, 0), 0x400, 0x000, 4, 8, F32),
            memory(w, Opcode.STORE, Sync.of(WAIT, 0), 0x400, 1, F32, Isa.FLAG_ROWS, 0, 1, 0),
            end(w),
        };
        return new Built(w, at);
    }

    /**
     * One tile of f16 [2, 16] through most vector layouts: y = select(2 × e^x > float(iota mod 5), 2 × e^x, 0.5),
     * minus its row max broadcast over the row; f32 output.
     */
    static Built mixed() {
        ProgramWriter w = new ProgramWriter().simdWidth(8).ubBytes(0x520);
        w.slot(Isa.SLOT_INPUT, ElementType.F16, 64);
        w.slot(Isa.SLOT_OUTPUT, ElementType.F32, 128);
        int[] at = {
            stage(w, 1, 2, 16, 16, 1, 2, 16),
            memory(w, Opcode.LOAD, Sync.of(SET, 0), 0x000, 0, F16, 0, 0, 16, 1),
            instruction(w, Opcode.EXP, Sync.of(WAIT, 0), 0x080, 0x000, 32, F32),
            instruction(w, Opcode.MUL_S, 0, 0x100, 0x080, 32, F32, Isa.FLAG_SCALAR_LEFT, Float.floatToRawIntBits(2.0f)),
            instruction(w, Opcode.IOTA, 0, 0x180, 32, I32, 16, 5),
            instruction(w, Opcode.CAST, 0, 0x200, 0x180, 32, I32, F32),
            instruction(w, Opcode.GT, 0, 0x280, 0x100, 0x200, 32, F32),
            instruction(w, Opcode.FILL, 0, 0x300, 32, F32, Float.floatToRawIntBits(0.5f)),
            instruction(w, Opcode.SELECT, 0, 0x380, 0x280, 0x100, 0x300, 32, F32),
            instruction(w, Opcode.REDUCE_MAX, 0, 0x400, 0x380, 2, 16, F32),
            instruction(w, Opcode.BROADCAST_ROW, 0, 0x420, 0x400, 2, 16, F32),
            instruction(w, Opcode.SUB, Sync.of(SET, 0), 0x4A0, 0x380, 0x420, 32, F32),
            memory(w, Opcode.STORE, Sync.of(WAIT, 0), 0x4A0, 1, F32, 0, 0, 16, 1),
            end(w),
        };
        return new Built(w, at);
    }

    /**
     * c = a · b for f32 a [3, 5] and f16 b [5, 7], over the domain [3, 7] in tiles of 2 rows × 4 cols
     * (pitch 8), 4 tiles: MATMUL into UB 0x00, COPY to 0x40, STORE of f32 c [3, 7]; 0x80 UB bytes.
     * Both operands reach exactly their slot's last element.
     */
    static Built matmul() {
        return matmul(SYNC_MATMUL, 5, 0, 0, 1);
    }

    /** {@link #matmul()} with the given event flags on its MATMUL and these strides (a's per domain dim, then b's). */
    static Built matmul(int syncMatmul, long... strides) {
        ProgramWriter w = new ProgramWriter().simdWidth(16).ubBytes(0x80);
        w.slot(Isa.SLOT_INPUT, ElementType.F32, 3 * 5 * 4);
        w.slot(Isa.SLOT_INPUT, ElementType.F16, 5 * 7 * 2);
        w.slot(Isa.SLOT_OUTPUT, ElementType.F32, 3 * 7 * 4);
        int[] at = {
            stage(w, 4, 2, 4, 8, 1, 3, 7),
            matmul(w, syncMatmul, 0x00, 0, F32, 1, F16, 0, 5, 1, 7, 0, 0, strides),
            instruction(w, Opcode.COPY, SYNC_ADD, 0x40, 0x00, 16, F32),
            memory(w, Opcode.STORE, SYNC_STORE, 0x40, 2, F32, 0, 0, 7, 1),
            end(w),
        };
        return new Built(w, at);
    }

    /** A program of one stage with an empty body: STAGE with these operands, then END. */
    static Built emptyStage(long tiles, long rows, long cols, long pitch, int inner, long... dims) {
        ProgramWriter w = new ProgramWriter().simdWidth(16);
        int[] at = {stage(w, tiles, rows, cols, pitch, inner, dims), end(w)};
        return new Built(w, at);
    }

    /** One stage over [1, 64] (one tile of 1 row × 64 cols) whose body is the single vector instruction given. */
    static Built vector(long ubBytes, Opcode op, long... operands) {
        ProgramWriter w = new ProgramWriter().simdWidth(16).ubBytes(ubBytes);
        int[] at = {stage(w, 1, 1, 64, 64, 1, 1, 64), instruction(w, op, 0, operands), end(w)};
        return new Built(w, at);
    }

    static int stage(ProgramWriter w, long tiles, long rows, long cols, long pitch, int inner, long... dims) {
        w.begin(Opcode.STAGE, 0).operand(tiles).operand(0).operand(rows).operand(cols).operand(pitch).operand(dims.length).operand(inner);
        for (long dim : dims) {
            w.operand(dim);
        }
        return w.end();
    }

    /** LOAD or STORE; the rank is the number of strides. */
    static int memory(ProgramWriter w, Opcode op, int sync, long ub, long slot, long type, long flags, long offset, long... strides) {
        w.begin(op, sync).operand(ub).operand(slot).operand(type).operand(flags).operand(strides.length).operand(offset);
        for (long stride : strides) {
            w.operand(stride);
        }
        return w.end();
    }

    /** MATMUL; the stride count is the number of strides. */
    static int matmul(ProgramWriter w, int sync, long dst, long a, long aType, long b, long bType, long flags, long k, long aK, long bK,
            long aOffset, long bOffset, long... strides) {
        w.begin(Opcode.MATMUL, sync).operand(dst).operand(a).operand(aType).operand(b).operand(bType).operand(flags).operand(strides.length)
                .operand(k).operand(aK).operand(bK).operand(aOffset).operand(bOffset);
        // no group list
        for (int i = 0; i < 6; i++) {
            w.operand(0);
        }
        for (long stride : strides) {
            w.operand(stride);
        }
        return w.end();
    }

    static int instruction(ProgramWriter w, Opcode op, int sync, long... operands) {
        w.begin(op, sync);
        for (long operand : operands) {
            w.operand(operand);
        }
        return w.end();
    }

    static int end(ProgramWriter w) {
        return w.begin(Opcode.END, 0).end();
    }

    /** {@code program} with word {@code index} replaced. */
    static Program withWord(Program program, int index, long word) {
        long[] words = program.words();
        words[index] = word;
        return new Program(words);
    }

    /** {@code program} with the sync bits of the instruction at {@code byteOffset} replaced. */
    static Program withSync(Program program, int byteOffset, int sync) {
        int index = byteOffset / 8;
        return withWord(program, index, program.word(index) & ~0xFFFF_0000L | (long) sync << 16);
    }

    /** {@code program}'s header and slots with {@code code} as its code (the header's code-word count follows). */
    static Program withCode(Program program, long[] code) {
        long[] words = new long[program.codeStart() + code.length];
        System.arraycopy(program.words(), 0, words, 0, program.codeStart());
        System.arraycopy(code, 0, words, program.codeStart(), code.length);
        words[1] = words[1] & ~0xFFFF_FFFFL | code.length;
        return new Program(words);
    }

    /** The code words of {@code program} from code word {@code from} (inclusive) to {@code to} (exclusive). */
    static long[] code(Program program, int from, int to) {
        long[] code = new long[to - from];
        System.arraycopy(program.words(), program.codeStart() + from, code, 0, code.length);
        return code;
    }
}
