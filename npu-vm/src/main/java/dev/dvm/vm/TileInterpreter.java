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
    private final CubeUnit cube;
    private final EventChecker checker;

    TileInterpreter(NpuSpec spec, boolean scalarUnit, boolean checked) {
        this.ub = new int[spec.ubBytes() / 4];
        this.unit = VectorUnit.create(ub, scalarUnit);
        this.transfer = new Transfer(ub);
        this.cube = new CubeUnit(ub, spec);
        this.checker = checked ? new EventChecker(spec.ubBytes()) : null;
    }

    /** Runs tiles {@code [first, end)} of {@code st} with slots bound to {@code segments} from byte {@code bases}. */
    void run(StagePlan st, long first, long end, MemorySegment[] segments, long[] bases) {
        if (checker != null) {
            checker.begin(st, first, end);
        }
        int[] ops = st.ops;
        int[] nums = st.nums;
        long[] scalars = st.scalars;
        MemoryPlan[] memory = st.memory;
        for (long t = first; t < end; t++) {
            long rowBlock = t / st.colBlocks;
            long colBlock = t - rowBlock * st.colBlocks;
            long rowStart = rowBlock * st.rows;
            long colStart = colBlock * st.cols;
            int rows = (int) Math.min(st.rows, st.totalRows - rowStart);
            int cols = (int) Math.min(st.cols, st.totalCols - colStart);
            for (int pc = 0, k = 0; pc < ops.length; pc += W, k++) {
                if (checker != null) {
                    checker.before(t, k);
                }
                Opcode op = OPCODES[ops[pc + OP]];
                ElementType type = ElementType.ofCode(ops[pc + TYPE]);
                int p = ops[pc + NUM];
                switch (op.layout()) {
                    case MEMORY -> {
                        MemoryPlan m = memory[ops[pc + ARG]];
                        transfer.run(m, st, segments[m.slot()], bases[m.slot()], rowStart, rows, colStart, cols, colBlock);
                    }
                    case MATMUL -> cube.run(st, memory, ops[pc + ARG], nums, p, segments, bases, rowStart, rows, colStart, cols);
                    case UNARY -> unit.unary(op, type, nums[p + DST], nums[p + A], nums[p + N]);
                    case BINARY -> unit.binary(op, type, nums[p + DST], nums[p + A], nums[p + B], nums[p + N]);
                    case BINARY_SCALAR -> unit.binaryScalar(PreDecoder.tensorForm(op), type, nums[p + DST], nums[p + A], nums[p + N], scalars[k],
                            ops[pc + ARG] != 0);
                    case SELECT -> unit.select(type, nums[p + DST], nums[p + A], nums[p + B], nums[p + X], nums[p + N]);
                    case CAST -> unit.cast(type, ElementType.ofCode(ops[pc + ARG]), nums[p + DST], nums[p + A], nums[p + N]);
                    case FILL -> unit.fill(type, nums[p + DST], nums[p + N], scalars[k]);
                    case IOTA -> unit.iota(type, nums[p + DST], nums[p + N], nums[p + A], nums[p + B], colStart);
                    case ROW -> {
                        if (op == Opcode.BROADCAST_ROW) {
                            unit.broadcastRow(type, nums[p + DST], nums[p + A], nums[p + N], nums[p + B]);
                        } else {
                            unit.reduce(op, type, nums[p + DST], nums[p + A], nums[p + N], nums[p + B], cols);
                        }
                    }
                    case ROW_BINARY -> unit.rowBinary(PreDecoder.tensorForm(op), type, nums[p + DST], nums[p + A], nums[p + B], nums[p + N],
                            nums[p + X], ops[pc + ARG] != 0);
                    case STAGE, NONE -> throw new AssertionError(op);
                }
                if (checker != null) {
                    checker.after(t, k);
                }
            }
        }
    }
}
