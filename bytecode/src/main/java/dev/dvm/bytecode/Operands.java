package dev.dvm.bytecode;

/**
 * The decoded operands of one instruction, as handed to a {@link ProgramVisitor}. The reader
 * reuses one instance for every instruction: copy what you keep.
 */
public final class Operands {
    /** Grows to the longest instruction read: most have under 16 operands. */
    private long[] values = new long[16];
    private int count;

    void reset() {
        count = 0;
    }

    void add(long value) {
        if (count == values.length) {
            values = java.util.Arrays.copyOf(values, count * 2);
        }
        values[count++] = value;
    }

    /** Number of operands, repeated ones included. */
    public int count() {
        return count;
    }

    /** Operand {@code i}, in layout order. */
    public long get(int i) {
        if (i >= count) {
            throw new IndexOutOfBoundsException("operand " + i + " of " + count);
        }
        return values[i];
    }

    /** Operand {@code i} as an int; operands of up to 32 bits always fit (UB addresses, counts, dims). */
    public int getInt(int i) {
        return (int) get(i);
    }
}
