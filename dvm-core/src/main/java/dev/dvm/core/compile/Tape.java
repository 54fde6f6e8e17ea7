package dev.dvm.core.compile;

import dev.dvm.core.ir.Instance;
import java.util.Arrays;

/**
 * The shape numbers of one front-end run and every decision taken on them, in order. Leaves are
 * the instance's node dims and tensor strides; the other entries are constants, arithmetic on
 * earlier entries, and guards (a comparison and the outcome the run saw). {@link #replay} evaluates
 * a recorded tape for another instance: when every guard holds, the front end would have taken the
 * same path, so the recorded bodies with these numbers are what it would produce.
 */
final class Tape {
    static final int CONST = 0, SHAPE = 1, INPUT_STRIDE = 2, OUTPUT_STRIDE = 3;
    static final int ADD = 4, SUB = 5, MUL = 6, MUL_EXACT = 7, DIV = 8;
    static final int EQ_TRUE = 9, EQ_FALSE = 10, LT_TRUE = 11, LT_FALSE = 12;

    /** Entries so far; 128 holds the tape of a ten-op kernel without growing. */
    private int size;
    private int[] ops = new int[128];
    private int[] as = new int[128];
    private int[] bs = new int[128];
    private long[] values = new long[128];
    /**
     * Per entry, outcomes of its comparisons with 0 and 1 already recorded ({@link #KNOWN_ONE} ...):
     * the partitioner asks whether a dim is 1 for every node that reads it, one guard is enough.
     */
    private byte[] known = new byte[128];
    private static final byte KNOWN_ONE = 1, IS_ONE = 2, KNOWN_ZERO = 4, IS_ZERO = 8;
    /** Set when the run read a value without a guard (only error messages do): not replayable. */
    private boolean opaque;
    final Dim zero = constant(0);
    final Dim one = constant(1);

    Dim constant(long k) {
        return new Dim(this, entry(CONST, 0, 0, k));
    }

    /** Leaves for the dims of node {@code node}'s shape in the instance. */
    Dim[] shape(int node, long[] shape) {
        return leaves(SHAPE, node, shape);
    }

    /** Leaves for the element strides of input slot {@code slot}. */
    Dim[] inputStrides(int slot, long[] strides) {
        return leaves(INPUT_STRIDE, slot, strides);
    }

    /** Leaves for the element strides of output {@code output}. */
    Dim[] outputStrides(int output, long[] strides) {
        return leaves(OUTPUT_STRIDE, output, strides);
    }

    private Dim[] leaves(int op, int array, long[] numbers) {
        Dim[] d = new Dim[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            d[i] = new Dim(this, entry(op, array, i, numbers[i]));
        }
        return d;
    }

    Dim apply(int op, Dim a, Dim b) {
        long x = values[a.index], y = values[b.index];
        return new Dim(this, entry(op, a.index, b.index, compute(op, x, y)));
    }

    private static long compute(int op, long x, long y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case MUL_EXACT -> Math.multiplyExact(x, y);
            case DIV -> x / y;
            default -> throw new IllegalArgumentException("not arithmetic: " + op);
        };
    }

    boolean equal(Dim a, Dim b) {
        if (a.index == b.index) {
            return true; // one entry: equal for every instance, no guard needed
        }
        byte knownFlag = b == one ? KNOWN_ONE : b == zero ? KNOWN_ZERO : 0;
        byte isFlag = (byte) (knownFlag << 1);
        if ((known[a.index] & knownFlag) != 0) {
            return (known[a.index] & isFlag) != 0;
        }
        boolean outcome = values[a.index] == values[b.index];
        entry(outcome ? EQ_TRUE : EQ_FALSE, a.index, b.index, 0);
        known[a.index] |= (byte) (knownFlag | (outcome ? isFlag : 0));
        return outcome;
    }

    boolean less(Dim a, Dim b) {
        boolean outcome = values[a.index] < values[b.index];
        entry(outcome ? LT_TRUE : LT_FALSE, a.index, b.index, 0);
        return outcome;
    }

    /** The value of {@code d} with no guard: the tape can no longer be replayed. */
    long opaque(Dim d) {
        opaque = true;
        return values[d.index];
    }

    boolean replayable() {
        return !opaque;
    }

    /** Values of every entry so far, by index (owned by the tape). */
    long[] values() {
        return values;
    }

    /** Appends an entry and returns its index (guards have no {@link Dim}: nothing reads them as numbers). */
    private int entry(int op, int a, int b, long value) {
        if (size == ops.length) {
            int n = size * 2;
            ops = Arrays.copyOf(ops, n);
            as = Arrays.copyOf(as, n);
            bs = Arrays.copyOf(bs, n);
            values = Arrays.copyOf(values, n);
            known = Arrays.copyOf(known, n);
        }
        ops[size] = op;
        as[size] = a;
        bs[size] = b;
        values[size] = value;
        return size++;
    }

    /** This tape, trimmed and frozen for {@link #replay}. */
    Recorded freeze(Instance instance) {
        long[] constants = new long[size];
        for (int i = 0; i < size; i++) {
            constants[i] = ops[i] == CONST ? values[i] : 0;
        }
        return new Recorded(Arrays.copyOf(ops, size), Arrays.copyOf(as, size), Arrays.copyOf(bs, size), constants,
                ranks(instance.shapes()), ranks(instance.inputStrides()), ranks(instance.outputStrides()));
    }

    private static int[] ranks(long[][] arrays) {
        int[] r = new int[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            r[i] = arrays[i].length;
        }
        return r;
    }

    /**
     * A frozen tape. The ranks of the instance's shapes and strides are guards too: the front end
     * sizes its arrays by them.
     */
    record Recorded(int[] ops, int[] as, int[] bs, long[] constants, int[] shapeRanks, int[] inputRanks, int[] outputRanks) {
        /**
         * Evaluates every entry for {@code instance} into {@code v} (at least as long as the tape):
         * false when a guard fails (or arithmetic the run did would overflow).
         */
        boolean replay(Instance instance, long[] v) {
            if (!sameRanks(shapeRanks, instance.shapes()) || !sameRanks(inputRanks, instance.inputStrides())
                    || !sameRanks(outputRanks, instance.outputStrides())) {
                return false;
            }
            for (int i = 0; i < ops.length; i++) {
                int a = as[i], b = bs[i];
                switch (ops[i]) {
                    case CONST -> v[i] = constants[i];
                    case SHAPE -> v[i] = instance.shapes()[a][b];
                    case INPUT_STRIDE -> v[i] = instance.inputStrides()[a][b];
                    case OUTPUT_STRIDE -> v[i] = instance.outputStrides()[a][b];
                    case ADD -> v[i] = v[a] + v[b];
                    case SUB -> v[i] = v[a] - v[b];
                    case MUL -> v[i] = v[a] * v[b];
                    case MUL_EXACT -> {
                        long lo = v[a] * v[b];
                        if (Math.multiplyHigh(v[a], v[b]) != lo >> 63) {
                            return false;
                        }
                        v[i] = lo;
                    }
                    case DIV -> {
                        if (v[b] == 0) {
                            return false;
                        }
                        v[i] = v[a] / v[b];
                    }
                    case EQ_TRUE -> {
                        if (v[a] != v[b]) {
                            return false;
                        }
                    }
                    case EQ_FALSE -> {
                        if (v[a] == v[b]) {
                            return false;
                        }
                    }
                    case LT_TRUE -> {
                        if (v[a] >= v[b]) {
                            return false;
                        }
                    }
                    default -> {
                        if (v[a] < v[b]) {
                            return false;
                        }
                    }
                }
            }
            return true;
        }

        private static boolean sameRanks(int[] ranks, long[][] arrays) {
            if (arrays.length != ranks.length) {
                return false;
            }
            for (int i = 0; i < ranks.length; i++) {
                if (arrays[i].length != ranks[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
