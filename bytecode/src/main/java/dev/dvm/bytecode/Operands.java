package dev.dvm.bytecode;

/**
 * The decoded operands of one instruction, as handed to a {@link ProgramVisitor}. The reader
 * reuses one instance for every instruction: copy what you keep.
 */
public final class Operands {
    private final long[] values = new long[Isa.MAX_LENGTH * 8];
    private int count;

    void reset() {
        count = 0;
    }

    void add(long value) {
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
