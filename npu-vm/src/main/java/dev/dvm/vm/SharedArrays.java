package dev.dvm.vm;

import java.util.Arrays;

/**
 * One thread's table of the immutable arrays and memory plans its {@link PreDecoder} kept, so an
 * executable gets the ones equal to an earlier executable's (or stage's) instead of new copies.
 * The instruction records of a program structure, its slot kinds and types, its scalars and the
 * stride arrays of its LOADs and STOREs are the same for every instance of a kernel, and tilings
 * repeat across shapes, so most of what a new instance would keep is already there.
 *
 * <p>Direct-mapped by content hash: a collision replaces the older entry, which then simply stops
 * being shared. Only arrays up to {@link #MAX_LENGTH} elements are entered, so a table keeps at
 * most a few hundred kilobytes whatever the programs. It counts the bytes of what it had to keep
 * new ({@link #keptBytes}): the estimate of what an executable adds to the heap.
 */
final class SharedArrays {
    private static final int BITS = 7, SIZE = 1 << BITS;
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

    /** An array equal to {@code a[from, to)}: the table's, or a new copy (entered when short enough). */
    int[] ints(int[] a, int from, int to) {
        int h = 1;
        for (int i = from; i < to; i++) {
            h = 31 * h + a[i];
        }
        int slot = slot(h);
        int[] known = ints[slot];
        if (known != null && Arrays.equals(known, 0, known.length, a, from, to)) {
            return known;
        }
        int length = to - from;
        int[] copy = Arrays.copyOfRange(a, from, to);
        keptBytes += StagePlan.array(length, 4);
        if (length <= MAX_LENGTH) {
            ints[slot] = copy;
        }
        return copy;
    }

    /** An array equal to {@code a[from, to)}: the table's, or a new copy (entered when short enough). */
    long[] longs(long[] a, int from, int to) {
        int h = 1;
        for (int i = from; i < to; i++) {
            h = 31 * h + Long.hashCode(a[i]);
        }
        int slot = slot(h);
        long[] known = longs[slot];
        if (known != null && Arrays.equals(known, 0, known.length, a, from, to)) {
            return known;
        }
        int length = to - from;
        long[] copy = Arrays.copyOfRange(a, from, to);
        keptBytes += StagePlan.array(length, 8);
        if (length <= MAX_LENGTH) {
            longs[slot] = copy;
        }
        return copy;
    }

    /**
     * An array of {@code a}'s class equal to {@code a[0, length)} (elements compared by
     * {@code equals}): the table's, or a new copy (entered when short enough).
     */
    @SuppressWarnings("unchecked")
    <T> T[] objects(T[] a, int length) {
        int h = a.getClass().hashCode();
        for (int i = 0; i < length; i++) {
            h = 31 * h + a[i].hashCode();
        }
        int slot = slot(h);
        Object[] known = objects[slot];
        if (known != null && known.getClass() == a.getClass() && Arrays.equals(known, 0, known.length, a, 0, length)) {
            return (T[]) known;
        }
        T[] copy = Arrays.copyOf(a, length);
        keptBytes += StagePlan.array(length, 4);
        if (length <= MAX_LENGTH) {
            objects[slot] = copy;
        }
        return copy;
    }

    /**
     * A plan equal to {@code plan}: the table's, or {@code plan} itself, then entered. Its stride
     * arrays must come from this table, since a record compares arrays by identity.
     */
    MemoryPlan plan(MemoryPlan plan) {
        int slot = slot(plan.hashCode());
        MemoryPlan known = plans[slot];
        if (plan.equals(known)) {
            return known;
        }
        keptBytes += MEMORY_PLAN_BYTES;
        plans[slot] = plan;
        return plan;
    }

    private static int slot(int hash) {
        return (hash ^ hash >>> 16) * 0x9E3779B9 >>> 32 - BITS;
    }
}
