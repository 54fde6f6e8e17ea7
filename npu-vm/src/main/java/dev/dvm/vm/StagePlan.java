package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
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
    /** {@link #access()}, derived on first use: only checked mode reads it, so instances do not keep it otherwise. */
    private volatile long[] access;
    /** The JIT tier's compiled form, published once ready; null while the stage is interpreted. */
    volatile Jit.Compiled compiled;
    /** {@link Jit#NEW}, {@link Jit#CLAIMED} (being looked at or compiled) or {@link Jit#SETTLED}. */
    volatile int jitState;
    /** Launches and elements counted towards the JIT thresholds. */
    long jitLaunches, jitElements;

    StagePlan(int index, int byteOffset, long tiles, int rows, int cols, int pitch, int[] outerExtents, int[] innerExtents,
            int[] code, long[] scalars, MemoryPlan[] memory) {
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
    }

    /** The opcode of instruction {@code k} as written (scalar forms stay scalar forms). */
    Opcode written(int k) {
        return OPCODES[code[k * W + OP]];
    }

    /**
     * Per instruction: the UB byte address and byte count it writes, then up to three it reads
     * (bytes 0 = none), for the event checker. Derived from the records; racing threads compute
     * equal tables.
     */
    long[] access() {
        long[] a = access;
        if (a == null) {
            a = new long[length() * 8];
            for (int k = 0; k < length(); k++) {
                footprint(a, k);
            }
            access = a;
        }
        return a;
    }

    private void footprint(long[] a, int k) {
        int r = k * W;
        Opcode op = written(k);
        long n = code[r + N];
        long dst = 4L * code[r + DST], src = 4L * code[r + A], b = 4L * code[r + B], x = 4L * code[r + X];
        switch (op.layout()) {
            case MEMORY -> {
                MemoryPlan m = memory[code[r + A]];
                long bytes = (long) rows * (m.perRow() ? 1 : pitch) * m.type().ubByteSize();
                put(a, k, m.load() ? 4L * m.ubWord() : 0, m.load() ? bytes : 0, m.load() ? 0 : 4L * m.ubWord(), m.load() ? 0 : bytes, 0, 0);
            }
            case UNARY, BINARY_SCALAR, BINARY -> {
                long in = n * type(r).ubByteSize();
                long out = op.result() == Opcode.Result.BOOL ? n * 4 : in;
                put(a, k, dst, out, src, in, b, op.layout() == dev.dvm.bytecode.Layout.BINARY ? in : 0);
            }
            case SELECT -> {
                long bytes = n * type(r).ubByteSize();
                put(a, k, dst, bytes, src, n * 4, b, bytes);
                a[k * 8 + 6] = x;
                a[k * 8 + 7] = bytes;
            }
            case CAST -> put(a, k, dst, n * ElementType.ofCode(code[r + X]).ubByteSize(), src, n * type(r).ubByteSize(), 0, 0);
            case FILL, IOTA -> put(a, k, dst, n * type(r).ubByteSize(), 0, 0, 0, 0);
            case ROW -> {
                long perRow = n * type(r).ubByteSize();
                long full = perRow * code[r + X];
                boolean broadcast = op == Opcode.BROADCAST_ROW;
                put(a, k, dst, broadcast ? full : perRow, src, broadcast ? perRow : full, 0, 0);
            }
            case ROW_BINARY -> {
                long perRow = n * type(r).ubByteSize();
                long full = perRow * code[r + X];
                put(a, k, dst, full, src, full, b, perRow);
            }
            case STAGE, NONE -> throw new AssertionError(op);
        }
    }

    private ElementType type(int r) {
        return ElementType.ofCode(code[r + TYPE]);
    }

    private static void put(long[] a, int k, long w, long wBytes, long r1, long r1Bytes, long r2, long r2Bytes) {
        int at = k * 8;
        a[at] = w;
        a[at + 1] = wBytes;
        a[at + 2] = r1;
        a[at + 3] = r1Bytes;
        a[at + 4] = r2;
        a[at + 5] = r2Bytes;
    }

    /**
     * Heap bytes of this plan: 16-byte object headers, 4-byte references (compressed oops), arrays
     * with their 16-byte headers; the opcode constants in {@link #written} are shared and not counted.
     */
    long heapBytes() {
        long bytes = 16 + 4 * 4 + 8 * 4 + 4 * 4 + 4 * 7 + 4 * 2 + 8 * 2;
        bytes += array(outerExtents.length, 4) + array(innerExtents.length, 4) + array(code.length, 4) + array(scalars.length, 8)
                + array(memory.length, 4);
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
