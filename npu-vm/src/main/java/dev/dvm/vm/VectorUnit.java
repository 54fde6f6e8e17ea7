package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Opcode;

/**
 * The vector unit of one core: every vector instruction's computation over the core's unified
 * buffer. UB operands are int-word indices ({@code byte address / 4}); F32 values are float bits
 * in a word, I64 values two words, low word first. Two implementations are tested side by side
 * (the pattern of Lucene's vectorization providers): {@link PanamaVectorUnit} with the Vector
 * API, {@link ScalarVectorUnit} with plain loops. Their results are bit-identical for every
 * operation, whatever the JIT has compiled: the transcendentals are {@link MathKernels}' own
 * polynomials in both units, never the Vector API's approximations.
 */
interface VectorUnit {
    /** UNARY layout, COPY included: {@code n} elements of {@code type} from {@code src} to {@code dst}. */
    void unary(Opcode op, ElementType type, int dst, int src, int n);

    /** BINARY layout. */
    void binary(Opcode op, ElementType type, int dst, int a, int b, int n);

    /**
     * BINARY_SCALAR layout, {@code op} in its tensor form (ADD for ADD_S): {@code dst = a op s},
     * or {@code s op a} when {@code scalarLeft}. {@code scalar} holds raw bits as in the bytecode.
     */
    void binaryScalar(Opcode op, ElementType type, int dst, int a, int n, long scalar, boolean scalarLeft);

    /**
     * ROW_BINARY layout, {@code op} in its tensor form (ADD for ADD_R): {@code dst[r * pitch + c] =
     * a[r * pitch + c] op row[r]} for {@code r < rows}, {@code c < pitch}, or {@code row[r] op a[...]}
     * when {@code rowLeft}. Each row is the scalar form with {@code s = row[r]}, so the result is
     * bit-identical to BROADCAST_ROW followed by the tensor form, and no loop of its own is needed.
     * Rows run backwards, so a {@code dst} at the row buffer's address reads each value first.
     */
    default void rowBinary(Opcode op, ElementType type, int dst, int a, int row, int rows, int pitch, boolean rowLeft) {
        int units = type == ElementType.I64 ? 2 : 1;
        for (int r = rows - 1; r >= 0; r--) {
            int at = r * pitch * units;
            binaryScalar(op, type, dst + at, a + at, pitch, element(type, row + r * units), rowLeft);
        }
    }

    /** The element of {@code type} at word {@code word} as the raw bits a scalar operand holds (I64: both words). */
    long element(ElementType type, int word);

    /** {@code dst = cond != 0 ? a : b}; {@code cond} is I32. */
    void select(ElementType type, int dst, int cond, int a, int b, int n);

    /** CAST between global element types held as compute types (see {@link Opcode#CAST}). */
    void cast(ElementType from, ElementType to, int dst, int src, int n);

    /** {@code dst[0..n) = scalar}. */
    void fill(ElementType type, int dst, int n, long scalar);

    /** {@code dst[r * pitch + c] = (colStart + c) mod mod} for the first {@code n} elements. */
    void iota(ElementType type, int dst, int n, int pitch, int mod, long colStart);

    /** {@code dst[r * pitch + c] = src[r]} for {@code r < rows}, {@code c < pitch}. */
    void broadcastRow(ElementType type, int dst, int src, int rows, int pitch);

    /** REDUCE_SUM, REDUCE_MAX, REDUCE_MIN of each of {@code rows} rows over its first {@code cols} columns. */
    void reduce(Opcode op, ElementType type, int dst, int src, int rows, int pitch, int cols);

    /** The unit for a core whose UB is {@code ub}. */
    static VectorUnit create(int[] ub, boolean scalar) {
        return scalar ? new ScalarVectorUnit(ub) : new PanamaVectorUnit(ub);
    }
}
