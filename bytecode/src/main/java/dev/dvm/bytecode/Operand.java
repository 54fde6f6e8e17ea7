package dev.dvm.bytecode;

/**
 * The kinds of operand an instruction carries, each with a fixed width in bits. Operands are
 * packed after the head word in table order, each at the next bit position of the current 64-bit
 * word that is a multiple of its width, or at the start of the next word when it does not fit.
 * The first operand of an instruction travels in the head word's upper 32 bits when it is at most
 * 32 bits wide.
 */
public enum Operand {
    /** A unified-buffer byte address; 32-byte aligned. */
    UB(32, "ub"),
    /** A binding slot: an index into the program's slot table. */
    SLOT(16, "slot"),
    /** An {@link ElementType} code. */
    TYPE(8, "type"),
    /** Instruction-specific flag bits. */
    FLAGS(8, "flags"),
    /** An element count in the unified buffer. */
    COUNT(32, "n"),
    /** An extent: a dimension, a number of rows or columns, a pitch. */
    DIM(32, "dim"),
    /** A rank: how many repeated operands follow. */
    RANK(8, "rank"),
    /** A non-negative element stride of a global tensor. */
    STRIDE(32, "stride"),
    /** A non-negative element offset into a global tensor. */
    OFFSET(64, "offset"),
    /** A scalar's raw bits: float bits for F32, the value for I32 and I64. */
    SCALAR(64, "scalar"),
    /** A length in 64-bit words. */
    WORDS(32, "words"),
    /** A tile count. */
    TILES(32, "tiles");

    private final int bits;
    private final String label;

    Operand(int bits, String label) {
        this.bits = bits;
        this.label = label;
    }

    /** Width in bits: 8, 16, 32 or 64. */
    public int bits() {
        return bits;
    }

    /** Short name used by the disassembler. */
    public String label() {
        return label;
    }

    /**
     * Whether values of this kind are structure: the verifier's type, slot, flag, rank and event
     * rules read only structure, so two programs equal in every structure bit break the same of
     * those rules (see {@link ProgramStructure}). The rest are numbers an encoder patches per
     * instance: addresses, counts, extents, strides, offsets, tile counts and body lengths, and
     * scalars, which no rule reads (a scalar such as 1/n then varies without splitting a structure).
     */
    public boolean structural() {
        return this == SLOT || this == TYPE || this == FLAGS || this == RANK;
    }

    /** The largest value an operand of this kind can hold (operands are unsigned, except 64-bit ones). */
    public long max() {
        return bits == 64 ? Long.MAX_VALUE : (1L << bits) - 1;
    }
}
