package dev.dvm.bytecode;

import java.util.Arrays;

/**
 * Checks every semantic rule of a program in one pass over a {@link ProgramReader}; the reader
 * already rejects what it cannot decode. A program that passes never addresses the unified buffer
 * outside {@code [0, ubBytes)}, never reaches a bound tensor past its slot's byte count, and pairs
 * every event it sets. Each failure is a {@link MalformedProgramException} naming the byte offset
 * and one of these rules:
 *
 * <ul>
 *   <li>header: {@code header-flags} (flags must be 0), {@code header-reserved} (reserved bits 0),
 *       {@code ub-capacity} (UB bytes within the core's capacity), {@code slot-kind};
 *   <li>structure: {@code stage-nesting}, {@code outside-stage} (every instruction, END included,
 *       inside a STAGE ... END), {@code terminator} (at least one stage, the code ends right after an END),
 *       {@code stage-count}, {@code tile-count} (header totals), {@code stage-words} (STAGE's body length);
 *   <li>STAGE: {@code stage-rank}, {@code stage-inner}, {@code stage-tile} (rows, cols at least 1),
 *       {@code stage-pitch} (pitch at least cols, multiple of 8), {@code stage-extent} (at most
 *       {@link Isa#MAX_EXTENT}), {@code stage-overflow} (domain size fits a long), {@code stage-tiles};
 *   <li>operands: {@code type} (the opcode's types, any element type for LOAD, STORE and CAST),
 *       {@code count} (n at least 1), {@code ub-align} (32 bytes), {@code ub-range} (address + footprint
 *       at most the header's UB bytes), {@code row-rows}, {@code row-pitch} (ROW and ROW_BINARY: rows
 *       1..the stage's rows, the stage's pitch), {@code iota-pitch}, {@code iota-mod}, {@code scalar-flags},
 *       {@code row-flags};
 *   <li>LOAD / STORE: {@code slot}, {@code slot-access} (no STORE to an input), {@code memory-type},
 *       {@code memory-flags}, {@code memory-rank}, {@code memory-offset}, {@code memory-stride},
 *       {@code memory-reach};
 *   <li>MATMUL: {@code matmul-inner} (its stage has inner rank 1: the cube writes blocks of rows ×
 *       columns), {@code matmul-rank} (twice the stage's rank of strides), {@code matmul-flags} (0,
 *       GROUP_M, GROUP_K, SPLIT_K or SUM_K; only the GROUP ones name a group list), {@code matmul-k}
 *       (k at most {@link Isa#MAX_EXTENT}), {@code matmul-groups} (g and gspan at most
 *       {@link Isa#MAX_EXTENT}; with GROUP_K and SPLIT_K, g × gspan is the stage's rows; SPLIT_K's g
 *       is k's chunk count); a group list takes {@code slot}, {@code type}
 *       (I32 or I64), {@code memory-type}, {@code memory-offset} and {@code memory-reach} for its g
 *       sizes, and with GROUP_M b reaches g - 1 group strides further; dst takes {@code ub-align} and
 *       {@code ub-range} as a full tile of F32; a and b each take LOAD's {@code slot}, {@code type}
 *       (F32, F16 or BF16), {@code memory-type}, {@code memory-offset}, {@code memory-stride} (the k
 *       stride too) and {@code memory-reach}, their last element lying k - 1 k strides past their
 *       window's (checked when k and every stage extent are at least 1);
 *   <li>events: {@code sync-field} (fields the pipe may carry, see {@link Sync}; CUBE's are MTE2's),
 *       {@code sync-event} (id below the events per pair), forward pairs {@code event-double-set},
 *       {@code event-wait-before-set}, {@code event-unwaited}, back pairs {@code events-paired} (per id
 *       one back-wait and one back-set, or neither) and {@code back-event-order} (the back-wait first, since
 *       a stage's first tile skips back-waits and its last skips back-sets).
 * </ul>
 *
 * <p><b>Incremental verification.</b> {@link #verifyNumbers} checks a program whose
 * {@link ProgramStructure} equals one this verifier accepted in full. Structural rules read only
 * structure bits, which are equal, so they hold again; it checks only the numeric rules:
 * {@code ub-capacity}, {@code tile-count}, {@code stage-words}, {@code stage-tile},
 * {@code stage-extent}, {@code stage-pitch}, {@code stage-overflow}, {@code stage-tiles},
 * {@code count}, {@code ub-align}, {@code ub-range}, {@code row-rows}, {@code row-pitch},
 * {@code iota-pitch}, {@code iota-mod}, {@code memory-offset}, {@code memory-stride},
 * {@code memory-reach}, {@code matmul-k} and {@code matmul-groups}. The structural ones are the header's flags and reserved
 * bits, {@code slot-kind}, nesting ({@code stage-nesting}, {@code outside-stage}, {@code terminator},
 * {@code stage-count}), {@code stage-rank}, {@code stage-inner}, {@code type}, the flag rules, the
 * slot rules, {@code memory-type}, {@code memory-rank}, {@code matmul-inner} and {@code matmul-rank}
 * (ranks are structure) and every event rule. Of the reader's decoding checks, all structural, the
 * header's run in both modes and the instructions' only in full verification.
 */
public final class Verifier implements ProgramVisitor {
    /** Forward pairs, indexing {@link #setAt}. */
    private static final int MTE2_V = 0, V_MTE3 = 1;
    /** Back pairs, indexing {@link #backWaitAt} and {@link #backSetAt}. */
    private static final int V_MTE2 = 0, MTE3_V = 1;
    private static final int NONE = -1;

    /** Fields of the inbound pipes, MTE2 and CUBE. */
    private static final int INBOUND_SYNC = field(Sync.SET) | field(Sync.BACK_WAIT);
    private static final int VECTOR_SYNC = 0xFFFF;
    private static final int STORE_SYNC = field(Sync.WAIT) | field(Sync.BACK_SET);

    private final long ubCapacityBytes;
    private final int eventsPerPair;
    /** The structure equals one verified in full: check only the numeric rules. */
    private final boolean numbersOnly;

    private Program program;
    private long ubBytes;
    /** Null when checking numbers only. */
    private int[] slotKinds;
    /** Null when checking numbers only. */
    private ElementType[] slotTypes;
    private long[] slotBytes;

    private int stages;
    private long tiles;
    private int stageAt = NONE;
    private int bodyAt;
    private long bodyWords;
    private long stageTiles;
    private long rows;
    private long pitch;
    private int rank;
    private int inner;
    private long colBlocks;
    /** The open stage's extents; sized by the first stage's rank, grown for a larger one. */
    private long[] extents = new long[0];

    /** Byte offset of the pending set of each forward event, or NONE; null when checking numbers only. */
    private final int[][] setAt;
    /** Byte offsets of the back-wait and back-set of each back event in this body, or NONE; null when checking numbers only. */
    private final int[][] backWaitAt;
    private final int[][] backSetAt;

    /** Receives every part after it is checked, as ASM's checking adapters forward to the next visitor. */
    private final ProgramVisitor next;

    /**
     * Per thread, the last numbers-only verifier, reused by the next numbers-only pass for the same
     * core and visitor (an encoder's is its thread's pre-decoder): such a pass allocates no verifier,
     * reader or operand buffer.
     */
    private static final ThreadLocal<Verifier> NUMBERS_VERIFIERS = new ThreadLocal<>();
    /** The reader a reused numbers-only verifier drives itself with; null otherwise. */
    private final ProgramReader reader;
    /** A pass is running: a pass its visitor starts on the same thread gets a verifier of its own. */
    private boolean running;

    private Verifier(long ubCapacityBytes, int eventsPerPair, boolean numbersOnly, ProgramVisitor next) {
        this.ubCapacityBytes = ubCapacityBytes;
        this.eventsPerPair = eventsPerPair;
        this.numbersOnly = numbersOnly;
        this.next = next;
        reader = numbersOnly ? new ProgramReader(null) : null;
        setAt = numbersOnly ? null : new int[2][Sync.EVENTS];
        backWaitAt = numbersOnly ? null : new int[2][Sync.EVENTS];
        backSetAt = numbersOnly ? null : new int[2][Sync.EVENTS];
    }

    /**
     * Verifies {@code program} for a core whose unified buffer holds {@code ubCapacityBytes} and
     * which has {@code eventsPerPair} events per pipe pair.
     *
     * @throws MalformedProgramException naming the first rule broken and its byte offset
     */
    public static void verify(Program program, long ubCapacityBytes, int eventsPerPair) {
        verify(program, ubCapacityBytes, eventsPerPair, new ProgramVisitor() {});
    }

    /**
     * Verifies {@code program} like {@link #verify(Program, long, int)} in the same reading pass
     * that drives {@code next}: each part reaches {@code next} only after it passed its checks, so a
     * visitor that trusts verified input (the VM's pre-decoder) never sees a malformed instruction.
     */
    public static void verify(Program program, long ubCapacityBytes, int eventsPerPair, ProgramVisitor next) {
        checkCore(ubCapacityBytes, eventsPerPair);
        new ProgramReader(program).accept(new Verifier(ubCapacityBytes, eventsPerPair, false, next));
    }

    /**
     * Verifies {@code program} in full like {@link #verify(Program, long, int, ProgramVisitor)} and
     * returns its structure, with which {@link #verifyNumbers} checks later programs of the same
     * structure incrementally.
     */
    public static ProgramStructure verifyStructure(Program program, long ubCapacityBytes, int eventsPerPair, ProgramVisitor next) {
        verify(program, ubCapacityBytes, eventsPerPair, next);
        return ProgramStructure.of(program, eventsPerPair);
    }

    /**
     * Verifies {@code program}, whose structure is exactly {@code verified}, by the numeric rules
     * alone (see the class documentation); it accepts exactly the programs {@link #verify} accepts.
     * Drives {@code next} like {@link #verify(Program, long, int, ProgramVisitor)}.
     *
     * @throws IllegalArgumentException when {@code program} does not {@linkplain ProgramStructure#matches match}
     *         {@code verified} or {@code eventsPerPair} is not the one it was verified for
     * @throws MalformedProgramException naming the first numeric rule broken and its byte offset
     */
    public static void verifyNumbers(Program program, ProgramStructure verified, long ubCapacityBytes, int eventsPerPair,
            ProgramVisitor next) {
        checkCore(ubCapacityBytes, eventsPerPair);
        if (eventsPerPair != verified.eventsPerPair()) {
            throw new IllegalArgumentException("the structure was verified for " + verified.eventsPerPair() + " events per pair, not "
                    + eventsPerPair);
        }
        if (!verified.matches(program)) {
            throw new IllegalArgumentException("the program's structure differs from the verified one: verify it in full");
        }
        Verifier kept = NUMBERS_VERIFIERS.get();
        Verifier verifier = kept;
        if (verifier == null || verifier.running || verifier.ubCapacityBytes != ubCapacityBytes || verifier.eventsPerPair != eventsPerPair
                || verifier.next != next) {
            verifier = new Verifier(ubCapacityBytes, eventsPerPair, true, next);
            if (kept == null || !kept.running) {
                NUMBERS_VERIFIERS.set(verifier);
            }
        }
        verifier.checkNumbers(program, verified);
    }

    /** One numbers-only pass over {@code program}, which matches {@code verified}, from a fresh state; keeps no part of the program afterwards. */
    private void checkNumbers(Program program, ProgramStructure verified) {
        running = true;
        stages = 0;
        tiles = 0;
        stageAt = NONE;
        try {
            reader.acceptMatched(program, verified, this);
        } finally {
            this.program = null;
            slotBytes = null;
            running = false;
        }
    }

    private static void checkCore(long ubCapacityBytes, int eventsPerPair) {
        if (eventsPerPair < 1 || eventsPerPair > Sync.EVENTS) {
            throw new IllegalArgumentException("events per pair " + eventsPerPair + " outside 1.." + Sync.EVENTS);
        }
        if (ubCapacityBytes < 0) {
            throw new IllegalArgumentException("UB capacity " + ubCapacityBytes + " bytes is negative");
        }
    }

    @Override
    public void visitHeader(Program program) {
        this.program = program;
        if (!numbersOnly) {
            header(program);
        }
        ubBytes = program.ubBytes();
        if (ubBytes > ubCapacityBytes) {
            throw fail(24, "ub-capacity", "program uses " + ubBytes + " UB bytes, the core has " + ubCapacityBytes);
        }
        int slots = program.slots();
        if (!numbersOnly) {
            // only the structural slot rules read kinds and types
            slotKinds = new int[slots];
            slotTypes = new ElementType[slots];
        }
        slotBytes = new long[slots];
        next.visitHeader(program);
    }

    private static void header(Program program) {
        if (program.flags() != 0) {
            throw fail(0, "header-flags", "flags 0x" + Integer.toHexString(program.flags()) + " are not 0: no flags are defined");
        }
        if ((program.word(2) & 0xFFFF) != 0 || (program.word(3) & 0xFFFF_FFFFL) != 0) {
            throw fail(16, "header-reserved", "reserved header bits of words 2 and 3 are not 0");
        }
    }

    @Override
    public void visitSlot(int slot, int kind, ElementType type, long bytes) {
        if (!numbersOnly) {
            if (kind != Isa.SLOT_INPUT && kind != Isa.SLOT_OUTPUT && kind != Isa.SLOT_WORKSPACE) {
                throw fail((Isa.HEADER_WORDS + slot) * 8, "slot-kind", "slot " + slot + " has kind " + kind + ", not INPUT, OUTPUT or WORKSPACE");
            }
            slotKinds[slot] = kind;
            slotTypes[slot] = type;
        }
        slotBytes[slot] = bytes;
        next.visitSlot(slot, kind, type, bytes);
    }

    @Override
    public void visitInstruction(int at, Opcode op, int sync, Operands ops) {
        check(at, op, sync, ops);
        next.visitInstruction(at, op, sync, ops);
    }

    private void check(int at, Opcode op, int sync, Operands ops) {
        if (!numbersOnly && stageAt == NONE && op != Opcode.STAGE) {
            throw fail(at, "outside-stage", op + " outside a stage: every instruction belongs between STAGE and END");
        }
        switch (op.layout()) {
            case STAGE -> {
                if (!numbersOnly) {
                    if (stageAt != NONE) {
                        throw fail(at, "stage-nesting", "STAGE inside the stage opened at byte " + stageAt + ": end it first");
                    }
                    checkSync(at, op, sync, 0);
                }
                stage(at, ops);
                return;
            }
            case NONE -> {
                if (!numbersOnly) {
                    checkSync(at, op, sync, 0);
                }
                endStage(at);
                return;
            }
            case MEMORY -> memory(at, op, ops);
            case MATMUL -> matmul(at, op, ops);
            case UNARY -> unary(at, op, ops);
            case BINARY -> binary(at, op, ops);
            case BINARY_SCALAR -> binaryScalar(at, op, ops);
            case SELECT -> select(at, op, ops);
            case CAST -> cast(at, op, ops);
            case FILL -> fill(at, op, ops);
            case IOTA -> iota(at, op, ops);
            case ROW -> row(at, op, ops);
            case ROW_BINARY -> rowBinary(at, op, ops);
        }
        if (numbersOnly) {
            return;
        }
        checkSync(at, op, sync, switch (op.pipe()) {
            case MTE2, CUBE -> INBOUND_SYNC;
            case VECTOR -> VECTOR_SYNC;
            case MTE3 -> STORE_SYNC;
            case CONTROL -> 0;
        });
        events(at, op.pipe(), sync);
    }

    @Override
    public void visitEnd() {
        if (!numbersOnly) {
            terminator();
        }
        if (tiles != program.tiles()) {
            throw fail(8, "tile-count", "header says " + program.tiles() + " tiles, the stages sum to " + tiles);
        }
        next.visitEnd();
    }

    private void terminator() {
        int end = program.byteSize();
        if (stageAt != NONE) {
            throw fail(end, "terminator", "the code ends inside the stage opened at byte " + stageAt + ": END missing");
        }
        if (stages == 0) {
            throw fail(end, "terminator", "the program has no stage");
        }
        if (stages != program.stages()) {
            throw fail(16, "stage-count", "header says " + program.stages() + " stages, the code has " + stages);
        }
    }

    // ---- stages ----

    private void stage(int at, Operands ops) {
        stageTiles = ops.get(0);
        bodyWords = ops.get(1);
        rows = ops.get(2);
        long cols = ops.get(3);
        pitch = ops.get(4);
        rank = ops.getInt(5);
        inner = ops.getInt(6);
        if (!numbersOnly) {
            if (rank < 1) {
                throw fail(at, "stage-rank", "rank 0: a stage has at least one dim");
            }
            if (inner < 1 || inner > rank) {
                throw fail(at, "stage-inner", "inner rank " + inner + " outside 1.." + rank);
            }
        }
        if (rows < 1 || cols < 1) {
            throw fail(at, "stage-tile", "tile of " + rows + " rows by " + cols + " cols: both at least 1");
        }
        if (rows > Isa.MAX_EXTENT || cols > Isa.MAX_EXTENT || pitch > Isa.MAX_EXTENT) {
            throw fail(at, "stage-extent", "rows " + rows + ", cols " + cols + ", pitch " + pitch + ": at most " + Isa.MAX_EXTENT);
        }
        if (pitch < cols || pitch % 8 != 0) {
            throw fail(at, "stage-pitch", "pitch " + pitch + " must be at least cols " + cols + " and a multiple of 8");
        }
        boolean empty = false;
        if (extents.length < rank) {
            extents = new long[rank];
        }
        for (int d = 0; d < rank; d++) {
            long extent = ops.get(7 + d);
            if (extent > Isa.MAX_EXTENT) {
                throw fail(at, "stage-extent", "dim " + d + " extent " + extent + ": at most " + Isa.MAX_EXTENT);
            }
            extents[d] = extent;
            empty |= extent == 0;
        }
        long expected = 0;
        colBlocks = 0;
        if (!empty) {
            long totalRows = product(at, 0, rank - inner);
            long totalCols = product(at, rank - inner, rank);
            if (Math.multiplyHigh(totalRows, totalCols) != 0 || totalRows * totalCols < 0) {
                throw fail(at, "stage-overflow", "domain of " + totalRows + " × " + totalCols + " elements overflows a long");
            }
            colBlocks = Math.ceilDiv(totalCols, cols);
            expected = Math.ceilDiv(totalRows, rows) * colBlocks;
        }
        if (stageTiles != expected) {
            throw fail(at, "stage-tiles", "tiles " + stageTiles + ", the domain and tile size give " + expected);
        }
        stageAt = at;
        bodyAt = at + 8 * Layout.STAGE.words(ops.count());
        stages++;
        tiles += stageTiles;
        if (!numbersOnly) {
            for (int p = 0; p < 2; p++) {
                Arrays.fill(setAt[p], NONE);
                Arrays.fill(backWaitAt[p], NONE);
                Arrays.fill(backSetAt[p], NONE);
            }
        }
    }

    private long product(int at, int from, int to) {
        long product = 1;
        for (int d = from; d < to; d++) {
            if (Math.multiplyHigh(product, extents[d]) != 0 || product * extents[d] < 0) {
                throw fail(at, "stage-overflow", "the product of dims " + from + ".." + (to - 1) + " overflows a long");
            }
            product *= extents[d];
        }
        return product;
    }

    private void endStage(int at) {
        if ((at - bodyAt) / 8 != bodyWords) {
            throw fail(stageAt, "stage-words", "STAGE says its body has " + bodyWords + " words, it has " + (at - bodyAt) / 8);
        }
        stageAt = NONE;
        if (!numbersOnly) {
            unwaitedEvents();
        }
    }

    private void unwaitedEvents() {
        for (int p = 0; p < 2; p++) {
            for (int e = 0; e < Sync.EVENTS; e++) {
                if (setAt[p][e] != NONE) {
                    throw fail(setAt[p][e], "event-unwaited", pairName(p, false) + " event " + e + " is set and never waited in this stage");
                }
                if (backWaitAt[p][e] != NONE && backSetAt[p][e] == NONE) {
                    throw fail(backWaitAt[p][e], "events-paired", pairName(p, true) + " event " + e + " is back-waited and never back-set");
                }
            }
        }
    }

    // ---- instructions ----

    private void memory(int at, Opcode op, Operands ops) {
        int slot = ops.getInt(1);
        ElementType type = ElementType.ofCode(ops.get(2));
        boolean perRow = ops.get(3) == Isa.FLAG_ROWS;
        int memRank = ops.getInt(4);
        if (!numbersOnly) {
            memoryStructure(at, op, ops, slot, type, perRow, memRank);
        }
        long offset = offset(at, op, ops, 5);
        strides(at, op, ops, 6, memRank);
        ub(at, op, ops, 0, perRow ? rows : rows * pitch, type.ubByteSize());
        if (stageTiles > 0) {
            reach(at, op, op.name(), slot, type, lastInDomain(offset, ops, 6, memRank, perRow));
        }
    }

    private void memoryStructure(int at, Opcode op, Operands ops, int slot, ElementType type, boolean perRow, int memRank) {
        slotExists(at, op.name(), slot);
        if (op == Opcode.STORE && slotKinds[slot] == Isa.SLOT_INPUT) {
            throw fail(at, "slot-access", "STORE to input slot " + slot + ": store to an output or workspace");
        }
        if (type == null) {
            throw fail(at, "type", op + " type code " + ops.get(2) + " names no element type");
        }
        slotType(at, op.name(), slot, type);
        long flags = ops.get(3);
        if ((flags & ~Isa.FLAG_ROWS) != 0) {
            throw fail(at, "memory-flags", op + " flags 0x" + Long.toHexString(flags) + ": only ROWS (1) is defined");
        }
        int expectedRank = perRow ? rank - inner + 1 : rank;
        if (memRank != expectedRank) {
            throw fail(at, "memory-rank", op + " rank " + memRank + ", the stage needs " + expectedRank + (perRow ? " with flag ROWS" : ""));
        }
    }

    /**
     * MATMUL: the structure (stage shape, slots, types, flags) unless checking numbers only, then k,
     * the destination tile and each operand's offset, strides and reach.
     */
    private void matmul(int at, Opcode op, Operands ops) {
        if (!numbersOnly) {
            matmulStructure(at, ops);
        }
        long k = ops.get(7);
        if (k > Isa.MAX_EXTENT) {
            throw fail(at, "matmul-k", "MATMUL k = " + k + ": at most " + Isa.MAX_EXTENT);
        }
        ub(at, op, ops, 0, rows * pitch, ElementType.F32.ubByteSize());
        int flags = (int) ops.get(5);
        long groups = ops.get(14);
        long groupStride = ops.get(15);
        strides(at, op, ops, 15, 1);
        if (groups > Isa.MAX_EXTENT || ops.get(16) > Isa.MAX_EXTENT) {
            throw fail(at, "matmul-groups", "MATMUL g = " + groups + ", gspan = " + ops.get(16) + ": at most " + Isa.MAX_EXTENT);
        }
        boolean byK = flags == Isa.FLAG_GROUP_K || flags == Isa.FLAG_SPLIT_K;
        if (byK && groups * ops.get(16) != stageRows()) {
            throw fail(at, "matmul-groups", "MATMUL split over k: " + groups + " groups of gspan = " + ops.get(16) + " rows, but the stage has "
                    + stageRows() + " rows; they must be equal");
        }
        long chunks = (k + Isa.CUBE_K_CHUNK - 1) / Isa.CUBE_K_CHUNK;
        if (flags == Isa.FLAG_SPLIT_K && groups != chunks) {
            throw fail(at, "matmul-groups", "MATMUL SPLIT_K has g = " + groups + " groups, k = " + k + " has " + chunks + " chunks; they must be equal");
        }
        if ((flags == Isa.FLAG_GROUP_M || flags == Isa.FLAG_GROUP_K) && groups > 0) {
            long last = advance(offset(at, op, ops, 17), groups, 1);
            reach(at, op, "MATMUL group list", ops.getInt(12), ElementType.ofCode(ops.get(13)), last);
        }
        for (int operand = 0; operand < 2; operand++) {
            int slot = ops.getInt(1 + 2 * operand);
            ElementType type = ElementType.ofCode(ops.get(2 + 2 * operand));
            int kStrideAt = 8 + operand;
            int stridesAt = Layout.MATMUL.fixedCount() + operand * rank;
            long offset = offset(at, op, ops, 10 + operand);
            strides(at, op, ops, kStrideAt, 1);
            strides(at, op, ops, stridesAt, rank);
            if (stageTiles > 0 && k > 0) {
                long last = advance(lastInDomain(offset, ops, stridesAt, rank, false), k, ops.get(kStrideAt));
                if (operand == 1 && flags == Isa.FLAG_GROUP_M && groups > 0) {
                    // rows of group i read b[i]
                    last = advance(last, groups, groupStride);
                }
                reach(at, op, matmulOperand(operand), slot, type, last);
            }
        }
    }

    /** The rows of the current stage: the product of its outer extents. */
    private long stageRows() {
        long rows = 1;
        for (int d = 0; d < rank - inner; d++) {
            rows *= extents[d];
        }
        return rows;
    }

    private void matmulStructure(int at, Operands ops) {
        if (inner != 1) {
            throw fail(at, "matmul-inner", "MATMUL in a stage of inner rank " + inner + ": the cube writes blocks of rows × columns, "
                    + "so its stage needs inner rank 1");
        }
        if (ops.get(6) != 2L * rank) {
            throw fail(at, "matmul-rank", "MATMUL has " + ops.get(6) + " strides, the stage of rank " + rank + " needs " + 2 * rank
                    + " (a's per dim, then b's)");
        }
        for (int operand = 0; operand < 2; operand++) {
            String name = matmulOperand(operand);
            int slot = ops.getInt(1 + 2 * operand);
            long code = ops.get(2 + 2 * operand);
            ElementType type = ElementType.ofCode(code);
            slotExists(at, name, slot);
            if (type == null || !type.isFloat()) {
                throw fail(at, "type", name + " type code " + code + " (" + type + "): MATMUL takes F32, F16 or BF16");
            }
            slotType(at, name, slot, type);
        }
        long flags = ops.get(5);
        if (flags != 0 && flags != Isa.FLAG_GROUP_M && flags != Isa.FLAG_GROUP_K && flags != Isa.FLAG_SPLIT_K && flags != Isa.FLAG_SUM_K) {
            throw fail(at, "matmul-flags", "MATMUL flags 0x" + Long.toHexString(flags) + ": 0, GROUP_M (1), GROUP_K (2), SPLIT_K (4) or SUM_K (8)");
        }
        if (flags != Isa.FLAG_GROUP_M && flags != Isa.FLAG_GROUP_K) {
            if (ops.get(12) != 0 || ops.get(13) != 0) {
                throw fail(at, "matmul-flags", "MATMUL without a group list flag names group list slot " + ops.get(12) + " of type code "
                        + ops.get(13) + "; a product without a group list leaves them 0");
            }
            return;
        }
        int slot = ops.getInt(12);
        ElementType type = ElementType.ofCode(ops.get(13));
        slotExists(at, "MATMUL group list", slot);
        if (type != ElementType.I32 && type != ElementType.I64) {
            throw fail(at, "type", "MATMUL group list type code " + ops.get(13) + " (" + type + "): group sizes are I32 or I64");
        }
        slotType(at, "MATMUL group list", slot, type);
    }

    private static String matmulOperand(int operand) {
        return operand == 0 ? "MATMUL a" : "MATMUL b";
    }

    private void unary(int at, Opcode op, Operands ops) {
        ElementType type = type(at, op, ops, 3);
        long n = count(at, op, ops, 2);
        ub(at, op, ops, 0, n, resultSize(op, type));
        ub(at, op, ops, 1, n, type.ubByteSize());
    }

    private void binary(int at, Opcode op, Operands ops) {
        ElementType type = type(at, op, ops, 4);
        long n = count(at, op, ops, 3);
        ub(at, op, ops, 0, n, resultSize(op, type));
        ub(at, op, ops, 1, n, type.ubByteSize());
        ub(at, op, ops, 2, n, type.ubByteSize());
    }

    private void binaryScalar(int at, Opcode op, Operands ops) {
        ElementType type = type(at, op, ops, 3);
        long n = count(at, op, ops, 2);
        if (!numbersOnly && (ops.get(4) & ~Isa.FLAG_SCALAR_LEFT) != 0) {
            throw fail(at, "scalar-flags", op + " flags 0x" + Long.toHexString(ops.get(4)) + ": only SCALAR_LEFT (1) is defined");
        }
        ub(at, op, ops, 0, n, resultSize(op, type));
        ub(at, op, ops, 1, n, type.ubByteSize());
    }

    private void select(int at, Opcode op, Operands ops) {
        ElementType type = type(at, op, ops, 5);
        long n = count(at, op, ops, 4);
        ub(at, op, ops, 0, n, type.ubByteSize());
        ub(at, op, ops, 1, n, ElementType.I32.ubByteSize());
        ub(at, op, ops, 2, n, type.ubByteSize());
        ub(at, op, ops, 3, n, type.ubByteSize());
    }

    private void cast(int at, Opcode op, Operands ops) {
        long n = count(at, op, ops, 2);
        ElementType from = ElementType.ofCode(ops.get(3));
        ElementType to = ElementType.ofCode(ops.get(4));
        if (!numbersOnly && (from == null || to == null)) {
            throw fail(at, "type", "CAST from code " + ops.get(3) + " to code " + ops.get(4) + ": both must name element types");
        }
        ub(at, op, ops, 0, n, to.ubByteSize());
        ub(at, op, ops, 1, n, from.ubByteSize());
    }

    private void fill(int at, Opcode op, Operands ops) {
        ElementType type = type(at, op, ops, 2);
        ub(at, op, ops, 0, count(at, op, ops, 1), type.ubByteSize());
    }

    private void iota(int at, Opcode op, Operands ops) {
        ElementType type = type(at, op, ops, 2);
        long n = count(at, op, ops, 1);
        if (ops.get(3) != pitch) {
            throw fail(at, "iota-pitch", "IOTA pitch " + ops.get(3) + ", the stage's pitch is " + pitch);
        }
        if (ops.get(4) < 1) {
            throw fail(at, "iota-mod", "IOTA modulus 0: at least 1");
        }
        ub(at, op, ops, 0, n, type.ubByteSize());
    }

    private void row(int at, Opcode op, Operands ops) {
        ElementType type = type(at, op, ops, 4);
        long rowCount = rowGeometry(at, op, ops, 2);
        boolean broadcast = op == Opcode.BROADCAST_ROW;
        ub(at, op, ops, 0, broadcast ? rowCount * pitch : rowCount, type.ubByteSize());
        ub(at, op, ops, 1, broadcast ? rowCount : rowCount * pitch, type.ubByteSize());
    }

    private void rowBinary(int at, Opcode op, Operands ops) {
        ElementType type = type(at, op, ops, 5);
        long rowCount = rowGeometry(at, op, ops, 3);
        if (!numbersOnly && (ops.get(6) & ~Isa.FLAG_ROW_LEFT) != 0) {
            throw fail(at, "row-flags", op + " flags 0x" + Long.toHexString(ops.get(6)) + ": only ROW_LEFT (1) is defined");
        }
        ub(at, op, ops, 0, rowCount * pitch, type.ubByteSize());
        ub(at, op, ops, 1, rowCount * pitch, type.ubByteSize());
        ub(at, op, ops, 2, rowCount, type.ubByteSize());
    }

    /** The rows operand at {@code index}, followed by the pitch operand, checked against the stage; returns the rows. */
    private long rowGeometry(int at, Opcode op, Operands ops, int index) {
        long rowCount = ops.get(index);
        if (rowCount < 1 || rowCount > rows) {
            throw fail(at, "row-rows", op + " over " + rowCount + " rows, the stage's tiles have 1.." + rows);
        }
        if (ops.get(index + 1) != pitch) {
            throw fail(at, "row-pitch", op + " pitch " + ops.get(index + 1) + ", the stage's pitch is " + pitch);
        }
        return rowCount;
    }

    private ElementType type(int at, Opcode op, Operands ops, int index) {
        ElementType type = ElementType.ofCode(ops.get(index));
        if (!numbersOnly && (type == null || !op.types().contains(type))) {
            throw fail(at, "type", op + " type code " + ops.get(index) + " (" + type + "): " + op + " takes " + op.types());
        }
        return type;
    }

    private static int resultSize(Opcode op, ElementType type) {
        return op.result() == Opcode.Result.BOOL ? ElementType.I32.ubByteSize() : type.ubByteSize();
    }

    private long count(int at, Opcode op, Operands ops, int index) {
        long n = ops.get(index);
        if (n < 1) {
            throw fail(at, "count", op + " over " + n + " elements: at least 1");
        }
        return n;
    }

    /**
     * UB operand {@code index} must be block-aligned and its {@code elements} of {@code size} bytes
     * inside the header's UB bytes (compared by division: the element count may be near 2^62).
     */
    private void ub(int at, Opcode op, Operands ops, int index, long elements, int size) {
        long address = ops.get(index);
        if (address % Isa.BLOCK_BYTES != 0) {
            throw fail(at, "ub-align", op + " " + op.layout().name(index) + " = 0x" + Long.toHexString(address) + " is not "
                    + Isa.BLOCK_BYTES + "-byte aligned");
        }
        if (address > ubBytes || elements > (ubBytes - address) / size) {
            throw fail(at, "ub-range", op + " " + op.layout().name(index) + " = 0x" + Long.toHexString(address) + " + " + elements
                    + " elements of " + size + " bytes runs past the program's " + ubBytes + " UB bytes");
        }
    }

    // ---- global memory operands (LOAD, STORE, MATMUL) ----

    private void slotExists(int at, String what, int slot) {
        if (slot >= slotKinds.length) {
            throw fail(at, "slot", what + " slot " + slot + ", the program has " + slotKinds.length + " slots");
        }
    }

    /** An operand reads or writes its slot as the slot table's element type. */
    private void slotType(int at, String what, int slot, ElementType type) {
        if (type != slotTypes[slot]) {
            throw fail(at, "memory-type", what + " of " + type + " through slot " + slot + " of " + slotTypes[slot]);
        }
    }

    /** The element offset at {@code index}: a 64-bit operand, so it can read negative. */
    private long offset(int at, Opcode op, Operands ops, int index) {
        long offset = ops.get(index);
        if (offset < 0) {
            throw fail(at, "memory-offset", op + " " + op.layout().name(index) + " = " + offset + ": element offsets are at least 0");
        }
        return offset;
    }

    /** Strides {@code from .. from + count - 1}: the VM holds them as ints, so at most {@link Isa#MAX_EXTENT}. */
    private void strides(int at, Opcode op, Operands ops, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (ops.get(i) > Isa.MAX_EXTENT) {
                throw fail(at, "memory-stride", op + " " + strideName(op, i) + " = " + ops.get(i) + ": at most " + Isa.MAX_EXTENT);
            }
        }
    }

    /** Operand {@code i}'s name in messages: its layout name, or which stride of the repeated ones it is. */
    private String strideName(Opcode op, int i) {
        int fixed = op.layout().fixedCount();
        if (i < fixed) {
            return op.layout().name(i);
        }
        int d = i - fixed;
        return op == Opcode.MATMUL ? (d < rank ? "a" : "b") + " stride " + d % rank : "stride " + d;
    }

    /**
     * The last element a window of the stage's domain reaches: offset + Σ (extent - 1) × stride over
     * {@code dims} strides from operand {@code from}, the last one stepping over column blocks when
     * {@code perRow} (flag ROWS).
     */
    private long lastInDomain(long offset, Operands ops, int from, int dims, boolean perRow) {
        long last = offset;
        for (int d = 0; d < dims; d++) {
            last = advance(last, perRow && d == dims - 1 ? colBlocks : extents[d], ops.get(from + d));
        }
        return last;
    }

    /**
     * {@code last + (extent - 1) × stride}, saturating at {@link Long#MAX_VALUE}: the product fits a
     * long (extents, column blocks and k are below 2^32, strides below 2^31), the sum may not.
     */
    private static long advance(long last, long extent, long stride) {
        long step = (extent - 1) * stride;
        return step > Long.MAX_VALUE - last ? Long.MAX_VALUE : last + step;
    }

    /** The last element reached, {@code last}, must lie inside the slot. */
    private void reach(int at, Opcode op, String what, int slot, ElementType type, long last) {
        long limit = slotBytes[slot] / type.byteSize();
        if (last >= limit) {
            throw fail(at, "memory-reach", what + " reaches past the " + limit + " elements of " + type + " that slot " + slot
                    + " holds (" + slotBytes[slot] + " bytes): check offset, strides" + (op == Opcode.MATMUL ? ", k" : "")
                    + " and the slot's size");
        }
    }

    // ---- events ----

    private static int field(int field) {
        return 0xF << field;
    }

    private void checkSync(int at, Opcode op, int sync, int allowed) {
        if ((sync & ~allowed) != 0) {
            throw fail(at, "sync-field", op + " on pipe " + op.pipe() + " carries event fields it may not (" + Sync.toString(sync & ~allowed)
                    + "); see Sync");
        }
        for (int field = Sync.WAIT; field <= Sync.BACK_SET; field += 4) {
            if (Sync.has(sync, field)) {
                if (Sync.event(sync, field) >= eventsPerPair) {
                    throw fail(at, "sync-event", op + " names event " + Sync.event(sync, field) + ", the core has " + eventsPerPair + " per pair");
                }
            } else if ((sync >>> field & 0xF) != 0) {
                throw fail(at, "sync-field", op + " has an event id in an absent field at bit " + field);
            }
        }
    }

    /** Waits happen before the instruction, sets after it. The cube's product reaches UB on the inbound path, so it has MTE2's events. */
    private void events(int at, Pipe pipe, int sync) {
        switch (pipe) {
            case MTE2, CUBE -> {
                backWait(at, sync, V_MTE2);
                set(at, sync, Sync.SET, MTE2_V);
            }
            case VECTOR -> {
                waitFor(at, sync, MTE2_V);
                backWait(at, sync, MTE3_V);
                set(at, sync, Sync.SET, V_MTE3);
                backSet(at, sync, V_MTE2);
            }
            case MTE3 -> {
                waitFor(at, sync, V_MTE3);
                backSet(at, sync, MTE3_V);
            }
            case CONTROL -> {}
        }
    }

    private void set(int at, int sync, int field, int pair) {
        if (Sync.has(sync, field)) {
            int e = Sync.event(sync, field);
            if (setAt[pair][e] != NONE) {
                throw fail(at, "event-double-set", pairName(pair, false) + " event " + e + " set again before the wait for its set at byte " + setAt[pair][e]);
            }
            setAt[pair][e] = at;
        }
    }

    private void waitFor(int at, int sync, int pair) {
        if (Sync.has(sync, Sync.WAIT)) {
            int e = Sync.event(sync, Sync.WAIT);
            if (setAt[pair][e] == NONE) {
                throw fail(at, "event-wait-before-set", pairName(pair, false) + " event " + e + " waited but not set earlier in this stage");
            }
            setAt[pair][e] = NONE;
        }
    }

    private void backWait(int at, int sync, int pair) {
        if (Sync.has(sync, Sync.BACK_WAIT)) {
            int e = Sync.event(sync, Sync.BACK_WAIT);
            if (backWaitAt[pair][e] != NONE) {
                throw fail(at, "events-paired", pairName(pair, true) + " event " + e + " back-waited twice (first at byte " + backWaitAt[pair][e] + ")");
            }
            backWaitAt[pair][e] = at;
        }
    }

    private void backSet(int at, int sync, int pair) {
        if (Sync.has(sync, Sync.BACK_SET)) {
            int e = Sync.event(sync, Sync.BACK_SET);
            if (backSetAt[pair][e] != NONE) {
                throw fail(at, "events-paired", pairName(pair, true) + " event " + e + " back-set twice (first at byte " + backSetAt[pair][e] + ")");
            }
            if (backWaitAt[pair][e] == NONE) {
                throw fail(at, "back-event-order", pairName(pair, true) + " event " + e + " back-set with no back-wait before it in this stage");
            }
            backSetAt[pair][e] = at;
        }
    }

    private static String pairName(int pair, boolean back) {
        return back ? (pair == V_MTE2 ? "V->MTE2" : "MTE3->V") : (pair == MTE2_V ? "MTE2->V" : "V->MTE3");
    }

    private static MalformedProgramException fail(int at, String rule, String detail) {
        return new MalformedProgramException(at, rule, detail);
    }
}
