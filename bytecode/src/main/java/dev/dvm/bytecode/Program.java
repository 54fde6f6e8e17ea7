package dev.dvm.bytecode;

import java.util.Arrays;

/**
 * An encoded program: the header, the slot table and the code, as 64-bit words. Immutable; the
 * header accessors read the words and trust nothing (the verifier checks them).
 */
public final class Program {
    private final long[] words;
    private final long structureHash;
    /**
     * A verified structure the writer found equal to this program's in every structure bit while
     * writing it (see {@link ProgramWriter#expect}), or null.
     */
    final ProgramStructure matched;

    /** Wraps a copy of {@code words}. */
    public Program(long[] words) {
        this.words = words.clone();
        this.structureHash = ProgramStructure.hash(this.words);
        this.matched = null;
    }

    /** Wraps {@code words}, owned by the caller no more, whose structure hash the writer folded while writing them. */
    Program(long[] words, long structureHash) {
        this.words = words;
        this.structureHash = structureHash;
        this.matched = null;
    }

    /** Wraps {@code words}, owned by the caller no more, which the writer found to have exactly the structure {@code matched}. */
    Program(long[] words, ProgramStructure matched) {
        this.words = words;
        this.structureHash = matched.hash();
        this.matched = matched;
    }

    /** A copy of the words. */
    public long[] words() {
        return words.clone();
    }

    /** Word {@code i}; the virtual machine reads code through this without copying. */
    public long word(int i) {
        return words[i];
    }

    /** Number of words. */
    public int size() {
        return words.length;
    }

    /** Size in bytes. */
    public int byteSize() {
        return words.length * 8;
    }

    public int magic() {
        return (int) (words[0] >>> 32);
    }

    public int version() {
        return (int) (words[0] >>> 16 & 0xFFFF);
    }

    public int flags() {
        return (int) (words[0] & 0xFFFF);
    }

    /** Tiles over all stages. */
    public long tiles() {
        return words[1] >>> 32;
    }

    public int codeWords() {
        return (int) words[1];
    }

    public int simdWidth() {
        return (int) (words[2] >>> 48);
    }

    public int slots() {
        return (int) (words[2] >>> 32 & 0xFFFF);
    }

    public int stages() {
        return (int) (words[2] >>> 16 & 0xFFFF);
    }

    /** Unified-buffer bytes the program addresses. */
    public long ubBytes() {
        return words[3] >>> 32;
    }

    /** Raw slot-table entry {@code slot}; decode it with {@link Isa#slotKind} and friends. */
    public long slotEntry(int slot) {
        return words[Isa.HEADER_WORDS + slot];
    }

    /** Index of the first code word. */
    public int codeStart() {
        return Isa.HEADER_WORDS + slots();
    }

    /**
     * A 64-bit hash of the program's structure: every bit the verifier's structural rules read
     * (see {@link ProgramStructure}). Programs equal in structure have equal hashes; equal hashes
     * prove nothing, {@link ProgramStructure#matches} compares exactly.
     */
    public long structureHash() {
        return structureHash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Program p && Arrays.equals(words, p.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "Program[" + byteSize() + " bytes, " + stages() + " stages, " + tiles() + " tiles]";
    }
}
