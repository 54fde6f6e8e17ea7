package dev.dvm.bytecode;

/**
 * Bit layouts of the program header, the slot table and the head word. Everything here is
 * derived once; the writer, reader and verifier use these and nothing else.
 *
 * <pre>
 * header  w0: magic:32 | version:16 | flags:16
 *         w1: tiles (all stages):32 | code words:32
 *         w2: SIMD width:16 | slots:16 | stages:16 | 0:16
 *         w3: UB bytes used:32 | 0:32
 * slots   one word each: kind:8 | type:8 | bytes reached:48
 * code    stages: STAGE, body instructions, END
 * head    ext operand:32 | sync:16 | length in words:5 | opcode:8 | pipe:3
 * </pre>
 */
public final class Isa {
    /** "DVMB". */
    public static final int MAGIC = 0x44564D42;
    /** Version of this layout and instruction table. */
    public static final int VERSION = 1;
    /** Words in the fixed header. */
    public static final int HEADER_WORDS = 4;
    /** Longest instruction, in words, the 5-bit length field can name. */
    public static final int MAX_LENGTH = 31;
    /** Unified-buffer addresses are aligned to one block. */
    public static final int BLOCK_BYTES = 32;
    /** Largest stride or extent an operand can carry (they are 32-bit and kept non-negative ints). */
    public static final long MAX_EXTENT = Integer.MAX_VALUE;

    /**
     * The k chunk of {@link Opcode#MATMUL}'s fixed summation order. It depends on nothing else, so a
     * product has the same bits however it is tiled, split over k or spread over cores.
     */
    public static final int CUBE_K_CHUNK = 256;

    /**
     * Flag bits of MATMUL: a grouped product. GROUP_M: the `g` sizes in the group list split the
     * stage's rows (rows of group i add i × gstride to b's address). GROUP_K: they split k (rows
     * r of the stage belong to group r / gspan, which multiplies its own k range).
     */
    public static final int FLAG_GROUP_M = 1, FLAG_GROUP_K = 2;
    /**
     * Flag bits of MATMUL for split-k across cores. SPLIT_K: as GROUP_K with no group list, group i
     * being k chunk i (`g` = ⌈k / CUBE_K_CHUNK⌉), so each row computes one chunk sum. SUM_K: b is
     * not read, each term is a's element alone; with k ≤ CUBE_K_CHUNK this adds the chunk sums in
     * order from +0.0, which is exactly how an unsplit product combines them.
     */
    public static final int FLAG_SPLIT_K = 4, FLAG_SUM_K = 8;

    /** Slot kinds in the slot table. */
    public static final int SLOT_INPUT = 0, SLOT_OUTPUT = 1, SLOT_WORKSPACE = 2;

    /** Flag bit of LOAD and STORE: the buffer holds one value per tile row (see {@link Opcode#LOAD}). */
    public static final int FLAG_ROWS = 1;
    /** Flag bit of binary tensor-scalar instructions: the scalar is the left operand. */
    public static final int FLAG_SCALAR_LEFT = 1;
    /**
     * Flag bit of row-operand binary instructions (ADD_R ... MIN_R): the row value is the left
     * operand. Commutative operations ignore it and compute {@code a ∘ row}.
     */
    public static final int FLAG_ROW_LEFT = 1;

    private Isa() {}

    /** Header word 0: magic, version and {@code flags}. */
    public static long header0(int flags) {
        return (long) MAGIC << 32 | (long) VERSION << 16 | (flags & 0xFFFF);
    }

    /** Header word 1: tiles over all stages and code words. */
    public static long header1(long tiles, long codeWords) {
        return tiles << 32 | codeWords;
    }

    /** Header word 2: SIMD width, slot count and stage count. */
    public static long header2(int simdWidth, int slots, int stages) {
        return (long) simdWidth << 48 | (long) slots << 32 | (long) stages << 16;
    }

    /** Header word 3: unified-buffer bytes the program addresses. */
    public static long header3(long ubBytes) {
        return ubBytes << 32;
    }

    /** A slot-table entry: kind (SLOT_*), element type and the bytes the program may reach from the slot base. */
    public static long slotEntry(int kind, ElementType type, long bytes) {
        return (long) kind << 56 | (long) type.code() << 48 | bytes;
    }

    /** The kind (SLOT_*) of a slot-table entry. */
    public static int slotKind(long entry) {
        return (int) (entry >>> 56);
    }

    /** The {@link ElementType} code of a slot-table entry. */
    public static int slotTypeCode(long entry) {
        return (int) (entry >>> 48 & 0xFF);
    }

    /** The bytes a slot-table entry lets the program reach. */
    public static long slotBytes(long entry) {
        return entry & 0xFFFF_FFFF_FFFFL;
    }

    /** A head word: pipe, opcode byte, length in words, the 16 sync bits and the 32-bit ext operand. */
    public static long head(Pipe pipe, int opcode, int length, int sync, long ext) {
        return ext << 32 | (long) (sync & 0xFFFF) << 16 | (long) length << 11 | (long) opcode << 3 | pipe.ordinal();
    }

    /** The pipe code ({@link Pipe#ordinal()}) of a head word. */
    public static int pipeCode(long head) {
        return (int) (head & 7);
    }

    /** The opcode byte of a head word. */
    public static int opcode(long head) {
        return (int) (head >>> 3 & 0xFF);
    }

    /** The instruction length in words, head included. */
    public static int length(long head) {
        return (int) (head >>> 11 & 0x1F);
    }

    /** The 16 sync bits of a head word (see {@link Sync}). */
    public static int sync(long head) {
        return (int) (head >>> 16 & 0xFFFF);
    }

    /** The ext half of a head word: the first operand when it is at most 32 bits wide. */
    public static long ext(long head) {
        return head >>> 32;
    }
}
