package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import java.util.Arrays;

/**
 * One thread's table of the immutable arrays and memory plans its {@link PreDecoder} kept, so an
 * executable gets the ones equal to an earlier executable's (or stage's) instead of new copies.
 * The instruction records of a program structure, its slot kinds and types, its scalars and the
 * stride arrays of its LOADs and STOREs are the same for every instance of a kernel, and tilings
 * repeat across shapes, so most of what a new instance would keep is already there.
 *
 * <p>Two entries per bucket of the content hash: a third array of a bucket replaces the older
 * entry, which then simply stops being shared. Only arrays up to {@link #MAX_LENGTH} elements are
 * entered, so a table keeps at most a few hundred kilobytes whatever the programs. Arrays that are
 * seldom equal across instances are better {@link #copy copied}: an entry keeps a young array
 * alive into the old generation, which costs the next young collection more than sharing saves.
 * The table counts the bytes of what it had to keep new ({@link #keptBytes}): the estimate of what
 * an executable adds to the heap.
 */
final class SharedArrays {
    /** 128 buckets of two entries: two arrays of one program that hash alike both stay. */
    private static final int BITS = 7, SIZE = 2 << BITS;
    private static final int SAMPLES = 8;
    /** The empty arrays every executable shares (outer extents and strides of a stage without outer dims). */
    private static final int[] NO_INTS = {};
    private static final long[] NO_LONGS = {};
    /** Longest array entered; longer ones are kept as they are, unshared. */
    static final int MAX_LENGTH = 512;
    /** Heap bytes of a {@link MemoryPlan}: 12-byte header, 2 booleans, 2 ints, 2 longs, 3 references, 8-byte aligned. */
    static final long MEMORY_PLAN_BYTES = StagePlan.object(2 + 2 * 4 + 2 * 8 + 3 * 4);

    private final int[][] ints = new int[SIZE][];
    private final long[][] longs = new long[SIZE][];
    private final Object[][] objects = new Object[SIZE][];
    private final MemoryPlan[] plans = new MemoryPlan[SIZE];
    /** Bytes of the arrays and plans returned new (not found in the table) since the last {@link #resetKept}. */
    long keptBytes;

    void resetKept() {
        keptBytes = 0;
    }

    /** A new copy of {@code a[from, to)} (the shared empty array when empty), counted as kept but not entered. */
    int[] copy(int[] a, int from, int to) {
        if (from == to) {
            return NO_INTS;
        }
        keptBytes += StagePlan.array(to - from, 4);
        return Arrays.copyOfRange(a, from, to);
    }

    /** An array equal to {@code a[from, to)}: the table's, or a new copy (entered when short enough). */
    int[] ints(int[] a, int from, int to) {
        if (from == to) {
            return NO_INTS;
        }
        int h = to - from;
        for (int i = from, step = step(from, to); i < to; i += step) {
            h = 31 * h + a[i];
        }
        int slot = slot(31 * h + (to > from ? a[to - 1] : 0));
        for (int k = slot; k < slot + 2; k++) {
            int[] known = ints[k];
            if (known != null && Arrays.equals(known, 0, known.length, a, from, to)) {
                return known;
            }
        }
        int length = to - from;
        int[] copy = Arrays.copyOfRange(a, from, to);
        keptBytes += StagePlan.array(length, 4);
        if (length <= MAX_LENGTH) {
            ints[slot + 1] = ints[slot];
            ints[slot] = copy;
        }
        return copy;
    }

    /** An array equal to {@code a[from, to)}: the table's, or a new copy (entered when short enough). */
    long[] longs(long[] a, int from, int to) {
        if (from == to) {
            return NO_LONGS;
        }
        int h = to - from;
        for (int i = from, step = step(from, to); i < to; i += step) {
            h = 31 * h + Long.hashCode(a[i]);
        }
        int slot = slot(31 * h + (to > from ? Long.hashCode(a[to - 1]) : 0));
        for (int k = slot; k < slot + 2; k++) {
            long[] known = longs[k];
            if (known != null && Arrays.equals(known, 0, known.length, a, from, to)) {
                return known;
            }
        }
        int length = to - from;
        long[] copy = Arrays.copyOfRange(a, from, to);
        keptBytes += StagePlan.array(length, 8);
        if (length <= MAX_LENGTH) {
            longs[slot + 1] = longs[slot];
            longs[slot] = copy;
        }
        return copy;
    }

    /** An array holding the plans of {@code a[0, length)} (from {@link #plan}, compared by identity): the table's, or a new copy. */
    MemoryPlan[] plans(MemoryPlan[] a, int length) {
        int h = length;
        for (int i = 0; i < length; i++) {
            h = 31 * h + hash(a[i].ubWord(), a[i].slot(), a[i].offset());
        }
        return (MemoryPlan[]) objects(a, length, h);
    }

    /** An array equal to {@code a[0, length)}: the table's, or a new copy. */
    ElementType[] types(ElementType[] a, int length) {
        int h = length;
        for (int i = 0; i < length; i++) {
            h = 31 * h + a[i].ordinal();
        }
        return (ElementType[]) objects(a, length, h);
    }

    /** An array of {@code a}'s class holding the elements of {@code a[0, length)} by identity, found by {@code hash}. */
    private Object[] objects(Object[] a, int length, int hash) {
        int slot = slot(hash);
        for (int k = slot; k < slot + 2; k++) {
            Object[] known = objects[k];
            if (known != null && known.getClass() == a.getClass() && known.length == length && sameElements(known, a)) {
                return known;
            }
        }
        Object[] copy = Arrays.copyOf(a, length);
        keptBytes += StagePlan.array(length, 4);
        if (length <= MAX_LENGTH) {
            objects[slot + 1] = objects[slot];
            objects[slot] = copy;
        }
        return copy;
    }

    private static boolean sameElements(Object[] known, Object[] a) {
        for (int i = 0; i < known.length; i++) {
            if (known[i] != a[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A plan with these fields: the table's, or a new one, then entered. The stride arrays must
     * come from this table: they are compared by identity.
     */
    MemoryPlan plan(boolean load, int ubWord, int slot, ElementType type, boolean perRow, long offset, long[] outerStrides,
            long[] innerStrides, long colBlockStride) {
        // Plans of one stage differ in their UB buffer, slot or offset; the rest is compared, not hashed.
        int at = slot(hash(ubWord, slot, offset));
        for (int k = at; k < at + 2; k++) {
            MemoryPlan known = plans[k];
            if (known != null && known.load() == load && known.ubWord() == ubWord && known.slot() == slot && known.type() == type
                    && known.perRow() == perRow && known.offset() == offset && known.outerStrides() == outerStrides
                    && known.innerStrides() == innerStrides && known.colBlockStride() == colBlockStride) {
                return known;
            }
        }
        MemoryPlan plan = new MemoryPlan(load, ubWord, slot, type, perRow, offset, outerStrides, innerStrides, colBlockStride);
        keptBytes += MEMORY_PLAN_BYTES;
        plans[at + 1] = plans[at];
        plans[at] = plan;
        return plan;
    }

    /**
     * The stride of the elements a hash reads: at most {@link #SAMPLES} spread over the range (and
     * the last). Equality is checked in full, so a sample only has to tell apart arrays that are
     * kept at the same time, and hashing stays cheap for long records.
     */
    private static int step(int from, int to) {
        return Math.max(1, (to - from) / SAMPLES);
    }

    private static int hash(int ubWord, int slot, long offset) {
        return (ubWord * 31 + slot) * 31 + Long.hashCode(offset);
    }

    /** The first entry of the bucket of {@code hash}. */
    private static int slot(int hash) {
        return ((hash ^ hash >>> 16) * 0x9E3779B9 >>> 32 - BITS) << 1;
    }
}
