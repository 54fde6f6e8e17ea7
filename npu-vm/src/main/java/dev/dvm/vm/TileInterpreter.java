package dev.dvm.vm;

import static dev.dvm.vm.StagePlan.*;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Opcode;
import java.lang.foreign.MemorySegment;

/**
 * One core's interpreter: its unified buffer, vector unit and transfer engines. For each tile of
 * its range it computes the tile register and replays the stage body in program order, one
 * handler call per instruction (the fast mode ignores event flags; with an {@link EventChecker}
 * it models them). Allocates nothing per tile.
 */
final class TileInterpreter {
    private final int[] ub;
    private final VectorUnit unit;
    private final Transfer transfer;
    private final EventChecker checker;

    TileInterpreter(NpuSpec spec, boolean scalarUnit, boolean checked) {
        this.ub = new int[spec.ubBytes() / 4];
        this.unit = VectorUnit.create(ub, scalarUnit);
        this.transfer = new Transfer(ub);
        this.checker = checked ? new EventChecker(spec.ubBytes()) : null;
    }

    /** Runs tiles {@code [first, end)} of {@code st} with slots bound to {@code segments} from byte {@code bases}. */
    void run(StagePlan st, long first, long end, MemorySegment[] segments, long[] bases) {
        if (checker != null) {
            checker.begin(st, first, end);
        }
        int[] code = st.code;
        long[] scalars = st.scalars;
        MemoryPlan[] memory = st.memory;
        for (long t = first; t < end; t++) {
            long rowBlock = t / st.colBlocks;
            long colBlock = t - rowBlock * st.colBlocks;
            long rowStart = rowBlock * st.rows;
            long colStart = colBlock * st.cols;
            int rows = (int) Math.min(st.rows, st.totalRows - rowStart);
            int cols = (int) Math.min(st.cols, st.totalCols - colStart);
            for (int pc = 0, k = 0; pc < code.length; pc += W, k++) {
                if (checker != null) {
                    checker.before(t, k);
                }
                Opcode op = OPCODES[code[pc + OP]];
                ElementType type = ElementType.ofCode(code[pc + TYPE]);
                switch (op.layout()) {
                    case MEMORY -> {
                        MemoryPlan m = memory[code[pc + A]];
                        transfer.run(m, st, segments[m.slot()], bases[m.slot()], rowStart, rows, colStart, cols, colBlock);
                    }
                    case UNARY -> unit.unary(op, type, code[pc + DST], code[pc + A], code[pc + N]);
                    case BINARY -> unit.binary(op, type, code[pc + DST], code[pc + A], code[pc + B], code[pc + N]);
                    case BINARY_SCALAR -> unit.binaryScalar(PreDecoder.tensorForm(op), type, code[pc + DST], code[pc + A], code[pc + N], scalars[k], code[pc + X] != 0);
                    case SELECT -> unit.select(type, code[pc + DST], code[pc + A], code[pc + B], code[pc + X], code[pc + N]);
                    case CAST -> unit.cast(type, ElementType.ofCode(code[pc + X]), code[pc + DST], code[pc + A], code[pc + N]);
                    case FILL -> unit.fill(type, code[pc + DST], code[pc + N], scalars[k]);
                    case IOTA -> unit.iota(type, code[pc + DST], code[pc + N], code[pc + X], code[pc + Y], colStart);
                    case ROW -> {
                        if (op == Opcode.BROADCAST_ROW) {
                            unit.broadcastRow(type, code[pc + DST], code[pc + A], code[pc + N], code[pc + X]);
                        } else {
                            unit.reduce(op, type, code[pc + DST], code[pc + A], code[pc + N], code[pc + X], cols);
                        }
                    }
                    case ROW_BINARY -> unit.rowBinary(PreDecoder.tensorForm(op), type, code[pc + DST], code[pc + A], code[pc + B], code[pc + N],
                            code[pc + X], code[pc + Y] != 0);
                    case STAGE, NONE -> throw new AssertionError(op);
                }
                if (checker != null) {
                    checker.after(t, k);
                }
            }
        }
    }
}
