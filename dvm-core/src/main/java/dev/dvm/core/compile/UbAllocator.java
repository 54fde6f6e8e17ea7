package dev.dvm.core.compile;

import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.Opcode;
import dev.dvm.core.compile.Body.Instr;

/**
 * Pass 4: assigns every virtual buffer a place in the unified buffer by liveness, in units that do
 * not depend on the tile size: full buffers in a region of full-tile units (one unit = R × P
 * 4-byte elements, I64 takes two), row buffers above it in units of R elements rounded to 32
 * bytes. Buffers written by LOAD and buffers read by STORE keep their place for the whole tile
 * (the events only guard them across tiles); vector temporaries are freed after their last use
 * and reused first-fit, and a lanewise instruction may write over an operand it reads last (a
 * row-operand instruction only over its full operand: the regions differ).
 */
final class UbAllocator {
    /** Unit offset of each buffer inside its region. */
    final int[] offset;
    /** Peak units of the full-buffer region and of the row-buffer region. */
    int fullUnits, rowUnits;

    private UbAllocator(int buffers) {
        offset = new int[buffers];
    }

    static UbAllocator allocate(Body body, Instr[] code) {
        int n = body.bufferCount;
        UbAllocator result = new UbAllocator(n);
        int[] lastUse = new int[n];
        boolean[] pinned = new boolean[n];
        java.util.Arrays.fill(lastUse, -1);
        for (int i = 0; i < code.length; i++) {
            Instr in = code[i];
            if (in.inbound()) {
                pinned[in.dst] = true;
            } else if (in.op == Opcode.STORE) {
                pinned[in.a] = true;
            } else {
                use(lastUse, in.a, i);
                use(lastUse, in.b, i);
                use(lastUse, in.c, i);
            }
        }
        Region full = new Region();
        Region rows = new Region();
        for (int i = 0; i < code.length; i++) {
            Instr in = code[i];
            if (in.op == Opcode.STORE) {
                continue;
            }
            int dst = in.dst;
            Region region = body.rowBuffer[dst] ? rows : full;
            int units = body.units(dst);
            int reused = in.inbound() ? -1 : inPlace(body, in, dst, i, lastUse, pinned);
            result.offset[dst] = reused >= 0 ? result.offset[reused] : region.take(units);
            if (!in.inbound()) {
                release(body, result, full, rows, in.a, reused, i, lastUse, pinned);
                release(body, result, full, rows, in.b, reused, i, lastUse, pinned);
                release(body, result, full, rows, in.c, reused, i, lastUse, pinned);
                if (lastUse[dst] < i && !pinned[dst]) {
                    region.give(result.offset[dst], units);
                }
            }
        }
        result.fullUnits = full.top;
        result.rowUnits = rows.top;
        return result;
    }

    private static void use(int[] lastUse, int buffer, int at) {
        if (buffer >= 0) {
            lastUse[buffer] = at;
        }
    }

    /** An operand that dies here, of the dst's size and region, that a lanewise instruction may overwrite. */
    private static int inPlace(Body body, Instr in, int dst, int at, int[] lastUse, boolean[] pinned) {
        Layout layout = in.op.layout();
        boolean lanewise = layout == Layout.UNARY || layout == Layout.BINARY || layout == Layout.BINARY_SCALAR
                || layout == Layout.SELECT || layout == Layout.CAST || layout == Layout.ROW_BINARY;
        if (!lanewise) {
            return -1;
        }
        int[] operands = {in.a, in.b, in.c};
        for (int o : operands) {
            if (o >= 0 && !pinned[o] && lastUse[o] == at && body.units(o) == body.units(dst) && body.rowBuffer[o] == body.rowBuffer[dst]) {
                return o;
            }
        }
        return -1;
    }

    private static void release(Body body, UbAllocator result, Region full, Region rows, int buffer, int reused, int at, int[] lastUse,
            boolean[] pinned) {
        if (buffer < 0 || buffer == reused || pinned[buffer] || lastUse[buffer] != at) {
            return;
        }
        lastUse[buffer] = -2; // released once even when read twice by this instruction
        (body.rowBuffer[buffer] ? rows : full).give(result.offset[buffer], body.units(buffer));
    }

    /** A first-fit allocator over units with a bump pointer. */
    private static final class Region {
        private int[] start = new int[8];
        private int[] length = new int[8];
        private int holes;
        int top;

        int take(int units) {
            for (int h = 0; h < holes; h++) {
                if (length[h] >= units) {
                    int at = start[h];
                    start[h] += units;
                    length[h] -= units;
                    if (length[h] == 0) {
                        removeHole(h);
                    }
                    return at;
                }
            }
            int at = top;
            top += units;
            return at;
        }

        void give(int at, int units) {
            int h = 0;
            while (h < holes && start[h] < at) {
                h++;
            }
            if (holes == start.length) {
                start = java.util.Arrays.copyOf(start, holes * 2);
                length = java.util.Arrays.copyOf(length, holes * 2);
            }
            System.arraycopy(start, h, start, h + 1, holes - h);
            System.arraycopy(length, h, length, h + 1, holes - h);
            start[h] = at;
            length[h] = units;
            holes++;
            if (h + 1 < holes && start[h] + length[h] == start[h + 1]) {
                length[h] += length[h + 1];
                removeHole(h + 1);
            }
            if (h > 0 && start[h - 1] + length[h - 1] == start[h]) {
                length[h - 1] += length[h];
                removeHole(h);
            }
        }

        private void removeHole(int h) {
            System.arraycopy(start, h + 1, start, h, holes - h - 1);
            System.arraycopy(length, h + 1, length, h, holes - h - 1);
            holes--;
        }
    }
}
