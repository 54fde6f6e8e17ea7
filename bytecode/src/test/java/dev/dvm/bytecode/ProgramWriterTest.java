package dev.dvm.bytecode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProgramWriterTest {
    @Test
    void encodesHeaderAndSlotTableAsTheIsaLaysThemOut() {
        long[] words = Programs.add().program().words();
        // Code: STAGE rank 2 (5 words), 2 LOADs rank 2 (4 each), ADD (3), STORE rank 2 (4), END (1) = 21 words.
        assertEquals(0x44564D42_0001_0000L, words[0]);
        assertEquals(0x00000004_00000015L, words[1]);
        assertEquals(0x0010_0003_0001_0000L, words[2]);
        assertEquals(0x00000C00_00000000L, words[3]);
        assertEquals(0x0003_0000_0000_1000L, words[4]);
        assertEquals(0x0003_0000_0000_1000L, words[5]);
        assertEquals(0x0103_0000_0000_1000L, words[6]);
        assertEquals(4 + 3 + 21, words.length);
    }

    @Test
    void packsAnInstructionByTheOperandRule() {
        Programs.Built add = Programs.add();
        long[] words = add.program().words();
        int head = add.offset(Programs.ADD_ADD) / 8;
        // head: dst 0x800 | sync 0x1111 | length 3 | opcode 0x36 | pipe VECTOR (2).
        assertEquals(0x00000800_1111_0000L | 3 << 11 | 0x36 << 3 | 2, words[head]);
        // a, b share word 1; n then the type byte in word 2.
        assertEquals(0x00000400_00000000L, words[head + 1]);
        assertEquals(0x00000003_00000100L, words[head + 2]);
    }

    @Test
    void patchesTheOpenStagesBodyLengthOnEnd() {
        Programs.Built add = Programs.add();
        Program program = add.program();
        int stage = add.offset(Programs.ADD_STAGE) / 8;
        // tiles in the head's upper half, body words in the low half of word 1: 4 + 4 + 3 + 4.
        assertEquals(4, program.word(stage) >>> 32);
        assertEquals(15, program.word(stage + 1) & 0xFFFF_FFFFL);
    }

    @Test
    void patchRewritesOneOperandAndKeepsItsNeighbours() {
        Programs.Built add = Programs.add();
        long[] before = add.program().words();
        add.patch(Programs.ADD_ADD, 3, 0xABCD);
        long[] after = add.program().words();
        int n = add.offset(Programs.ADD_ADD) / 8 + 2;
        assertEquals(before[n] & ~0xFFFF_FFFFL | 0xABCD, after[n]);
        after[n] = before[n];
        assertArrayEquals(before, after);
    }

    @Test
    void resetWriterEncodesAnotherProgramAsAFreshOneDoes() {
        ProgramWriter w = Programs.add().writer().reset();
        assertEquals(0, w.codeLength());
        assertEquals(0, w.slotCount());
        assertRewritesTheMixedProgram(w);
    }

    /** {@code w}, freshly reset, given the mixed program's header, slots and instructions, writes that program. */
    private static void assertRewritesTheMixedProgram(ProgramWriter w) {
        Program mixed = Programs.mixed().program();
        w.simdWidth(8).ubBytes(0x520);
        w.slot(Isa.SLOT_INPUT, ElementType.F16, 64);
        w.slot(Isa.SLOT_OUTPUT, ElementType.F32, 128);
        copyInstructions(w, mixed);
        assertEquals(mixed, w.toProgram());
    }

    @Test
    void writerReusedAfterLongInstructionsLeavesNoBitsOfThem() {
        // A stage of 55 dims with every operand bit set fills 31 words; the next program's shorter
        // instructions land on those words and must see them as zero.
        ProgramWriter w = new ProgramWriter();
        long[] dims = new long[55];
        Arrays.fill(dims, 0xFFFF_FFFFL);
        w.begin(Opcode.STAGE, 0).operand(0xFFFF_FFFFL).operand(0).operand(0xFFFF_FFFFL).operand(0xFFFF_FFFFL).operand(0xFFFF_FFFFL)
                .operand(dims.length).operand(0xFF);
        for (long d : dims) {
            w.operand(d);
        }
        w.end();
        w.reset();
        assertRewritesTheMixedProgram(w);
    }

    @Test
    void resetInsideAnInstructionRefusesFurtherOperands() {
        ProgramWriter w = new ProgramWriter();
        w.begin(Opcode.ADD, 0).operand(0);
        w.reset();
        assertThrows(IllegalStateException.class, () -> w.operand(0));
        w.begin(Opcode.ADD, 0).operand(0).operand(0).operand(0).operand(1).operand(ElementType.F32.code()).end();
        assertThrows(IllegalStateException.class, () -> w.operand(0));
    }

    /** Re-encodes every instruction of {@code program} through {@code w}, using the reader. */
    private static void copyInstructions(ProgramWriter w, Program program) {
        copyInstructions(w, program, -1, -1, 0);
    }

    /**
     * Re-encodes every instruction of {@code program} through {@code w}, operand {@code operand} of
     * instruction {@code instruction} xor {@code flip} (operand -1: the sync bits). A changed repeat
     * count gets as many repeated operands as it says (the original ones, then 1s).
     */
    private static void copyInstructions(ProgramWriter w, Program program, int instruction, int operand, long flip) {
        new ProgramReader(program).accept(new ProgramVisitor() {
            int k;

            @Override
            public void visitInstruction(int byteOffset, Opcode opcode, int sync, Operands operands) {
                boolean here = k++ == instruction;
                Layout layout = opcode.layout();
                w.begin(opcode, here && operand < 0 ? sync ^ (int) flip : sync);
                int count = layout.fixedCount();
                for (int i = 0; i < count; i++) {
                    long value = i >= operands.count() ? 1 : here && i == operand ? operands.get(i) ^ flip : operands.get(i);
                    w.operand(value);
                    if (i == layout.repeatCountIndex()) {
                        count += (int) value;
                    }
                }
                w.end();
            }
        });
    }

    /** The mixed program's header and slots, then its instructions as {@link #copyInstructions} changes them, written against {@code expected}. */
    private static Program mixedAgainst(ProgramStructure expected, int simdWidth, ElementType input, int instruction, int operand, long flip) {
        ProgramWriter w = new ProgramWriter().expect(expected).simdWidth(simdWidth).ubBytes(0x520);
        w.slot(Isa.SLOT_INPUT, input, 64);
        w.slot(Isa.SLOT_OUTPUT, ElementType.F32, 128);
        copyInstructions(w, Programs.mixed().program(), instruction, operand, flip);
        return w.toProgram();
    }

    @Test
    void aProgramWrittenAgainstAStructureCarriesItExactlyWhenEveryStructureBitIsEqual() {
        Program mixed = Programs.mixed().program();
        ProgramStructure structure = Verifier.verifyStructure(mixed, Programs.UB_CAPACITY, Sync.EVENTS, new ProgramVisitor() {});
        Program same = mixedAgainst(structure, 8, ElementType.F16, -1, -1, 0);
        assertEquals(mixed, same);
        assertSame(structure, same.matched);
        assertEquals(mixed.structureHash(), same.structureHash());

        int instructions = structure.instructions();
        int structural = 0;
        for (int k = 0; k < instructions; k++) {
            Opcode op = structure.opcodes[k];
            for (int i = -1; i < structure.firstOperands[k + 1] - structure.firstOperands[k]; i++) {
                boolean structureBit = i < 0 || op.layout().kind(i).structural();
                Program written = mixedAgainst(structure, 8, ElementType.F16, k, i, i < 0 ? Sync.of(Sync.WAIT, 1) : 1);
                assertEquals(new Program(written.words()), written, "words as written without a structure");
                assertEquals(new Program(written.words()).structureHash(), written.structureHash(), op + " operand " + i + ": hash");
                if (structureBit) {
                    structural++;
                    assertNull(written.matched, op + " operand " + i + " is structure");
                    assertFalse(structure.matches(written), op + " operand " + i + " is structure");
                } else {
                    assertSame(structure, written.matched, op + " operand " + i + " is a number");
                    assertTrue(structure.matches(new Program(written.words())), op + " operand " + i + " is a number");
                }
            }
        }
        assertTrue(structural > 2 * instructions, "sync bits and structural operands of every instruction were changed");

        // header and slot table: the SIMD width and a slot type are structure; no instruction fewer or more
        assertNull(mixedAgainst(structure, 16, ElementType.F16, -1, -1, 0).matched);
        assertNull(mixedAgainst(structure, 8, ElementType.F32, -1, -1, 0).matched);
        ProgramWriter shorter = new ProgramWriter().expect(structure).simdWidth(8).ubBytes(0x520);
        shorter.slot(Isa.SLOT_INPUT, ElementType.F16, 64);
        shorter.slot(Isa.SLOT_OUTPUT, ElementType.F32, 128);
        Programs.stage(shorter, 1, 2, 16, 16, 1, 2, 16);
        Programs.end(shorter);
        assertNull(shorter.toProgram().matched);
        Programs.Built add = Programs.add();
        ProgramStructure addStructure = Verifier.verifyStructure(add.program(), Programs.UB_CAPACITY, Sync.EVENTS, new ProgramVisitor() {});
        assertNull(mixedAgainst(addStructure, 8, ElementType.F16, -1, -1, 0).matched);
    }

    @Test
    void expectingAStructureIsRefusedInsideAProgram() {
        ProgramWriter w = new ProgramWriter();
        Programs.stage(w, 1, 1, 8, 8, 1, 1, 8);
        assertThrows(IllegalStateException.class, () -> w.expect(null));
    }

    @Test
    void rejectsOperandsOutOfRange() {
        ProgramWriter w = new ProgramWriter();
        w.begin(Opcode.ADD, 0);
        assertThrows(IllegalArgumentException.class, () -> w.operand(-1));
        assertThrows(IllegalArgumentException.class, () -> w.operand(1L << 32));
        w.operand(0).operand(0).operand(0).operand(1).operand(ElementType.F32.code());
        assertThrows(IllegalArgumentException.class, () -> w.operand(0));
    }

    @Test
    void rejectsTooFewOperandsAndMisplacedCalls() {
        ProgramWriter w = new ProgramWriter();
        assertThrows(IllegalStateException.class, () -> w.operand(0));
        assertThrows(IllegalStateException.class, w::end);
        w.begin(Opcode.ADD, 0).operand(0);
        assertThrows(IllegalArgumentException.class, w::end);
        assertThrows(IllegalStateException.class, () -> w.begin(Opcode.SUB, 0));
    }

    @Test
    void rejectsStagesOutOfOrder() {
        ProgramWriter w = new ProgramWriter();
        assertThrows(IllegalStateException.class, () -> Programs.end(w));
        ProgramWriter open = new ProgramWriter();
        Programs.stage(open, 1, 1, 8, 8, 1, 1, 8);
        assertThrows(IllegalStateException.class, open::toProgram);
        assertThrows(IllegalStateException.class, () -> Programs.stage(open, 1, 1, 8, 8, 1, 1, 8));
    }

    @Test
    void rejectsInstructionsLongerThanTheLengthField() {
        long[] dims = new long[56];
        Arrays.fill(dims, 1);
        // STAGE: 224 bits of fixed operands, then 32 per dim: 55 dims fill 31 words, the 56th does not fit.
        Programs.stage(new ProgramWriter(), 1, 1, 8, 8, 1, Arrays.copyOf(dims, 55));
        assertThrows(IllegalArgumentException.class, () -> Programs.stage(new ProgramWriter(), 1, 1, 8, 8, 1, dims));
    }

    @Test
    void rejectsBadSlotsAndHeaderFields() {
        ProgramWriter w = new ProgramWriter();
        assertThrows(IllegalArgumentException.class, () -> w.slot(3, ElementType.F32, 4));
        assertThrows(IllegalArgumentException.class, () -> w.slot(Isa.SLOT_INPUT, ElementType.F32, 1L << 48));
        assertThrows(IllegalArgumentException.class, () -> w.slot(Isa.SLOT_INPUT, ElementType.F32, -1));
        Programs.Built add = Programs.add();
        add.writer().ubBytes(1L << 32);
        assertThrows(IllegalStateException.class, add::program);
        add.writer().ubBytes(0xC00).simdWidth(1 << 16);
        assertThrows(IllegalStateException.class, add::program);
    }
}
