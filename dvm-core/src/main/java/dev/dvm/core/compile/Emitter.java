package dev.dvm.core.compile;

import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.ProgramWriter;
import dev.dvm.core.DvmException;
import dev.dvm.core.compile.Body.Access;
import dev.dvm.core.compile.Body.Instr;

/** Pass 7: writes one tiled, allocated, synchronised stage body as STAGE … END. */
final class Emitter {
    private Emitter() {}

    /** Emits the stage, {@code sync} holding each instruction's flags, and returns the UB bytes it addresses. */
    static long emit(ProgramWriter w, Body body, Instr[] code, int[] sync, Tiler.Tiling tiling, UbAllocator alloc) {
        long fullUnit = tiling.fullUnitBytes();
        long rowUnit = tiling.rowUnitBytes();
        long rowBase = alloc.fullUnits * fullUnit;
        long[] address = new long[body.bufferCount];
        for (int b = 0; b < body.bufferCount; b++) {
            address[b] = body.rowBuffer[b] ? rowBase + alloc.offset[b] * rowUnit : alloc.offset[b] * fullUnit;
        }
        long full = tiling.rows() * tiling.pitch();
        long rows = tiling.rows();
        long[] extents = body.extents;
        w.begin(Opcode.STAGE, 0).operand(tiling.tiles()).operand(0).operand(tiling.rows()).operand(tiling.cols()).operand(tiling.pitch())
                .operand(extents.length).operand(tiling.inner());
        for (long e : extents) {
            w.operand(e);
        }
        w.end();
        int outer = extents.length - tiling.inner();
        for (int i = 0; i < code.length; i++) {
            Instr in = code[i];
            long n = body.rowBuffer[in.buffer()] ? rows : full;
            w.begin(in.op, sync[i]);
            switch (in.op.layout()) {
                case MEMORY -> memory(w, in, address[in.buffer()], outer);
                case MATMUL -> product(w, in, address[in.dst], tiling.totalRows());
                case UNARY -> w.operand(address[in.dst]).operand(address[in.a]).operand(n).operand(in.type.code());
                case BINARY -> w.operand(address[in.dst]).operand(address[in.a]).operand(address[in.b]).operand(n).operand(in.type.code());
                case BINARY_SCALAR -> w.operand(address[in.dst]).operand(address[in.a]).operand(n).operand(in.type.code()).operand(in.flags)
                        .operand(in.scalar);
                case SELECT -> w.operand(address[in.dst]).operand(address[in.a]).operand(address[in.b]).operand(address[in.c]).operand(n)
                        .operand(in.type.code());
                case CAST -> w.operand(address[in.dst]).operand(address[in.a]).operand(n).operand(in.type.code()).operand(in.to.code());
                case FILL -> w.operand(address[in.dst]).operand(n).operand(in.type.code()).operand(in.scalar);
                case IOTA -> w.operand(address[in.dst]).operand(n).operand(in.type.code()).operand(tiling.pitch()).operand(in.mod);
                case ROW -> w.operand(address[in.dst]).operand(address[in.a]).operand(rows).operand(tiling.pitch()).operand(in.type.code());
                case ROW_BINARY -> w.operand(address[in.dst]).operand(address[in.a]).operand(address[in.b]).operand(rows).operand(tiling.pitch())
                        .operand(in.type.code()).operand(in.flags);
                default -> throw new IllegalStateException(in.op + " inside a stage body");
            }
            w.end();
        }
        w.begin(Opcode.END, 0).end();
        return rowBase + alloc.rowUnits * rowUnit;
    }

    private static void memory(ProgramWriter w, Instr in, long address, int outer) {
        Access a = in.access;
        w.operand(address).operand(a.slot).operand(a.type.code()).operand(a.rows ? Isa.FLAG_ROWS : 0);
        int rank = a.rows ? outer + 1 : a.strides.length;
        w.operand(rank).operand(a.offset);
        for (int d = 0; d < (a.rows ? outer : rank); d++) {
            stride(w, a.strides[d]);
        }
        if (a.rows) {
            stride(w, a.blockStride);
        }
    }

    /**
     * A MATMUL. Split over k by groups (GROUP_K, SPLIT_K), the group axis is the outermost row axis
     * (the folder keeps it apart), so each group has the stage's rows divided by the group count.
     */
    private static void product(ProgramWriter w, Instr in, long address, long totalRows) {
        Access a = in.access, b = in.bAccess;
        long k = in.kNumbers[0];
        if (k > Isa.MAX_EXTENT) {
            throw new DvmException("a product's inner dim K = " + k + " exceeds the bytecode's limit " + Isa.MAX_EXTENT + "; split K over several products");
        }
        w.operand(address).operand(a.slot).operand(a.type.code()).operand(b.slot).operand(b.type.code()).operand(in.flags).operand(2L * a.strides.length)
                .operand(k);
        stride(w, in.kNumbers[1]);
        stride(w, in.kNumbers[2]);
        w.operand(a.offset).operand(b.offset);
        Access g = in.groupAccess;
        w.operand(g != null ? g.slot : 0).operand(g != null ? g.type.code() : 0).operand(in.kNumbers[3]);
        stride(w, in.kNumbers[4]);
        long groups = in.kNumbers[3];
        boolean byK = in.flags == Isa.FLAG_GROUP_K || in.flags == Isa.FLAG_SPLIT_K;
        w.operand(byK && groups > 0 ? totalRows / groups : 0).operand(g != null ? g.offset : 0);
        for (long s : a.strides) {
            stride(w, s);
        }
        for (long s : b.strides) {
            stride(w, s);
        }
    }

    private static void stride(ProgramWriter w, long stride) {
        if (stride > Isa.MAX_EXTENT) {
            throw new DvmException("a tensor stride of " + stride + " elements exceeds the bytecode's limit " + Isa.MAX_EXTENT
                    + "; pass a contiguous tensor or a smaller view");
        }
        w.operand(stride);
    }
}
