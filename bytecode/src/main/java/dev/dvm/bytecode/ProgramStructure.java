package dev.dvm.bytecode;

import java.util.Arrays;

/**
 * The structure of a program the {@link Verifier} accepted in full: the bits its structural rules
 * read, so that a program equal in those bits needs only its numbers checked
 * ({@link Verifier#verifyNumbers}). Only the verifier makes instances, so holding one proves a full
 * verification for its events per pair.
 *
 * <p>Structure bits: header word 0 (magic, version, flags), the code length in word 1, word 2
 * (SIMD width, slot and stage counts, reserved bits), the reserved half of word 3, each slot's kind
 * and element type, and per instruction the head's low half (pipe, opcode, length, sync bits) and
 * its {@linkplain Operand#structural structural} operands. Everything else is a number an encoder
 * patches per instance: tile counts, UB bytes, slot byte counts and number operands.
 *
 * <p>Equality is decided exactly by {@link #matches}: both programs' words under this structure's
 * mask. Since the mask covers every head's opcode and length and every rank, a program that matches
 * decodes into the same instructions at the same offsets, so every structural rule reads equal
 * values in both. The {@linkplain Program#structureHash hash} only finds candidates.
 */
public final class ProgramStructure {
    /** Structure bits of header words 0..3. */
    private static final long[] HEADER_MASK = {-1L, 0xFFFF_FFFFL, -1L, 0xFFFF_FFFFL};
    /** Structure bits of a slot-table entry: kind and element type. */
    private static final long SLOT_MASK = 0xFFFFL << 48;

    private final long[] mask;
    /** The verified program's words under {@link #mask}. */
    private final long[] structure;
    private final long hash;
    private final int eventsPerPair;

    // What the structure fixes about decoding, so a matching program's operands are read at known
    // positions ({@link ProgramReader#acceptMatched}) instead of by decoding each head and layout.
    /** The first code word (after the header and slot table). */
    private final int codeStart;
    /** Per instruction: the word it starts at, its opcode and its sync bits. */
    final int[] instructionWords;
    final Opcode[] opcodes;
    final int[] syncs;
    /** Per instruction, where its operands start in {@link #operandBits}; one more entry ends the last. */
    final int[] firstOperands;
    /** Per operand in program order: its bit position from the program's start (word × 64 + bit) and its value mask. */
    final int[] operandBits;
    final long[] operandMasks;

    private ProgramStructure(long[] mask, long[] structure, long hash, int eventsPerPair, Program verified) {
        this.mask = mask;
        this.structure = structure;
        this.hash = hash;
        this.eventsPerPair = eventsPerPair;
        codeStart = verified.codeStart();
        Decoding d = new Decoding(verified.size());
        new ProgramReader(verified).accept(d);
        instructionWords = Arrays.copyOf(d.words, d.k);
        opcodes = Arrays.copyOf(d.opcodes, d.k);
        syncs = Arrays.copyOf(d.syncs, d.k);
        firstOperands = Arrays.copyOf(d.firsts, d.k + 1);
        operandBits = Arrays.copyOf(d.bits, d.operand);
        operandMasks = Arrays.copyOf(d.masks, d.operand);
    }

    /** Collects the decoding tables of a verified program (at most one instruction per word). */
    private static final class Decoding implements ProgramVisitor {
        final int[] words, syncs, firsts;
        final Opcode[] opcodes;
        int[] bits = new int[64];
        long[] masks = new long[64];
        int k, operand;

        Decoding(int size) {
            words = new int[size];
            syncs = new int[size];
            firsts = new int[size + 1];
            opcodes = new Opcode[size];
        }

        @Override
        public void visitInstruction(int at, Opcode op, int sync, Operands ops) {
            words[k] = at / 8;
            opcodes[k] = op;
            syncs[k] = sync;
            if (operand + ops.count() > bits.length) {
                bits = Arrays.copyOf(bits, 2 * (operand + ops.count()));
                masks = Arrays.copyOf(masks, bits.length);
            }
            for (int i = 0; i < ops.count(); i++, operand++) {
                bits[operand] = at * 8 + op.layout().position(i);
                masks[operand] = op.layout().valueMask(i);
            }
            firsts[++k] = operand;
        }
    }

    /** The structure of {@code verified}, which the verifier accepted in full for {@code eventsPerPair}. */
    static ProgramStructure of(Program verified, int eventsPerPair) {
        long[] words = verified.words();
        long[] mask = new long[words.length];
        long hash = walk(words, mask);
        for (int i = 0; i < words.length; i++) {
            words[i] &= mask[i];
        }
        return new ProgramStructure(mask, words, hash, eventsPerPair, verified);
    }

    /** Instructions in a program of this structure. */
    int instructions() {
        return opcodes.length;
    }

    // ---- comparing a program while it is written (ProgramWriter#expect): matches, one instruction at a time ----

    /**
     * Whether the instruction of {@code length} words at {@code start} of {@code code} (code words,
     * the header and slot table not included) equals this structure's words there in its
     * structure bits, {@code layout} being its own. Its head's low half is structure under every
     * layout's mask, so an equal head means an equal opcode, hence the same layout and mask as the
     * structure's; and when every instruction before it held, it starts where one of this
     * structure's does.
     */
    boolean holds(long[] code, int start, int length, Layout layout) {
        int at = codeStart + start;
        if (at + length > structure.length) {
            return false;
        }
        int words = Math.min(length, layout.structureWords());
        for (int w = 0; w < words; w++) {
            if ((code[start + w] & layout.structureMask(w)) != structure[at + w]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the finished program {@code words}, all of whose instructions {@linkplain #holds held},
     * has this structure: the same size (so no instruction more or fewer) and equal structure bits
     * in the header and slot table.
     */
    boolean ends(long[] words) {
        if (words.length != structure.length) {
            return false;
        }
        for (int i = 0; i < codeStart; i++) {
            if ((words[i] & mask[i]) != structure[i]) {
                return false;
            }
        }
        return true;
    }

    /** The {@linkplain Program#structureHash structure hash} of the program (it equals the hash of any program this matches). */
    public long hash() {
        return hash;
    }

    /** The events per pair the verifier checked the event ids against. */
    public int eventsPerPair() {
        return eventsPerPair;
    }

    /** Whether {@code program} has exactly this structure: same size, equal in every structure bit. */
    public boolean matches(Program program) {
        if (program.matched == this) {
            // the writer compared every structure bit while writing it
            return true;
        }
        if (program.structureHash() != hash || program.size() != structure.length) {
            return false;
        }
        for (int i = 0; i < structure.length; i++) {
            if ((program.word(i) & mask[i]) != structure[i]) {
                return false;
            }
        }
        return true;
    }

    // ---- the hash, shared with the writer, which folds each instruction as it ends ----

    /** The structure hash of {@code words}, decoding only heads; undecodable parts count as structure, bit for bit. */
    static long hash(long[] words) {
        return walk(words, null);
    }

    /** Folds the structure bits of the instruction of {@code length} words at {@code start} of {@code code} into {@code hash}. */
    static long foldInstruction(long hash, long[] code, int start, int length, Layout layout) {
        int words = Math.min(length, layout.structureWords());
        for (int w = 0; w < words; w++) {
            hash = fold(hash, code[start + w] & layout.structureMask(w));
        }
        return hash;
    }

    /** Completes {@code codeHash} (the code's fold) with the header and slot table of {@code words}, a well-formed program. */
    static long foldTables(long codeHash, long[] words) {
        long hash = codeHash;
        for (int i = 0; i < Isa.HEADER_WORDS; i++) {
            hash = fold(hash, words[i] & HEADER_MASK[i]);
        }
        int slots = (int) (words[2] >>> 32 & 0xFFFF);
        for (int s = 0; s < slots; s++) {
            hash = fold(hash, words[Isa.HEADER_WORDS + s] & SLOT_MASK);
        }
        return hash ^ hash >>> 31;
    }

    /** The hash of {@code words}; fills {@code mask} (when not null) with each word's structure bits. */
    private static long walk(long[] words, long[] mask) {
        int codeStart = words.length < Isa.HEADER_WORDS ? Integer.MAX_VALUE : Isa.HEADER_WORDS + (int) (words[2] >>> 32 & 0xFFFF);
        if (codeStart > words.length) {
            // no header and slot table to read: every bit is structure
            long hash = allStructure(0, words, 0, mask);
            return hash ^ hash >>> 31;
        }
        long hash = 0;
        int pc = codeStart;
        while (pc < words.length) {
            long head = words[pc];
            Opcode op = Opcode.ofCode(Isa.opcode(head));
            int length = Isa.length(head);
            if (op == null || length == 0 || pc + length > words.length) {
                hash = allStructure(hash, words, pc, mask);
                break;
            }
            hash = foldInstruction(hash, words, pc, length, op.layout());
            if (mask != null) {
                for (int w = 0; w < length; w++) {
                    mask[pc + w] = op.layout().structureMask(w);
                }
            }
            pc += length;
        }
        if (mask != null) {
            System.arraycopy(HEADER_MASK, 0, mask, 0, Isa.HEADER_WORDS);
            Arrays.fill(mask, Isa.HEADER_WORDS, codeStart, SLOT_MASK);
        }
        return foldTables(hash, words);
    }

    private static long allStructure(long hash, long[] words, int from, long[] mask) {
        for (int i = from; i < words.length; i++) {
            hash = fold(hash, words[i]);
            if (mask != null) {
                mask[i] = -1L;
            }
        }
        return hash;
    }

    private static long fold(long hash, long word) {
        return Long.rotateLeft((hash ^ word) * 0x9E37_79B9_7F4A_7C15L, 29);
    }
}
