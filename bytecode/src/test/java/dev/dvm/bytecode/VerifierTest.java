package dev.dvm.bytecode;

import static dev.dvm.bytecode.Programs.ADD_ADD;
import static dev.dvm.bytecode.Programs.ADD_END;
import static dev.dvm.bytecode.Programs.ADD_LOAD_A;
import static dev.dvm.bytecode.Programs.ADD_LOAD_B;
import static dev.dvm.bytecode.Programs.ADD_STAGE;
import static dev.dvm.bytecode.Programs.ADD_STORE;
import static dev.dvm.bytecode.Programs.MM_COPY;
import static dev.dvm.bytecode.Programs.MM_MATMUL;
import static dev.dvm.bytecode.Programs.MM_STAGE;
import static dev.dvm.bytecode.Programs.SYNC_ADD;
import static dev.dvm.bytecode.Programs.SYNC_LOAD_A;
import static dev.dvm.bytecode.Programs.SYNC_LOAD_B;
import static dev.dvm.bytecode.Programs.SYNC_STORE;
import static dev.dvm.bytecode.Programs.add;
import static dev.dvm.bytecode.Programs.emptyStage;
import static dev.dvm.bytecode.Programs.matmul;
import static dev.dvm.bytecode.Programs.withCode;
import static dev.dvm.bytecode.Programs.withSync;
import static dev.dvm.bytecode.Programs.withWord;
import static dev.dvm.bytecode.Sync.BACK_SET;
import static dev.dvm.bytecode.Sync.BACK_WAIT;
import static dev.dvm.bytecode.Sync.SET;
import static dev.dvm.bytecode.Sync.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every rule the reader and the verifier enforce, each broken in an otherwise valid program: the
 * exception must name the rule and the byte offset of the offending instruction or header word.
 */
class VerifierTest {
    private static final long CAP = Programs.UB_CAPACITY;
    private static final long MAX = Isa.MAX_EXTENT;
    private static final long F16 = ElementType.F16.code(), BF16 = ElementType.BF16.code(), F32 = ElementType.F32.code(),
            I32 = ElementType.I32.code(), I64 = ElementType.I64.code();
    /** A stage-only program has no slots: its code starts at byte 32. */
    private static final int EMPTY_STAGE_AT = Isa.HEADER_WORDS * 8;

    private static void assertValid(Program program) {
        Verifier.verify(program, CAP, Sync.EVENTS);
    }

    private static void assertRule(Program program, String rule, int byteOffset) {
        MalformedProgramException e = assertThrows(MalformedProgramException.class, () -> Verifier.verify(program, CAP, Sync.EVENTS));
        assertEquals(rule, e.rule(), e.getMessage());
        assertEquals(byteOffset, e.byteOffset(), e.getMessage());
    }

    private static void assertRule(Programs.Built built, String rule, int instruction) {
        assertRule(built.program(), rule, built.offset(instruction));
    }

    private static Program addProgram() {
        return add().program();
    }

    // ---- the numbers-only pass, whose verifier a thread reuses ----

    @Test
    void aReusedNumbersOnlyVerifierStartsEveryProgramAfresh() {
        Program good = addProgram();
        ProgramStructure structure = Verifier.verifyStructure(good, CAP, Sync.EVENTS, new ProgramVisitor() {});
        // a count of 0 breaks a numeric rule after the stage was counted: the next pass must not see its tiles
        Programs.Built built = add().patch(ADD_ADD, 3, 0);
        Program zeroCount = built.program();
        int[] instructions = new int[1];
        ProgramVisitor counting = new ProgramVisitor() {
            @Override
            public void visitInstruction(int byteOffset, Opcode opcode, int sync, Operands operands) {
                instructions[0]++;
            }
        };
        for (int round = 0; round < 3; round++) {
            MalformedProgramException e = assertThrows(MalformedProgramException.class,
                    () -> Verifier.verifyNumbers(zeroCount, structure, CAP, Sync.EVENTS, counting));
            assertEquals("count", e.rule());
            assertEquals(built.offset(ADD_ADD), e.byteOffset());
            instructions[0] = 0;
            Verifier.verifyNumbers(good, structure, CAP, Sync.EVENTS, counting);
            assertEquals(6, instructions[0]);
        }
    }

    @Test
    void aNumbersOnlyPassStartedByTheVisitorGetsItsOwnVerifier() {
        Program good = addProgram();
        ProgramStructure structure = Verifier.verifyStructure(good, CAP, Sync.EVENTS, new ProgramVisitor() {});
        Program zeroCount = add().patch(ADD_ADD, 3, 0).program();
        int[] instructions = new int[1];
        String[] nested = new String[1];
        ProgramVisitor nesting = new ProgramVisitor() {
            @Override
            public void visitInstruction(int byteOffset, Opcode opcode, int sync, Operands operands) {
                if (instructions[0]++ == 1 && nested[0] == null) {
                    nested[0] = "started";
                    nested[0] = assertThrows(MalformedProgramException.class,
                            () -> Verifier.verifyNumbers(zeroCount, structure, CAP, Sync.EVENTS, this)).rule();
                }
            }
        };
        Verifier.verifyNumbers(good, structure, CAP, Sync.EVENTS, nesting);
        instructions[0] = 0;
        nested[0] = null;
        // the outer pass, on the thread's kept verifier, survives a nested pass that failed
        Verifier.verifyNumbers(good, structure, CAP, Sync.EVENTS, nesting);
        assertEquals("count", nested[0]);
        // the outer pass's six instructions, and the nested pass's STAGE and two LOADs before its ADD fails
        assertEquals(6 + 3, instructions[0]);
    }

    @Test
    void aNumbersOnlyPassChecksMatmulNumbers() {
        ProgramStructure structure = Verifier.verifyStructure(matmul().program(), CAP, Sync.EVENTS, new ProgramVisitor() {});
        // k = 3 over a k stride of 1 stays inside both operands: a different instance of the same structure
        Program shorterK = matmul().patch(MM_MATMUL, 7, 3).program();
        assertValid(shorterK);
        Verifier.verifyNumbers(shorterK, structure, CAP, Sync.EVENTS, new ProgramVisitor() {});
        List<Programs.Built> broken = List.of(
                matmul().patch(MM_MATMUL, 8, 3),          // a's k stride 3: the last element is 2 × 5 + 4 × 3 = 22 of 15
                matmul().patch(MM_MATMUL, 9, MAX + 1),
                matmul().patch(MM_MATMUL, 7, MAX + 1),
                matmul().patch(MM_MATMUL, 11, -1),
                matmul().patch(MM_MATMUL, 0, 0x60));
        for (Programs.Built built : broken) {
            Program program = built.program();
            assertTrue(structure.matches(program));
            MalformedProgramException full = assertThrows(MalformedProgramException.class, () -> assertValid(program));
            MalformedProgramException numbers = assertThrows(MalformedProgramException.class,
                    () -> Verifier.verifyNumbers(program, structure, CAP, Sync.EVENTS, new ProgramVisitor() {}));
            assertEquals(full.rule(), numbers.rule(), numbers.getMessage());
            assertEquals(built.offset(MM_MATMUL), numbers.byteOffset(), numbers.getMessage());
        }
        MalformedProgramException e = assertThrows(MalformedProgramException.class, () -> Verifier.verifyNumbers(
                broken.getFirst().program(), structure, CAP, Sync.EVENTS, new ProgramVisitor() {}));
        assertEquals("memory-reach", e.rule(), e.getMessage());
    }

    // ---- valid programs ----

    @Test
    void acceptsTheCanonicalPrograms() {
        assertValid(addProgram());
        assertValid(Programs.reduceRows().program());
        assertValid(Programs.mixed().program());
        assertValid(emptyStage(4, 2, 128, 128, 1, 4, 256).program());
        assertValid(emptyStage(0, 2, 128, 128, 1, 4, 0).program());
        // An empty domain runs no tile, however large its other extents.
        assertValid(emptyStage(0, 1, 8, 8, 1, MAX, MAX, MAX, 0).program());
    }

    @Test
    void acceptsLoadsFromOutputsBroadcastsAndAnyStrideOverOneColumnBlock() {
        assertValid(add().patch(ADD_LOAD_A, 1, 2).program());
        assertValid(add().patch(ADD_LOAD_B, 6, 0).program());
        // The second stage has one column block: its ROWS store never steps the block stride, whatever it is.
        assertValid(Programs.reduceRows().patch(Programs.RED2_STORE, 7, 5).program());
    }

    @Test
    void acceptsEveryVectorOpcodeWithExactlyTheTypesItTakes() {
        for (Opcode op : Opcode.values()) {
            if (op.pipe() != Pipe.VECTOR) {
                continue;
            }
            for (ElementType type : ElementType.values()) {
                if (op == Opcode.CAST) {
                    for (ElementType to : ElementType.values()) {
                        assertValid(Programs.vector(0x800, op, 0x200, 0x000, 64, type.code(), to.code()).program());
                    }
                    continue;
                }
                long t = type.code();
                Programs.Built built = Programs.vector(0x800, op, switch (op.layout()) {
                    case UNARY -> new long[] {0x200, 0x000, 64, t};
                    case BINARY -> new long[] {0x400, 0x000, 0x200, 64, t};
                    case BINARY_SCALAR -> new long[] {0x200, 0x000, 64, t, Isa.FLAG_SCALAR_LEFT, 3};
                    case SELECT -> new long[] {0x400, 0x600, 0x000, 0x200, 64, t};
                    case FILL -> new long[] {0x000, 64, t, 3};
                    case IOTA -> new long[] {0x000, 64, t, 64, 3};
                    case ROW -> new long[] {0x200, 0x000, 1, 64, t};
                    case ROW_BINARY -> new long[] {0x400, 0x000, 0x200, 1, 64, t, Isa.FLAG_ROW_LEFT};
                    default -> throw new AssertionError(op + " has no case here");
                });
                if (op.types().contains(type)) {
                    assertValid(built.program());
                } else {
                    assertRule(built, "type", 1);
                }
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Verifier.verify(addProgram(), CAP, 0));
        assertThrows(IllegalArgumentException.class, () -> Verifier.verify(addProgram(), CAP, Sync.EVENTS + 1));
        assertThrows(IllegalArgumentException.class, () -> Verifier.verify(addProgram(), -1, Sync.EVENTS));
    }

    // ---- reader rules ----

    @Test
    void header() {
        assertRule(new Program(new long[3]), "header", 0);
    }

    @Test
    void magic() {
        Program p = addProgram();
        assertRule(withWord(p, 0, p.word(0) ^ 1L << 32), "magic", 0);
    }

    @Test
    void version() {
        Program p = addProgram();
        assertRule(withWord(p, 0, p.word(0) + (1L << 16)), "version", 0);
    }

    @Test
    void size() {
        long[] words = addProgram().words();
        assertRule(new Program(Arrays.copyOf(words, words.length + 1)), "size", 8);
        // A code-word count above 2^31 must not cancel a large slot count out.
        words[2] = Isa.header2(16, 0xFFFF, 1);
        words[1] = Isa.header1(4, (words.length - Isa.HEADER_WORDS - 0xFFFF) & 0xFFFF_FFFFL);
        assertRule(new Program(words), "size", 8);
    }

    @Test
    void slotType() {
        Program p = addProgram();
        assertRule(withWord(p, 5, p.word(5) & ~(0xFFL << 48) | 9L << 48), "slot-type", 5 * 8);
    }

    @Test
    void opcode() {
        Programs.Built add = add();
        Program p = add.program();
        int end = add.offset(ADD_END) / 8;
        assertRule(withWord(p, end, p.word(end) & ~(0xFFL << 3) | 0x7FL << 3), "opcode", add.offset(ADD_END));
    }

    @Test
    void pipe() {
        Programs.Built add = add();
        Program p = add.program();
        int at = add.offset(ADD_ADD) / 8;
        assertRule(withWord(p, at, p.word(at) & ~7L | Pipe.MTE2.ordinal()), "pipe", add.offset(ADD_ADD));
    }

    @Test
    void length() {
        Programs.Built add = add();
        Program p = add.program();
        int at = add.offset(ADD_ADD) / 8;
        long head = p.word(at) & ~(0x1FL << 11);
        assertRule(withWord(p, at, head), "length", add.offset(ADD_ADD));
        // Two words cannot hold ADD's count operand, four are more than its operands take.
        assertRule(withWord(p, at, head | 2 << 11), "length", add.offset(ADD_ADD));
        assertRule(withWord(p, at, head | 4 << 11), "length", add.offset(ADD_ADD));
        int end = add.offset(ADD_END) / 8;
        assertRule(withWord(p, end, p.word(end) & ~(0x1FL << 11) | 2 << 11), "length", add.offset(ADD_END));
    }

    // ---- header ----

    @Test
    void headerFlags() {
        Program p = addProgram();
        assertRule(withWord(p, 0, p.word(0) | 1), "header-flags", 0);
    }

    @Test
    void headerReserved() {
        Program p = addProgram();
        assertRule(withWord(p, 2, p.word(2) | 1), "header-reserved", 16);
        assertRule(withWord(p, 3, p.word(3) | 1), "header-reserved", 16);
    }

    @Test
    void ubCapacity() {
        Verifier.verify(addProgram(), 0xC00, Sync.EVENTS);
        MalformedProgramException e = assertThrows(MalformedProgramException.class,
                () -> Verifier.verify(addProgram(), 0xC00 - 32, Sync.EVENTS));
        assertEquals("ub-capacity", e.rule());
        assertEquals(24, e.byteOffset());
    }

    @Test
    void slotKind() {
        Program p = addProgram();
        assertRule(withWord(p, 4, p.word(4) | 3L << 56), "slot-kind", 32);
    }

    // ---- structure ----

    @Test
    void stageNesting() {
        Program p = addProgram();
        long[] stage = Programs.code(p, 0, 5);
        long[] code = Programs.code(p, 0, p.codeWords());
        long[] nested = new long[stage.length + code.length];
        System.arraycopy(stage, 0, nested, 0, stage.length);
        System.arraycopy(code, 0, nested, stage.length, code.length);
        assertRule(withCode(p, nested), "stage-nesting", (p.codeStart() + 5) * 8);
    }

    @Test
    void outsideStage() {
        Program p = addProgram();
        assertRule(withCode(p, Programs.code(p, 5, p.codeWords())), "outside-stage", p.codeStart() * 8);
        long[] code = Arrays.copyOf(Programs.code(p, 0, p.codeWords()), p.codeWords() + 1);
        code[code.length - 1] = code[code.length - 2];
        assertRule(withCode(p, code), "outside-stage", p.byteSize());
    }

    @Test
    void terminator() {
        Program p = addProgram();
        assertRule(withCode(p, Programs.code(p, 0, p.codeWords() - 1)), "terminator", p.byteSize() - 8);
        assertRule(withCode(p, new long[0]), "terminator", p.codeStart() * 8);
    }

    @Test
    void stageCount() {
        Program p = addProgram();
        assertRule(withWord(p, 2, Isa.header2(16, 3, 2)), "stage-count", 16);
    }

    @Test
    void tileCount() {
        Program p = addProgram();
        assertRule(withWord(p, 1, Isa.header1(5, p.codeWords())), "tile-count", 8);
    }

    @Test
    void stageWords() {
        assertRule(add().patch(ADD_STAGE, 1, 14), "stage-words", ADD_STAGE);
    }

    // ---- STAGE ----

    @Test
    void stageRank() {
        assertRule(emptyStage(0, 1, 8, 8, 0).program(), "stage-rank", EMPTY_STAGE_AT);
    }

    @Test
    void stageInner() {
        assertRule(emptyStage(4, 2, 128, 128, 0, 4, 256).program(), "stage-inner", EMPTY_STAGE_AT);
        assertRule(emptyStage(4, 2, 128, 128, 3, 4, 256).program(), "stage-inner", EMPTY_STAGE_AT);
    }

    @Test
    void stageTile() {
        assertRule(emptyStage(4, 0, 128, 128, 1, 4, 256).program(), "stage-tile", EMPTY_STAGE_AT);
        assertRule(emptyStage(4, 2, 0, 128, 1, 4, 256).program(), "stage-tile", EMPTY_STAGE_AT);
    }

    @Test
    void stagePitch() {
        assertRule(emptyStage(4, 2, 128, 120, 1, 4, 256).program(), "stage-pitch", EMPTY_STAGE_AT);
        assertRule(emptyStage(4, 2, 128, 132, 1, 4, 256).program(), "stage-pitch", EMPTY_STAGE_AT);
    }

    @Test
    void stageExtent() {
        assertRule(emptyStage(1, 1, 8, 8, 1, MAX + 1).program(), "stage-extent", EMPTY_STAGE_AT);
        assertRule(emptyStage(1, MAX + 1, 8, 8, 1, 8).program(), "stage-extent", EMPTY_STAGE_AT);
        assertRule(emptyStage(1, 1, 8, MAX + 1, 1, 8).program(), "stage-extent", EMPTY_STAGE_AT);
    }

    @Test
    void stageOverflow() {
        assertRule(emptyStage(1, 1, 8, 8, 1, MAX, MAX, MAX, 1).program(), "stage-overflow", EMPTY_STAGE_AT);
        assertRule(emptyStage(1, 1, 8, 8, 1, MAX, MAX, MAX).program(), "stage-overflow", EMPTY_STAGE_AT);
    }

    @Test
    void stageTiles() {
        assertRule(emptyStage(3, 2, 128, 128, 1, 4, 256).program(), "stage-tiles", EMPTY_STAGE_AT);
        assertRule(emptyStage(1, 2, 128, 128, 1, 4, 0).program(), "stage-tiles", EMPTY_STAGE_AT);
    }

    // ---- operands ----

    @Test
    void type() {
        assertRule(add().patch(ADD_ADD, 4, F16), "type", ADD_ADD);
        assertRule(add().patch(ADD_ADD, 4, 9), "type", ADD_ADD);
        assertRule(add().patch(ADD_LOAD_A, 2, 9), "type", ADD_LOAD_A);
        assertRule(Programs.mixed().patch(Programs.MIX_CAST, 3, 9), "type", Programs.MIX_CAST);
        assertRule(Programs.vector(0x200, Opcode.SQRT, 0x100, 0, 64, I32), "type", 1);
    }

    @Test
    void memoryType() {
        assertRule(add().patch(ADD_LOAD_A, 2, I32), "memory-type", ADD_LOAD_A);
    }

    @Test
    void ubAlign() {
        assertRule(add().patch(ADD_ADD, 1, 0x10), "ub-align", ADD_ADD);
        assertRule(add().patch(ADD_STORE, 0, 0x810), "ub-align", ADD_STORE);
    }

    @Test
    void ubRange() {
        assertRule(add().patch(ADD_ADD, 0, 0xA00), "ub-range", ADD_ADD);
        assertRule(add().patch(ADD_ADD, 3, 512), "ub-range", ADD_ADD);
        assertRule(add().patch(ADD_LOAD_A, 0, 0xA00), "ub-range", ADD_LOAD_A);
        assertRule(add().patch(ADD_ADD, 0, 0xFFFF_FFE0L), "ub-range", ADD_ADD);
    }

    /** An instruction whose operands end exactly at {@code ubBytes}: it fits, and one byte less does not. */
    private record Footprint(Opcode op, long ubBytes, long... operands) {}

    @Test
    void footprintsUseEachOperandsComputeType() {
        List<Footprint> cases = List.of(
                new Footprint(Opcode.EQ, 0x300, 0x200, 0x000, 0x000, 64, I64),              // dst is BOOL: 4 bytes
                new Footprint(Opcode.LT_S, 0x300, 0x200, 0x000, 64, I64, 0, 7),
                new Footprint(Opcode.NEG, 0x400, 0x200, 0x000, 64, I64),
                new Footprint(Opcode.COPY, 0x400, 0x000, 0x200, 64, I64),
                new Footprint(Opcode.CAST, 0x300, 0x200, 0x000, 64, I64, F32),            // dst f32, src i64
                new Footprint(Opcode.CAST, 0x300, 0x100, 0x000, 64, F16, I64),            // src f16 held as f32
                new Footprint(Opcode.SELECT, 0x700, 0x000, 0x200, 0x300, 0x500, 64, I64), // cond is I32
                new Footprint(Opcode.FILL, 0x200, 0x000, 64, I64, 1),
                new Footprint(Opcode.IOTA, 0x100, 0x000, 64, I32, 64, 3),
                new Footprint(Opcode.REDUCE_SUM, 0x208, 0x200, 0x000, 1, 64, I64),        // dst one value per row
                new Footprint(Opcode.BROADCAST_ROW, 0x208, 0x000, 0x200, 1, 64, I64),
                new Footprint(Opcode.ADD_R, 0x408, 0x000, 0x200, 0x400, 1, 64, I64, 0),     // row: one value per row
                new Footprint(Opcode.SUB_R, 0x420, 0x220, 0x000, 0x200, 1, 64, I64, 0),     // dst full
                new Footprint(Opcode.MUL_R, 0x420, 0x000, 0x220, 0x200, 1, 64, I64, 0));    // a full
        for (Footprint c : cases) {
            assertValid(Programs.vector(c.ubBytes(), c.op(), c.operands()).program());
            Programs.Built tight = Programs.vector(c.ubBytes() - 1, c.op(), c.operands());
            MalformedProgramException e = assertThrows(MalformedProgramException.class, () -> assertValid(tight.program()), c.op().name());
            assertEquals("ub-range", e.rule(), c.op().name());
            assertEquals(tight.offset(1), e.byteOffset(), c.op().name());
        }
    }

    @Test
    void count() {
        assertRule(add().patch(ADD_ADD, 3, 0), "count", ADD_ADD);
    }

    @Test
    void rowRows() {
        assertRule(Programs.reduceRows().patch(Programs.RED_SUM, 2, 3), "row-rows", Programs.RED_SUM);
        assertRule(Programs.reduceRows().patch(Programs.RED_SUM, 2, 0), "row-rows", Programs.RED_SUM);
    }

    @Test
    void rowPitch() {
        assertRule(Programs.reduceRows().patch(Programs.RED2_SUM, 3, 16), "row-pitch", Programs.RED2_SUM);
    }

    /** SUB_R f32 over the one-row stage of {@link Programs#vector}: dst 0x000, a 0x100, row 0x200, 0x220 UB bytes. */
    private static Programs.Built subRow() {
        return Programs.vector(0x220, Opcode.SUB_R, 0x000, 0x100, 0x200, 1, 64, F32, Isa.FLAG_ROW_LEFT);
    }

    @Test
    void rowBinaryRules() {
        assertValid(subRow().program());
        assertRule(subRow().patch(1, 3, 2), "row-rows", 1);
        assertRule(subRow().patch(1, 3, 0), "row-rows", 1);
        assertRule(subRow().patch(1, 4, 128), "row-pitch", 1);
        assertRule(subRow().patch(1, 6, 2), "row-flags", 1);
        assertRule(Programs.vector(0x220, Opcode.DIV_R, 0x000, 0x100, 0x200, 1, 64, I32, 0), "type", 1);
        assertRule(subRow().patch(1, 2, 0x210), "ub-align", 1);
        assertRule(subRow().patch(1, 2, 0x220), "ub-range", 1);
        assertRule(subRow().patch(1, 1, 0x180), "ub-range", 1);
    }

    @Test
    void iotaPitch() {
        assertRule(Programs.mixed().patch(Programs.MIX_IOTA, 3, 8), "iota-pitch", Programs.MIX_IOTA);
    }

    @Test
    void iotaMod() {
        assertRule(Programs.mixed().patch(Programs.MIX_IOTA, 4, 0), "iota-mod", Programs.MIX_IOTA);
    }

    @Test
    void scalarFlags() {
        assertRule(Programs.mixed().patch(Programs.MIX_MUL_S, 4, 2), "scalar-flags", Programs.MIX_MUL_S);
    }

    // ---- LOAD / STORE ----

    @Test
    void slot() {
        assertRule(add().patch(ADD_LOAD_A, 1, 3), "slot", ADD_LOAD_A);
    }

    @Test
    void slotAccess() {
        assertRule(add().patch(ADD_STORE, 1, 0), "slot-access", ADD_STORE);
    }

    @Test
    void memoryFlags() {
        assertRule(add().patch(ADD_LOAD_A, 3, 2), "memory-flags", ADD_LOAD_A);
    }

    @Test
    void memoryRank() {
        // The first stage has rank 3 with inner rank 2: a full window takes 3 strides, a ROWS one 2.
        assertRule(Programs.reduceRows().patch(Programs.RED_STORE, 3, 0), "memory-rank", Programs.RED_STORE);
        assertRule(Programs.reduceRows().patch(Programs.RED_LOAD, 3, Isa.FLAG_ROWS), "memory-rank", Programs.RED_LOAD);
    }

    @Test
    void memoryOffset() {
        assertRule(add().patch(ADD_LOAD_A, 5, -1), "memory-offset", ADD_LOAD_A);
    }

    @Test
    void memoryStride() {
        assertRule(add().patch(ADD_LOAD_A, 6, MAX + 1), "memory-stride", ADD_LOAD_A);
    }

    @Test
    void memoryReach() {
        assertRule(add().patch(ADD_LOAD_A, 5, 1), "memory-reach", ADD_LOAD_A);
        assertRule(add().patch(ADD_STORE, 6, 257), "memory-reach", ADD_STORE);
        assertRule(add().patch(ADD_LOAD_B, 5, Long.MAX_VALUE), "memory-reach", ADD_LOAD_B);
        // With flag ROWS the last stride steps over column blocks: 2 blocks at stride 2 overrun 8 elements.
        assertRule(Programs.reduceRows().patch(Programs.RED_STORE, 7, 2), "memory-reach", Programs.RED_STORE);
    }

    // ---- MATMUL ----

    @Test
    void acceptsAMatmulStage() {
        assertValid(matmul().program());
        // Operands of any float type their slots hold.
        Program f16 = matmul().patch(MM_MATMUL, 2, F16).program();
        assertValid(withWord(f16, Isa.HEADER_WORDS, Isa.slotEntry(Isa.SLOT_INPUT, ElementType.F16, 3 * 5 * 2)));
        Program bf16 = matmul().patch(MM_MATMUL, 4, BF16).program();
        assertValid(withWord(bf16, Isa.HEADER_WORDS + 1, Isa.slotEntry(Isa.SLOT_INPUT, ElementType.BF16, 5 * 7 * 2)));
        // k = 0 reads nothing: an offset past the slot is harmless.
        assertValid(matmul().patch(MM_MATMUL, 7, 0).patch(MM_MATMUL, 10, 1000).program());
    }

    @Test
    void matmulInner() {
        // [3, 7] as 21 columns: 1 row block × 6 column blocks of 4
        assertRule(matmul().patch(MM_STAGE, 6, 2).patch(MM_STAGE, 0, 6), "matmul-inner", MM_MATMUL);
    }

    @Test
    void matmulRank() {
        assertRule(matmul(Programs.SYNC_MATMUL, 5, 0, 0, 1, 0, 0), "matmul-rank", MM_MATMUL);
        assertRule(matmul(Programs.SYNC_MATMUL, 5, 0), "matmul-rank", MM_MATMUL);
    }

    @Test
    void matmulSlot() {
        assertRule(matmul().patch(MM_MATMUL, 1, 3), "slot", MM_MATMUL);
        assertRule(matmul().patch(MM_MATMUL, 3, 3), "slot", MM_MATMUL);
    }

    @Test
    void matmulType() {
        assertRule(matmul().patch(MM_MATMUL, 2, I32), "type", MM_MATMUL);
        assertRule(matmul().patch(MM_MATMUL, 4, 9), "type", MM_MATMUL);
    }

    @Test
    void matmulMemoryType() {
        assertRule(matmul().patch(MM_MATMUL, 2, F16), "memory-type", MM_MATMUL);
        assertRule(matmul().patch(MM_MATMUL, 4, BF16), "memory-type", MM_MATMUL);
    }

    @Test
    void matmulFlags() {
        assertRule(matmul().patch(MM_MATMUL, 5, 3), "matmul-flags", MM_MATMUL);
        // a product without a group list names none
        assertRule(matmul().patch(MM_MATMUL, 12, 1), "matmul-flags", MM_MATMUL);
        // a group list of F32 sizes
        assertRule(matmul().patch(MM_MATMUL, 5, Isa.FLAG_GROUP_M).patch(MM_MATMUL, 14, 1), "type", MM_MATMUL);
    }

    @Test
    void matmulGroups() {
        assertValid(splitK().program());
        assertValid(matmul().patch(MM_MATMUL, 5, Isa.FLAG_SUM_K).program());
        // two groups for k's one chunk, and a group of 2 rows for the stage's 3
        assertRule(splitK().patch(MM_MATMUL, 14, 2).patch(MM_MATMUL, 16, 1), "matmul-groups", MM_MATMUL);
        assertRule(splitK().patch(MM_MATMUL, 16, 2), "matmul-groups", MM_MATMUL);
        assertRule(matmul().patch(MM_MATMUL, 14, MAX + 1), "matmul-groups", MM_MATMUL);
    }

    /** {@link Programs#matmul()} split over k: its k of 5 is one chunk, the stage's 3 rows one group. */
    private static Programs.Built splitK() {
        return matmul().patch(MM_MATMUL, 5, Isa.FLAG_SPLIT_K).patch(MM_MATMUL, 14, 1).patch(MM_MATMUL, 16, 3);
    }

    @Test
    void matmulK() {
        assertRule(matmul().patch(MM_MATMUL, 7, MAX + 1), "matmul-k", MM_MATMUL);
    }

    @Test
    void matmulDestination() {
        assertRule(matmul().patch(MM_MATMUL, 0, 0x10), "ub-align", MM_MATMUL);
        // a full tile of 2 × 8 f32 from 0x60 runs past 0x80
        assertRule(matmul().patch(MM_MATMUL, 0, 0x60), "ub-range", MM_MATMUL);
    }

    @Test
    void matmulOffset() {
        assertRule(matmul().patch(MM_MATMUL, 10, -1), "memory-offset", MM_MATMUL);
        assertRule(matmul().patch(MM_MATMUL, 11, Long.MIN_VALUE), "memory-offset", MM_MATMUL);
    }

    @Test
    void matmulStride() {
        assertRule(matmul().patch(MM_MATMUL, 8, MAX + 1), "memory-stride", MM_MATMUL);
        assertRule(matmul().patch(MM_MATMUL, Layout.MATMUL.fixedCount() + 3, MAX + 1), "memory-stride", MM_MATMUL);
    }

    @Test
    void matmulReach() {
        // Each operand reaches exactly its slot's last element: one more anywhere overruns it.
        assertRule(matmul().patch(MM_MATMUL, 10, 1), "memory-reach", MM_MATMUL);
        assertRule(matmul().patch(MM_MATMUL, 11, 1), "memory-reach", MM_MATMUL);
        assertRule(matmul().patch(MM_MATMUL, 7, 6), "memory-reach", MM_MATMUL);
        assertRule(matmul().patch(MM_MATMUL, 9, 8), "memory-reach", MM_MATMUL);
        assertRule(matmul(Programs.SYNC_MATMUL, 5, 1, 0, 1), "memory-reach", MM_MATMUL);
        // A sum past a long saturates instead of wrapping below the limit.
        assertRule(matmul().patch(MM_MATMUL, 10, Long.MAX_VALUE - 2), "memory-reach", MM_MATMUL);
    }

    @Test
    void matmulHasTheEventsOfMte2() {
        Programs.Built mm = matmul();
        Program p = mm.program();
        // the fields of MTE2 only
        assertRule(withSync(p, mm.offset(MM_MATMUL), Programs.SYNC_MATMUL | Sync.of(WAIT, 0)), "sync-field", mm.offset(MM_MATMUL));
        assertRule(withSync(p, mm.offset(MM_MATMUL), Programs.SYNC_MATMUL | Sync.of(BACK_SET, 0)), "sync-field", mm.offset(MM_MATMUL));
        // its set is the MTE2->V event the copy waits on, its back-wait the V->MTE2 one the copy back-sets
        assertRule(matmul(Sync.of(BACK_WAIT, 0), 5, 0, 0, 1), "event-wait-before-set", MM_COPY);
        assertRule(matmul(Sync.of(SET, 0), 5, 0, 0, 1), "back-event-order", MM_COPY);
    }

    // ---- events ----

    @Test
    void syncField() {
        Programs.Built add = add();
        Program p = add.program();
        assertRule(withSync(p, add.offset(ADD_LOAD_A), SYNC_LOAD_A | Sync.of(WAIT, 0)), "sync-field", add.offset(ADD_LOAD_A));
        assertRule(withSync(p, add.offset(ADD_STORE), SYNC_STORE | Sync.of(SET, 0)), "sync-field", add.offset(ADD_STORE));
        assertRule(withSync(p, add.offset(ADD_STAGE), Sync.of(WAIT, 0)), "sync-field", add.offset(ADD_STAGE));
        assertRule(withSync(p, add.offset(ADD_END), Sync.of(BACK_SET, 0)), "sync-field", add.offset(ADD_END));
        // An event id in a field whose present bit is clear.
        assertRule(withSync(p, add.offset(ADD_LOAD_B), SYNC_LOAD_B | 2 << BACK_WAIT), "sync-field", add.offset(ADD_LOAD_B));
    }

    @Test
    void syncEvent() {
        int addWaitingOne = Sync.of(WAIT, 1) | Sync.of(SET, 0) | Sync.of(BACK_WAIT, 0) | Sync.of(BACK_SET, 0);
        Programs.Built add = add(SYNC_LOAD_A, Sync.of(SET, 1), addWaitingOne, SYNC_STORE);
        assertValid(add.program());
        Verifier.verify(addProgram(), CAP, 1);
        MalformedProgramException e = assertThrows(MalformedProgramException.class, () -> Verifier.verify(add.program(), CAP, 1));
        assertEquals("sync-event", e.rule());
        assertEquals(add.offset(ADD_LOAD_B), e.byteOffset());
    }

    @Test
    void eventDoubleSet() {
        assertRule(add(SYNC_LOAD_A | Sync.of(SET, 0), SYNC_LOAD_B, SYNC_ADD, SYNC_STORE), "event-double-set", ADD_LOAD_B);
    }

    @Test
    void eventWaitBeforeSet() {
        assertRule(add(SYNC_LOAD_A, 0, SYNC_ADD, SYNC_STORE), "event-wait-before-set", ADD_ADD);
    }

    @Test
    void eventUnwaited() {
        assertRule(add(SYNC_LOAD_A, SYNC_LOAD_B, SYNC_ADD, Sync.of(BACK_SET, 0)), "event-unwaited", ADD_ADD);
    }

    @Test
    void eventsPaired() {
        assertRule(add(SYNC_LOAD_A, SYNC_LOAD_B | Sync.of(BACK_WAIT, 0), SYNC_ADD, SYNC_STORE), "events-paired", ADD_LOAD_B);
        int addWithoutBackSet = SYNC_ADD & ~(0xF << BACK_SET);
        assertRule(add(SYNC_LOAD_A, SYNC_LOAD_B, addWithoutBackSet, SYNC_STORE), "events-paired", ADD_LOAD_A);
        assertRule(add(SYNC_LOAD_A, SYNC_LOAD_B, SYNC_ADD, Sync.of(WAIT, 0)), "events-paired", ADD_ADD);
        Programs.Built mixed = Programs.mixed();
        Program p = mixed.program();
        p = withSync(p, mixed.offset(Programs.MIX_LOAD), Sync.of(SET, 0) | Sync.of(BACK_WAIT, 0));
        p = withSync(p, mixed.offset(Programs.MIX_EXP), Sync.of(WAIT, 0) | Sync.of(BACK_SET, 0));
        p = withSync(p, mixed.offset(Programs.MIX_MUL_S), Sync.of(BACK_SET, 0));
        assertRule(p, "events-paired", mixed.offset(Programs.MIX_MUL_S));
    }

    @Test
    void backEventOrder() {
        assertRule(add(0, SYNC_LOAD_B, SYNC_ADD, SYNC_STORE), "back-event-order", ADD_ADD);
    }
}
