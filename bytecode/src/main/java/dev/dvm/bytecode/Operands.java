package dev.dvm.bytecode;

/**
 * The decoded operands of one instruction, as handed to a {@link ProgramVisitor}. The reader
 * reuses one instance for every instruction: copy what you keep.
 */
public final class Operands {
    /** Grows to the longest instruction read: most have under 16 operands. */
    private long[] own = new long[16];
    /** {@link #own}, or the array a {@link #view} reads; the operands are {@code values[from, from + count)}. */
    private long[] values = own;
    private int from;
    private int count;

    void reset() {
        values = own;
        from = 0;
        count = 0;
    }

    void add(long value) {
        if (count == own.length) {
            own = java.util.Arrays.copyOf(own, count * 2);
            values = own;
        }
        own[count++] = value;
    }

    /** Makes the operands {@code values[from, to)} (read, not copied). */
    void view(long[] values, int from, int to) {
        this.values = values;
        this.from = from;
        this.count = to - from;
    }

    /** Number of operands, repeated ones included. */
    public int count() {
        return count;
    }

    /** Operand {@code i}, in layout order. */
    public long get(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("operand " + i + " of " + count);
        }
        return values[from + i];
    }

    /** Operand {@code i} as an int; operands of up to 32 bits always fit (UB addresses, counts, dims). */
    public int getInt(int i) {
        return (int) get(i);
    }
}
