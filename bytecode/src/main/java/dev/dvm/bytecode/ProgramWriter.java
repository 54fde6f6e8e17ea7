package dev.dvm.bytecode;

import java.util.Arrays;

/**
 * Encodes a program one instruction at a time: {@link #begin}, one {@link #operand} per operand
 * in layout order, {@link #end}. The writer checks each operand's range and the operand count
 * against the instruction table, fills in the head word's length, and on {@link Opcode#END} patches
 * the open stage's body length. While it writes, it folds each finished instruction's structure
 * bits into the program's {@linkplain Program#structureHash structure hash}, so the hash costs no
 * pass of its own. Written {@linkplain #expect against} a verified structure, it compares the
 * structure bits instead and, when all are equal, hands the structure to the program. It allocates
 * only when its buffers grow, so one writer can be {@link #reset} and reused.
 */
public final class ProgramWriter {
    private long[] code = new long[64];
    private int codeLength;
    private long[] slotTable = new long[8];
    private int slotCount;
    private int stageCount;
    private long tiles;
    private int simdWidth;
    private long ubBytes;
    private int flags;
    private int openStage = -1;
    /** {@link ProgramStructure}'s fold of the structure bits of the instructions ended so far. */
    private long codeStructureHash;
    /**
     * {@link #codeStructureHash} misses instructions (written against {@link #expected}, or a
     * structural operand patched after its instruction was folded): hash the finished words instead.
     */
    private boolean foldIncomplete;
    /** The structure the program is written against while every structure bit so far equals its; else null. */
    private ProgramStructure expected;

    private Opcode opcode;
    /** The current instruction's layout. */
    private Layout layout;
    private int start;
    private int operandIndex;
    /** Operands the current instruction takes so far: its fixed ones, then its repeats once counted, within {@link Isa#MAX_LENGTH} words. */
    private int operandLimit;
    /** Code words of the current instruction zeroed so far end here (exclusive). */
    private int zeroedTo;
    private int repeats;

    /** Forgets everything written, keeping the buffers. */
    public ProgramWriter reset() {
        codeLength = 0;
        slotCount = 0;
        stageCount = 0;
        tiles = 0;
        simdWidth = 0;
        ubBytes = 0;
        flags = 0;
        openStage = -1;
        opcode = null;
        operandLimit = 0;
        codeStructureHash = 0;
        foldIncomplete = false;
        expected = null;
        return this;
    }

    /**
     * Writes the program against {@code structure}, one the verifier accepted in full that it is
     * likely to have (null: none). Each instruction's structure bits are compared with the
     * structure's when it ends, instead of being folded into the hash; a program equal in every
     * structure bit, header and slot table included, carries the structure, so that
     * {@link ProgramStructure#matches} knows it without comparing words again. The first difference
     * drops the structure. The words are the same either way.
     */
    public ProgramWriter expect(ProgramStructure structure) {
        if (codeLength != 0 || opcode != null) {
            throw new IllegalStateException("expect a structure before the first instruction");
        }
        expected = structure;
        foldIncomplete |= structure != null;
        return this;
    }

    /** Adds a slot-table entry and returns its slot number. */
    public int slot(int kind, ElementType type, long bytes) {
        if (kind < Isa.SLOT_INPUT || kind > Isa.SLOT_WORKSPACE) {
            throw new IllegalArgumentException("slot kind " + kind + " is not INPUT, OUTPUT or WORKSPACE");
        }
        if (bytes < 0 || bytes > 0xFFFF_FFFF_FFFFL) {
            throw new IllegalArgumentException("slot of " + bytes + " bytes: at most 2^48 - 1");
        }
        if (slotCount == slotTable.length) {
            slotTable = Arrays.copyOf(slotTable, slotCount * 2);
        }
        slotTable[slotCount] = Isa.slotEntry(kind, type, bytes);
        return slotCount++;
    }

    /** Number of slots added so far. */
    public int slotCount() {
        return slotCount;
    }

    public ProgramWriter simdWidth(int lanes) {
        this.simdWidth = lanes;
        return this;
    }

    public ProgramWriter ubBytes(long bytes) {
        this.ubBytes = bytes;
        return this;
    }

    public ProgramWriter flags(int flags) {
        this.flags = flags;
        return this;
    }

    /** Starts an instruction; {@code sync} comes from {@link Sync#of}, or'ed together. */
    public ProgramWriter begin(Opcode op, int sync) {
        if (opcode != null) {
            throw new IllegalStateException(opcode + " at word " + start + " was not ended");
        }
        ensure(Isa.MAX_LENGTH);
        opcode = op;
        layout = op.layout();
        start = codeLength;
        operandIndex = 0;
        operandLimit = layout.fixedCount();
        repeats = 0;
        code[start] = Isa.head(op.pipe(), op.code(), 0, sync, 0);
        zeroedTo = start + 1;
        return this;
    }

    /** Appends the next operand of the current instruction. */
    public ProgramWriter operand(long value) {
        if (operandIndex >= operandLimit) {
            throw tooManyOperands();
        }
        Layout layout = this.layout;
        int i = operandIndex;
        long mask = layout.valueMask(i);
        if ((value & ~mask) != 0) {
            Operand kind = layout.kind(i);
            throw new IllegalArgumentException(opcode + " operand " + i + " (" + kind.label() + ") = " + value
                    + " does not fit in " + kind.bits() + " unsigned bits");
        }
        if (i == layout.repeatCountIndex()) {
            repeats = (int) value;
            operandLimit = Math.min(layout.fixedCount() + repeats, layout.operandsWithinMaxLength());
        }
        int at = layout.position(i);
        int word = start + at / 64;
        // The instruction's words are zeroed as operands reach them: an operand never skips a word.
        while (zeroedTo <= word) {
            code[zeroedTo++] = 0;
        }
        int bit = at % 64;
        code[word] |= value << bit;
        operandIndex = i + 1;
        return this;
    }

    /** Why one more operand is refused: outside an instruction, more than the layout takes, or past the longest instruction. */
    private RuntimeException tooManyOperands() {
        if (opcode == null) {
            return new IllegalStateException("operand outside an instruction");
        }
        if (operandIndex >= layout.fixedCount() + repeats) {
            return new IllegalArgumentException(opcode + " takes " + (layout.fixedCount() + repeats) + " operands; got one more");
        }
        return new IllegalArgumentException(opcode + " operand " + operandIndex + " would go past " + Isa.MAX_LENGTH + " words");
    }

    /** Ends the current instruction; returns its word index in the code, for {@link #patch}. */
    public int end() {
        Opcode op = opcode;
        if (op == null) {
            throw new IllegalStateException("end outside an instruction");
        }
        int operands = op.layout().fixedCount() + repeats;
        if (operandIndex != operands) {
            throw new IllegalArgumentException(op + " takes " + operands + " operands; got " + operandIndex);
        }
        int length = op.layout().words(operandIndex);
        code[start] |= (long) length << 11;
        codeLength = start + length;
        opcode = null;
        operandLimit = 0;
        if (expected == null) {
            codeStructureHash = ProgramStructure.foldInstruction(codeStructureHash, code, start, length, op.layout());
        } else if (!expected.holds(code, start, length, op.layout())) {
            expected = null;
        }
        if (op == Opcode.STAGE) {
            if (openStage >= 0) {
                throw new IllegalStateException("STAGE at word " + start + " inside the stage opened at word " + openStage);
            }
            openStage = start;
            stageCount++;
            tiles += Isa.ext(code[start]);
        } else if (op == Opcode.END) {
            if (openStage < 0) {
                throw new IllegalStateException("END at word " + start + " outside a stage");
            }
            int body = start - (openStage + Isa.length(code[openStage]));
            patch(openStage, 1, body);
            openStage = -1;
        }
        return start;
    }

    /** Rewrites operand {@code operandIndex} of the instruction at code word {@code at}. */
    public void patch(int at, int operandIndex, long value) {
        Layout layout = Opcode.ofCode(Isa.opcode(code[at])).layout();
        if (layout.kind(operandIndex).structural()) {
            foldIncomplete = true;
            expected = null;
        }
        put(at, layout.position(operandIndex), layout.valueMask(operandIndex), value);
    }

    /** Code words written so far. */
    public int codeLength() {
        return codeLength;
    }

    /** The finished program. */
    public Program toProgram() {
        if (opcode != null || openStage >= 0) {
            throw new IllegalStateException("program ends inside " + (opcode != null ? "an instruction" : "a stage"));
        }
        if (tiles > 0xFFFF_FFFFL || stageCount > 0xFFFF || slotCount > 0xFFFF || simdWidth < 0 || simdWidth > 0xFFFF
                || ubBytes < 0 || ubBytes > 0xFFFF_FFFFL || flags < 0 || flags > 0xFFFF) {
            throw new IllegalStateException("header field out of range: " + tiles + " tiles (32 bits), " + stageCount + " stages, "
                    + slotCount + " slots, SIMD width " + simdWidth + ", flags " + flags + " (16 bits each), " + ubBytes + " UB bytes (32 bits)");
        }
        long[] words = new long[Isa.HEADER_WORDS + slotCount + codeLength];
        words[0] = Isa.header0(flags);
        words[1] = Isa.header1(tiles, codeLength);
        words[2] = Isa.header2(simdWidth, slotCount, stageCount);
        words[3] = Isa.header3(ubBytes);
        System.arraycopy(slotTable, 0, words, Isa.HEADER_WORDS, slotCount);
        System.arraycopy(code, 0, words, Isa.HEADER_WORDS + slotCount, codeLength);
        if (expected != null && expected.ends(words)) {
            return new Program(words, expected);
        }
        return new Program(words, foldIncomplete ? ProgramStructure.hash(words) : ProgramStructure.foldTables(codeStructureHash, words));
    }

    private void put(int base, int at, long mask, long value) {
        int word = base + at / 64;
        int bit = at % 64;
        code[word] = code[word] & ~(mask << bit) | (value & mask) << bit;
    }

    private void ensure(int more) {
        if (codeLength + more > code.length) {
            code = Arrays.copyOf(code, Math.max(code.length * 2, codeLength + more));
        }
    }
}
