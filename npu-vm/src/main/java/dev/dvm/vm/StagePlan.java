package dev.dvm.vm;

import dev.dvm.bytecode.Opcode;

/**
 * One stage, pre-decoded: the tile geometry and the body as flat int records of {@link #W} ints
 * per instruction, so the interpreter's loop reads fields and does no bit twiddling. Immutable
 * and shared by every core.
 */
final class StagePlan {
    /** Ints per instruction record. */
    static final int W = 10;
    /** Record fields: opcode ordinal, sync bits, byte offset, type code (CAST: from). */
    static final int OP = 0, SYNC = 1, AT = 2, TYPE = 3;
    /**
     * Operand fields, UB addresses as int-word indices. UNARY: DST, A=src, N. BINARY: DST, A, B, N.
     * BINARY_SCALAR: DST, A, N, X=scalar-left flag, scalar in {@link #scalars}. SELECT: DST, A=cond,
     * B=a, N, X=b. CAST: DST, A=src, N, X=to. FILL: DST, N, scalar. IOTA: DST, N, X=pitch, Y=mod.
     * ROW: DST, A=src, N=rows, X=pitch. ROW_BINARY: DST, A, B=row, N=rows, X=pitch, Y=row-left flag. LOAD/STORE: A=index into {@link #memory}.
     */
    static final int DST = 4, A = 5, B = 6, N = 7, X = 8, Y = 9;

    static final Opcode[] OPCODES = Opcode.values();

    final int index;
    final int byteOffset;
    final long tiles;
    final int rows;
    final int cols;
    final int pitch;
    final long totalRows;
    final long totalCols;
    final long colBlocks;
    /** Extents of the outer dims (rows) and inner dims (columns), outermost first. */
    final int[] outerExtents;
    final int[] innerExtents;
    final int[] code;
    final long[] scalars;
    final MemoryPlan[] memory;
    /** Per instruction (checked mode): write address, write bytes, then up to three reads (address, bytes); bytes 0 = none. */
    final long[] access;
    /** Per instruction, the opcode as written (scalar forms stay scalar forms), for reports. */
    final Opcode[] written;

    StagePlan(int index, int byteOffset, long tiles, int rows, int cols, int pitch, int[] outerExtents, int[] innerExtents,
            int[] code, long[] scalars, MemoryPlan[] memory, long[] access, Opcode[] written) {
        this.index = index;
        this.byteOffset = byteOffset;
        this.tiles = tiles;
        this.rows = rows;
        this.cols = cols;
        this.pitch = pitch;
        this.outerExtents = outerExtents;
        this.innerExtents = innerExtents;
        this.totalRows = product(outerExtents);
        this.totalCols = product(innerExtents);
        this.colBlocks = (totalCols + cols - 1) / cols;
        this.code = code;
        this.scalars = scalars;
        this.memory = memory;
        this.access = access;
        this.written = written;
    }

    /**
     * Heap bytes of this plan: 16-byte object headers, 4-byte references (compressed oops), arrays
     * with their 16-byte headers; the opcode constants in {@link #written} are shared and not counted.
     */
    long heapBytes() {
        long bytes = 16 + 4 * 4 + 8 * 4 + 4 * 4 + 4 * 7;
        bytes += array(outerExtents.length, 4) + array(innerExtents.length, 4) + array(code.length, 4) + array(scalars.length, 8)
                + array(access.length, 8) + array(written.length, 4) + array(memory.length, 4);
        for (MemoryPlan m : memory) {
            bytes += 16 + 4 * 5 + 8 * 2 + array(m.outerStrides().length, 8) + array(m.innerStrides().length, 8);
        }
        return bytes;
    }

    /** Bytes of an array of {@code length} elements of {@code size} bytes, header included, 8-byte aligned. */
    static long array(int length, int size) {
        return (16 + (long) length * size + 7) / 8 * 8;
    }

    /** Number of body instructions. */
    int length() {
        return code.length / W;
    }

    private static long product(int[] extents) {
        long p = 1;
        for (int e : extents) {
            p *= e;
        }
        return p;
    }
}
