package dev.dvm.bytecode;

/**
 * Decodes a program and drives a {@link ProgramVisitor} over it. The reader checks only what it
 * needs to decode (magic, version, sizes, known opcodes, lengths that match the table); the
 * {@link Verifier} checks the rest.
 */
public final class ProgramReader {
    private Program program;
    private final Operands operands = new Operands();

    public ProgramReader(Program program) {
        this.program = program;
    }

    /** Every operand of a matched program, read at the positions its structure fixes (see {@link #acceptMatched}). */
    private long[] values = new long[64];

    /**
     * Visits the whole of {@code program}, which {@linkplain ProgramStructure#matches matches}
     * {@code structure}, a structure verified in full: its instructions start at the same words
     * with the same opcodes, sync bits and operand counts (each head's pipe, opcode and length and
     * every rank are structure bits), so the instruction checks are skipped and every operand is
     * read at the position the structure recorded instead of by decoding heads and layouts. The
     * header and slot table are read and checked as always. A reused reader keeps its buffers
     * across programs, not the program.
     */
    void acceptMatched(Program program, ProgramStructure structure, ProgramVisitor visitor) {
        this.program = program;
        try {
            acceptTables(visitor);
            int[] bits = structure.operandBits;
            long[] masks = structure.operandMasks;
            if (values.length < bits.length) {
                values = new long[bits.length];
            }
            long[] values = this.values;
            for (int i = 0; i < bits.length; i++) {
                values[i] = program.word(bits[i] >>> 6) >>> bits[i] & masks[i];
            }
            int[] firsts = structure.firstOperands;
            for (int k = 0; k < structure.instructions(); k++) {
                operands.view(values, firsts[k], firsts[k + 1]);
                visitor.visitInstruction(structure.instructionWords[k] * 8, structure.opcodes[k], structure.syncs[k], operands);
            }
            visitor.visitEnd();
        } finally {
            this.program = null;
        }
    }

    /** Visits the whole program. */
    public void accept(ProgramVisitor visitor) {
        int pc = acceptTables(visitor);
        while (pc < program.size()) {
            pc += decode(pc, visitor);
        }
        visitor.visitEnd();
    }

    /** Checks and visits the header and slot table; returns the first code word. */
    private int acceptTables(ProgramVisitor visitor) {
        int size = program.size();
        if (size < Isa.HEADER_WORDS) {
            throw new MalformedProgramException(0, "header", "program of " + size + " words is shorter than the 4-word header");
        }
        if (program.magic() != Isa.MAGIC) {
            throw new MalformedProgramException(0, "magic", String.format("magic 0x%08x is not 0x%08x", program.magic(), Isa.MAGIC));
        }
        if (program.version() != Isa.VERSION) {
            throw new MalformedProgramException(0, "version", "version " + program.version() + " is not " + Isa.VERSION);
        }
        int codeStart = Isa.HEADER_WORDS + program.slots();
        long expected = codeStart + Integer.toUnsignedLong(program.codeWords());
        if (expected != size) {
            throw new MalformedProgramException(8, "size",
                    "header says " + program.slots() + " slots and " + program.codeWords() + " code words (" + expected
                            + " words in all) but the program has " + size);
        }
        visitor.visitHeader(program);
        for (int s = 0; s < program.slots(); s++) {
            long entry = program.slotEntry(s);
            ElementType type = ElementType.ofCode(Isa.slotTypeCode(entry));
            if (type == null) {
                throw new MalformedProgramException((Isa.HEADER_WORDS + s) * 8, "slot-type", "slot " + s + " has element type code " + Isa.slotTypeCode(entry));
            }
            visitor.visitSlot(s, Isa.slotKind(entry), type, Isa.slotBytes(entry));
        }
        return codeStart;
    }

    /** Decodes the instruction at word {@code pc}, visits it and returns its length in words. */
    private int decode(int pc, ProgramVisitor visitor) {
        long head = program.word(pc);
        int offset = pc * 8;
        Opcode op = Opcode.ofCode(Isa.opcode(head));
        int length = Isa.length(head);
        checkHead(pc, head, op, length);
        Layout layout = op.layout();
        operands.reset();
        int count = layout.fixedCount();
        for (int i = 0; i < count; i++) {
            int at = layout.position(i);
            if (at / 64 >= length) {
                throw new MalformedProgramException(offset, "length", op + " of " + length + " words is too short for operand " + i);
            }
            long value = program.word(pc + at / 64) >>> (at % 64) & layout.valueMask(i);
            operands.add(value);
            if (i == layout.repeatCountIndex()) {
                count += (int) value;
            }
        }
        if (layout.words(count) != length) {
            throw new MalformedProgramException(offset, "length", op + " with " + count + " operands takes " + layout.words(count)
                    + " words, head says " + length);
        }
        visitor.visitInstruction(offset, op, Isa.sync(head), operands);
        return length;
    }

    /** The head at word {@code pc} names an opcode of its pipe and a length that fits the code. */
    private void checkHead(int pc, long head, Opcode op, int length) {
        int offset = pc * 8;
        if (op == null) {
            throw new MalformedProgramException(offset, "opcode", "unknown opcode 0x" + Integer.toHexString(Isa.opcode(head)));
        }
        if (Isa.pipeCode(head) != op.pipe().ordinal()) {
            throw new MalformedProgramException(offset, "pipe", op + " belongs to pipe " + op.pipe() + ", head says " + Pipe.ofCode(Isa.pipeCode(head)));
        }
        if (length == 0 || pc + length > program.size()) {
            throw new MalformedProgramException(offset, "length", op + " of " + length + " words runs past the end of the code");
        }
    }
}
