package dev.dvm.bytecode;

import static dev.dvm.bytecode.Operand.*;

import java.util.List;

/**
 * The operand layouts instructions share. A layout lists its fixed operands in encoding order and,
 * optionally, one operand kind repeated as many times as the value of an earlier operand says.
 */
public enum Layout {
    /** tiles, body words, rows per tile, columns per tile, row pitch, domain rank, inner rank, then one extent per domain dim. */
    STAGE(names("tiles", "words", "rows", "cols", "pitch", "rank", "inner"),
            List.of(TILES, WORDS, DIM, DIM, DIM, RANK, RANK), DIM, 5),
    /** No operands. */
    NONE(names(), List.of(), null, -1),
    /** ub, slot, global element type, flags, rank, element offset, then one stride per dim. */
    MEMORY(names("ub", "slot", "type", "flags", "rank", "offset"),
            List.of(UB, SLOT, TYPE, FLAGS, RANK, OFFSET), STRIDE, 4),
    /** dst, src, count, type. */
    UNARY(names("dst", "src", "n", "type"), List.of(UB, UB, COUNT, TYPE), null, -1),
    /** dst, a, b, count, type. */
    BINARY(names("dst", "a", "b", "n", "type"), List.of(UB, UB, UB, COUNT, TYPE), null, -1),
    /** dst, a, count, type, flags, scalar. */
    BINARY_SCALAR(names("dst", "a", "n", "type", "flags", "scalar"), List.of(UB, UB, COUNT, TYPE, FLAGS, SCALAR), null, -1),
    /** dst, cond, a, b, count, type. */
    SELECT(names("dst", "cond", "a", "b", "n", "type"), List.of(UB, UB, UB, UB, COUNT, TYPE), null, -1),
    /** dst, src, count, from type, to type. */
    CAST(names("dst", "src", "n", "from", "to"), List.of(UB, UB, COUNT, TYPE, TYPE), null, -1),
    /** dst, count, type, scalar. */
    FILL(names("dst", "n", "type", "scalar"), List.of(UB, COUNT, TYPE, SCALAR), null, -1),
    /** dst, count, type, pitch, modulus. */
    IOTA(names("dst", "n", "type", "pitch", "mod"), List.of(UB, COUNT, TYPE, DIM, DIM), null, -1),
    /** dst, src, rows, pitch, type: between a full tile and one value per row. */
    ROW(names("dst", "src", "rows", "pitch", "type"), List.of(UB, UB, DIM, DIM, TYPE), null, -1),
    /**
     * dst, a, row, rows, pitch, type, flags: a full tile combined with one value per row
     * ({@link Isa#FLAG_ROW_LEFT}: the row value is the left operand).
     */
    ROW_BINARY(names("dst", "a", "row", "rows", "pitch", "type", "flags"), List.of(UB, UB, UB, DIM, DIM, TYPE, FLAGS), null, -1),
    /**
     * dst, slot of a, global element type of a, slot of b, its type, flags, stride count (twice the
     * stage's domain rank), k, k stride of a, k stride of b, element offsets of a and b; for a
     * grouped product (flag GROUP_M or GROUP_K, else all 0) the group list's slot, type, group
     * count, b's stride per group (GROUP_M), rows per group (GROUP_K) and element offset; then a's
     * stride per domain dim followed by b's. The count is named {@code nstrides} so that the
     * disassembler's list of the strides themselves keeps the name {@code strides}.
     */
    MATMUL(names("dst", "a", "atype", "b", "btype", "flags", "nstrides", "k", "ak", "bk", "aoffset", "boffset", "groups", "gtype", "g",
            "gstride", "gspan", "goffset"),
            List.of(UB, SLOT, TYPE, SLOT, TYPE, FLAGS, RANK, DIM, STRIDE, STRIDE, OFFSET, OFFSET, SLOT, TYPE, DIM, STRIDE, DIM, OFFSET), STRIDE, 6);

    private final List<String> names;
    private final List<Operand> fixed;
    /** {@link #fixed} as an array: decoding reads it once per operand. */
    private final Operand[] fixedKinds;
    private final Operand repeated;
    private final int repeatCountIndex;
    /**
     * Bit position of operand {@code i} (fixed ones, then as many repeated ones as a rank can count),
     * so decoding and encoding look positions up instead of re-running the packing rule.
     */
    private final int[] positions;
    /** The value mask of operand {@code i}'s width, indexed like {@link #positions}. */
    private final long[] valueMasks;
    /** Per word of the instruction, the bits holding its structure (see {@link #structureMask}). */
    private final long[] structureMask;
    /** How many operands (fixed, then repeated) start within {@link Isa#MAX_LENGTH} words. */
    private final int operandsWithinMaxLength;

    Layout(List<String> names, List<Operand> fixed, Operand repeated, int repeatCountIndex) {
        this.names = names;
        this.fixed = fixed;
        this.fixedKinds = fixed.toArray(Operand[]::new);
        this.repeated = repeated;
        this.repeatCountIndex = repeatCountIndex;
        if (repeated != null && repeated.structural()) {
            // The structure mask covers the fixed operands only; a structural repeated kind would make it depend on the count.
            throw new ExceptionInInitializerError(name() + " repeats structural operands of kind " + repeated);
        }
        int operands = fixedKinds.length + (repeated == null ? 0 : (int) Operand.RANK.max());
        positions = new int[operands];
        valueMasks = new long[operands];
        long[] mask = new long[Isa.MAX_LENGTH];
        // The head word's low half (pipe, opcode, length, sync) is structure.
        mask[0] = 0xFFFF_FFFFL;
        int cursor = 32;
        int maskWords = 1;
        for (int i = 0; i < operands; i++) {
            Operand kind = kind(i);
            int at = place(cursor, kind.bits());
            positions[i] = at;
            valueMasks[i] = kind.bits() == 64 ? -1L : (1L << kind.bits()) - 1;
            if (kind.structural()) {
                mask[at / 64] |= valueMasks[i] << (at % 64);
                maskWords = at / 64 + 1;
            }
            cursor = at + kind.bits();
        }
        structureMask = java.util.Arrays.copyOf(mask, maskWords);
        int within = 0;
        while (within < operands && positions[within] / 64 < Isa.MAX_LENGTH) {
            within++;
        }
        operandsWithinMaxLength = within;
    }

    private static List<String> names(String... names) {
        return List.of(names);
    }

    /** The fixed operands, in encoding order. */
    public List<Operand> fixed() {
        return fixed;
    }

    /** The number of fixed operands. */
    public int fixedCount() {
        return fixedKinds.length;
    }

    /** The disassembler's name for fixed operand {@code i}. */
    public String name(int i) {
        return names.get(i);
    }

    /** The repeated operand kind, or {@code null} when the layout has none. */
    public Operand repeated() {
        return repeated;
    }

    /** Index of the fixed operand whose value counts the repeated operands, or -1. */
    public int repeatCountIndex() {
        return repeatCountIndex;
    }

    /** The kind of operand {@code i}, counting repeated ones after the fixed ones. */
    public Operand kind(int i) {
        return i < fixedKinds.length ? fixedKinds[i] : repeated;
    }

    /**
     * Length in words of an instruction with this layout holding {@code operandCount} operands,
     * head included, by the packing rule of {@link Operand}.
     */
    public int words(int operandCount) {
        if (operandCount == 0) {
            return 1;
        }
        return (position(operandCount - 1) + kind(operandCount - 1).bits() + 63) / 64;
    }

    /**
     * The bit position (word × 64 + bit, the head being word 0) of operand {@code i} by the packing
     * rule of {@link Operand}; valid for the fixed operands and up to {@link Operand#RANK}'s maximum
     * of repeated ones.
     */
    public int position(int i) {
        return positions[i];
    }

    /** How many operands (fixed, then repeated) an instruction of at most {@link Isa#MAX_LENGTH} words can hold. */
    int operandsWithinMaxLength() {
        return operandsWithinMaxLength;
    }

    /** Operand {@code i}'s value mask: its width's low bits set. */
    long valueMask(int i) {
        return valueMasks[i];
    }

    /**
     * Word {@code word} of an instruction's structure mask: the bits that hold its pipe, opcode,
     * length, sync bits and {@linkplain Operand#structural structural} operands. Words past the
     * fixed operands hold numbers only (mask 0).
     */
    long structureMask(int word) {
        return word < structureMask.length ? structureMask[word] : 0;
    }

    /** Words of the instruction that can hold structure bits: the structure mask is 0 beyond them. */
    int structureWords() {
        return structureMask.length;
    }

    /**
     * The bit position (word × 64 + bit, the head being word 0) where an operand of
     * {@code width} bits goes when the previous one ended at {@code cursor}. Packing starts with
     * cursor 32, the head's ext half; a 64-bit operand never fits there and moves on.
     */
    public static int place(int cursor, int width) {
        int at = (cursor + width - 1) / width * width;
        return at % 64 + width > 64 ? (at / 64 + 1) * 64 : at;
    }
}
