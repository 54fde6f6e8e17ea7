package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.Opcode;

/**
 * One stage, pre-decoded: the tile geometry and the body as flat int records, so the
 * interpreter's loop reads fields and does no bit twiddling. Each instruction has a record of
 * {@link #W} ints in {@link #ops} holding what its program's structure fixes (opcode, sync, byte
 * offset, types, flags, memory plan), equal for every instance of the structure and so shared
 * between them ({@link SharedArrays}), and its numbers (UB addresses, counts, pitches) in
 * {@link #nums}, only as many as its layout has. Immutable and shared by every core.
 */
final class StagePlan {
    /** Ints per instruction record in {@link #ops}. */
    static final int W = 6;
    /**
     * Record fields: opcode ordinal, sync bits, byte offset, type code (CAST: from), the structural
     * argument (BINARY_SCALAR: scalar-left flag, 0 or 1; CAST: the to-type code; ROW_BINARY:
     * row-left flag, 0 or 1; LOAD/STORE: index into {@link #memory}), and where the instruction's
     * numbers start in {@link #nums}.
     */
    static final int OP = 0, SYNC = 1, AT = 2, TYPE = 3, ARG = 4, NUM = 5;
    /**
     * Numbers from the instruction's start in {@link #nums}, UB addresses as int-word indices.
     * UNARY, BINARY_SCALAR (scalar in {@link #scalars}), CAST: DST, N, A=src. BINARY: DST, N, A, B.
     * SELECT: DST, N, A=cond, B=a, X=b. FILL: DST, N (scalar in {@link #scalars}). IOTA: DST, N,
     * A=pitch, B=mod. ROW: DST, N=rows, A=src, B=pitch. ROW_BINARY: DST, N=rows, A, B=row, X=pitch.
     * LOAD/STORE: none (their plan in {@link #memory} has them). MATMUL: DST, N=k, A=k stride of a,
     * B=k stride of b, X=flags, GROUPS, GROUP_STRIDE, GROUP_ROWS (its operands' plans are
     * {@link #memory}[ARG] and [ARG + 1], a grouped product's group list [ARG + 2]).
     */
    static final int DST = 0, N = 1, A = 2, B = 3, X = 4;
    /** MATMUL's further numbers: the group count, b's stride per group (GROUP_M), rows per group (GROUP_K). */
    static final int GROUPS = 5, GROUP_STRIDE = 6, GROUP_ROWS = 7;
    /** The most numbers an instruction has. */
    static final int MAX_NUMBERS = 8;

    static final Opcode[] OPCODES = Opcode.values();

    /** How many numbers an instruction of {@code layout} has in {@link #nums}. */
    static int numbers(Layout layout) {
        return switch (layout) {
            case MEMORY -> 0;
            case FILL -> 2;
            case UNARY, BINARY_SCALAR, CAST -> 3;
            case BINARY, IOTA, ROW -> 4;
            case MATMUL -> MAX_NUMBERS;
            case SELECT, ROW_BINARY -> 5;
            case STAGE, NONE -> throw new AssertionError(layout);
        };
    }

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
    final int[] ops;
    final int[] nums;
    final long[] scalars;
    final MemoryPlan[] memory;
    /**
     * The stage's work in elementwise passes over its elements: its elements, times k for a product
     * (each element is k multiply-adds), saturating at {@link Long#MAX_VALUE}. The device spreads
     * stages over cores by it.
     */
    final long work;
    /** {@link #access()}, derived on first use: only checked mode reads it, so instances do not keep it otherwise. */
    private volatile long[] access;
    /** The JIT tier's compiled form, published once ready; null while the stage is interpreted. */
    volatile Jit.Compiled compiled;
    /** {@link Jit#NEW}, {@link Jit#CLAIMED} (being looked at or compiled) or {@link Jit#SETTLED}. */
    volatile int jitState;
    /** Launches and elements counted towards the JIT thresholds. */
    long jitLaunches, jitElements;

    StagePlan(int index, int byteOffset, long tiles, int rows, int cols, int pitch, int[] outerExtents, int[] innerExtents,
            int[] ops, int[] nums, long[] scalars, MemoryPlan[] memory) {
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
        this.ops = ops;
        this.nums = nums;
        this.scalars = scalars;
        this.memory = memory;
        long depth = 1;
        for (int k = 0; k < length(); k++) {
            if (written(k) == Opcode.MATMUL) {
                depth = Math.max(depth, num(k, N));
            }
        }
        long elements = totalRows * totalCols;
        this.work = Math.multiplyHigh(elements, depth) != 0 ? Long.MAX_VALUE : elements * depth;
    }

    /** The opcode of instruction {@code k} as written (scalar forms stay scalar forms). */
    Opcode written(int k) {
        return OPCODES[ops[k * W + OP]];
    }

    /** The sync bits of instruction {@code k}. */
    int sync(int k) {
        return ops[k * W + SYNC];
    }

    /** The byte offset of instruction {@code k} in its program. */
    int at(int k) {
        return ops[k * W + AT];
    }

    /** The type of instruction {@code k} (CAST: the type it converts from). */
    ElementType type(int k) {
        return ElementType.ofCode(ops[k * W + TYPE]);
    }

    /** The structural argument of instruction {@code k} (see {@link #ARG}). */
    int arg(int k) {
        return ops[k * W + ARG];
    }

    /** Number {@code field} ({@link #DST}, {@link #N}, ...) of instruction {@code k}. */
    int num(int k, int field) {
        return nums[ops[k * W + NUM] + field];
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
        Opcode op = written(k);
        if (op == Opcode.MATMUL) {
            put(a, k, 4L * num(k, DST), (long) rows * pitch * 4, 0, 0, 0, 0);
            return;
        }
        if (op.layout() == Layout.MEMORY) {
            MemoryPlan m = memory[arg(k)];
            long bytes = (long) rows * (m.perRow() ? 1 : pitch) * m.type().ubByteSize();
            put(a, k, m.load() ? 4L * m.ubWord() : 0, m.load() ? bytes : 0, m.load() ? 0 : 4L * m.ubWord(), m.load() ? 0 : bytes, 0, 0);
            return;
        }
        long n = num(k, N);
        long dst = 4L * num(k, DST);
        long size = type(k).ubByteSize();
        switch (op.layout()) {
            case UNARY, BINARY_SCALAR, BINARY -> {
                long in = n * size;
                long out = op.result() == Opcode.Result.BOOL ? n * 4 : in;
                put(a, k, dst, out, 4L * num(k, A), in, op.layout() == Layout.BINARY ? 4L * num(k, B) : 0, op.layout() == Layout.BINARY ? in : 0);
            }
            case SELECT -> {
                long bytes = n * size;
                put(a, k, dst, bytes, 4L * num(k, A), n * 4, 4L * num(k, B), bytes);
                a[k * 8 + 6] = 4L * num(k, X);
                a[k * 8 + 7] = bytes;
            }
            case CAST -> put(a, k, dst, n * ElementType.ofCode(arg(k)).ubByteSize(), 4L * num(k, A), n * size, 0, 0);
            case FILL, IOTA -> put(a, k, dst, n * size, 0, 0, 0, 0);
            case ROW -> {
                long perRow = n * size;
                long full = perRow * num(k, B);
                boolean broadcast = op == Opcode.BROADCAST_ROW;
                put(a, k, dst, broadcast ? full : perRow, 4L * num(k, A), broadcast ? perRow : full, 0, 0);
            }
            case ROW_BINARY -> {
                long perRow = n * size;
                long full = perRow * num(k, X);
                put(a, k, dst, full, 4L * num(k, A), full, 4L * num(k, B), perRow);
            }
            case MEMORY, MATMUL, STAGE, NONE -> throw new AssertionError(op);
        }
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
     * Heap bytes of a plan object, arrays excluded (they may be shared, see {@link SharedArrays}):
     * a 12-byte header, 6 ints, 7 longs and 8 references of 4 bytes (compressed oops), 8-byte aligned.
     */
    static final long OBJECT_BYTES = object(6 * 4 + 7 * 8 + 8 * 4);

    /** Bytes of an object with {@code fieldBytes} of fields: 12-byte header, 8-byte aligned. */
    static long object(int fieldBytes) {
        return (12 + fieldBytes + 7) / 8 * 8;
    }

    /** Bytes of an array of {@code length} elements of {@code size} bytes, header included, 8-byte aligned. */
    static long array(int length, int size) {
        return (16 + (long) length * size + 7) / 8 * 8;
    }

    /** Number of body instructions. */
    int length() {
        return ops.length / W;
    }

    private static long product(int[] extents) {
        long p = 1;
        for (int e : extents) {
            p *= e;
        }
        return p;
    }
}
