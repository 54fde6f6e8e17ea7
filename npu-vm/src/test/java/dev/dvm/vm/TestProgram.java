package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramWriter;
import dev.dvm.bytecode.Sync;

/** Builds small programs by hand for the VM tests: slots, stages and instructions with explicit events. */
final class TestProgram {
    /** Sync bits of the canonical single-load element-wise pipeline (see {@link #unary}). */
    static final int LOAD_SYNC = Sync.of(Sync.SET, 0) | Sync.of(Sync.BACK_WAIT, 0);
    static final int VECTOR_SYNC = Sync.of(Sync.WAIT, 0) | Sync.of(Sync.SET, 0) | Sync.of(Sync.BACK_WAIT, 0) | Sync.of(Sync.BACK_SET, 0);
    static final int STORE_SYNC = Sync.of(Sync.WAIT, 0) | Sync.of(Sync.BACK_SET, 0);

    private final ProgramWriter writer = new ProgramWriter();

    TestProgram(int ubBytes) {
        writer.ubBytes(ubBytes).simdWidth(8);
    }

    int slot(int kind, ElementType type, long bytes) {
        return writer.slot(kind, type, bytes);
    }

    /** Opens a stage over {@code dims}, the last {@code inner} of them columns, in tiles of rows × cols with the given pitch. */
    TestProgram stage(long[] dims, int inner, int rows, int cols, int pitch) {
        long totalRows = 1;
        long totalCols = 1;
        for (int d = 0; d < dims.length; d++) {
            if (d < dims.length - inner) {
                totalRows *= dims[d];
            } else {
                totalCols *= dims[d];
            }
        }
        long tiles = totalRows * totalCols == 0 ? 0 : ceil(totalRows, rows) * ceil(totalCols, cols);
        long[] operands = new long[7 + dims.length];
        operands[0] = tiles;
        operands[2] = rows;
        operands[3] = cols;
        operands[4] = pitch;
        operands[5] = dims.length;
        operands[6] = inner;
        System.arraycopy(dims, 0, operands, 7, dims.length);
        op(Opcode.STAGE, Sync.NONE, operands);
        return this;
    }

    /** A LOAD or STORE: ub address, slot, type, flags, element offset, strides. Returns the code word index of its head. */
    int memory(Opcode op, int sync, int ub, int slot, ElementType type, int flags, long offset, long... strides) {
        long[] operands = new long[6 + strides.length];
        operands[0] = ub;
        operands[1] = slot;
        operands[2] = type.code();
        operands[3] = flags;
        operands[4] = strides.length;
        operands[5] = offset;
        System.arraycopy(strides, 0, operands, 6, strides.length);
        return op(op, sync, operands);
    }

    /**
     * A MATMUL from element 0 of slots {@code a} and {@code b}: k, the k strides, then one stride per
     * domain dim for each operand. Returns the code word index of its head.
     */
    int matmul(int sync, int dst, int a, ElementType aType, int b, ElementType bType, long k, long aK, long bK, long[] aStrides,
            long[] bStrides) {
        int rank = aStrides.length;
        // an ungrouped product: its group list operands stay 0
        int first = Layout.MATMUL.fixedCount();
        long[] operands = new long[first + 2 * rank];
        long[] fixed = {dst, a, aType.code(), b, bType.code(), 0, 2 * rank, k, aK, bK, 0, 0};
        System.arraycopy(fixed, 0, operands, 0, fixed.length);
        System.arraycopy(aStrides, 0, operands, first, rank);
        System.arraycopy(bStrides, 0, operands, first + rank, rank);
        return op(Opcode.MATMUL, sync, operands);
    }

    /** Any instruction with its operands in layout order; returns the code word index of its head. */
    int op(Opcode op, int sync, long... operands) {
        writer.begin(op, sync);
        for (long v : operands) {
            writer.operand(v);
        }
        return writer.end();
    }

    TestProgram end() {
        op(Opcode.END, Sync.NONE);
        return this;
    }

    Program build() {
        return writer.toProgram();
    }

    /** {@code program} with the sync bits of the instruction whose head is code word {@code head} replaced. */
    static Program withSync(Program program, int head, int sync) {
        long[] words = program.words();
        int at = program.codeStart() + head;
        words[at] = words[at] & ~(0xFFFFL << 16) | (long) sync << 16;
        return new Program(words);
    }

    /**
     * A one-stage element-wise program over a rows × cols F32 matrix: y = op(x), tiles of
     * {@code tileRows} × {@code tileCols}, with the canonical event pipeline (forward pairs
     * inside a tile, back pairs guarding buffer reuse across tiles). Slot 0 is x, slot 1 is y.
     */
    static Program unary(Opcode op, long rows, long cols, int tileRows, int tileCols) {
        return elementwise(rows, cols, tileRows, tileCols, (p, dst, words) -> p.op(op, VECTOR_SYNC, dst, 0, words, ElementType.F32.code()));
    }

    /** The one vector instruction of {@link #elementwise}: from the buffer at 0 into the one at {@code dst}, {@code words} long. */
    interface VectorStep {
        void emit(TestProgram p, int dst, long words);
    }

    /** {@link #unary}'s program with {@code step} as its vector instruction (VECTOR_SYNC). */
    static Program elementwise(long rows, long cols, int tileRows, int tileCols, VectorStep step) {
        int pitch = (tileCols + 7) / 8 * 8;
        int bytes = tileRows * pitch * 4;
        TestProgram p = new TestProgram(2 * bytes);
        p.slot(Isa.SLOT_INPUT, ElementType.F32, rows * cols * 4);
        p.slot(Isa.SLOT_OUTPUT, ElementType.F32, rows * cols * 4);
        p.stage(new long[] {rows, cols}, 1, tileRows, tileCols, pitch);
        p.memory(Opcode.LOAD, LOAD_SYNC, 0, 0, ElementType.F32, 0, 0, cols, 1);
        step.emit(p, bytes, (long) tileRows * pitch);
        p.memory(Opcode.STORE, STORE_SYNC, bytes, 1, ElementType.F32, 0, 0, cols, 1);
        return p.end().build();
    }

    static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
