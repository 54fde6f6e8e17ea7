package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.MalformedProgramException;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramStructure;
import dev.dvm.bytecode.ProgramVisitor;
import dev.dvm.bytecode.Verifier;
import org.junit.jupiter.api.Test;

/**
 * A program decoded against a verified structure takes the structural parts of its plans from the
 * last program of that structure (the pre-decoder's template); everything else must still come
 * from its own words. Each executable made that way must equal the one a full verification and
 * decode of the same program makes.
 */
class PreDecoderTemplateTest {
    private static final NpuSpec SPEC = NpuSpec.host();

    /**
     * y = x + scalar over a rows × cols F32 matrix in tiles of tileRows × tileCols: every instance
     * has the same structure, and the scalar, extents, tiling, UB addresses and strides differ.
     */
    private static Program addScalar(long rows, long cols, int tileRows, int tileCols, float scalar) {
        return TestProgram.elementwise(rows, cols, tileRows, tileCols, (p, dst, words) -> p.op(Opcode.ADD_S, TestProgram.VECTOR_SYNC, dst, 0,
                words, ElementType.F32.code(), 0, Float.floatToRawIntBits(scalar)));
    }

    private static ProgramStructure structureOf(Program program) {
        return Verifier.verifyStructure(program, SPEC.ubBytes(), SPEC.events(), new ProgramVisitor() {});
    }

    @Test
    void instancesOfOneStructureDecodeTheirOwnNumbers() {
        ProgramStructure structure = structureOf(addScalar(4, 20, 2, 16, 1f));
        Executable template = Executable.of(addScalar(4, 20, 2, 16, 1f), SPEC, structure);
        long[][] shapes = {{7, 33, 3, 24}, {1, 8, 1, 8}, {100, 5, 8, 5}, {4, 20, 2, 16}};
        for (long[] s : shapes) {
            Program program = addScalar(s[0], s[1], (int) s[2], (int) s[3], s[0] / 3f);
            Executable fast = Executable.of(program, SPEC, structure);
            assertSamePlans(Executable.of(program, SPEC), fast);
            assertSame(template.stages[0].ops, fast.stages[0].ops, "the records come from the template");
        }
    }

    @Test
    void anotherStructureInBetweenGetsItsOwnRecords() {
        Program add = addScalar(4, 20, 2, 16, 2f);
        Program exp = TestProgram.unary(Opcode.EXP, 4, 20, 2, 16);
        ProgramStructure addStructure = structureOf(add);
        ProgramStructure expStructure = structureOf(exp);
        for (int round = 0; round < 2; round++) {
            assertSamePlans(Executable.of(add, SPEC), Executable.of(add, SPEC, addStructure));
            assertSamePlans(Executable.of(exp, SPEC), Executable.of(exp, SPEC, expStructure));
        }
        assertNotEquals(Executable.of(add, SPEC, addStructure).stages[0].written(1),
                Executable.of(exp, SPEC, expStructure).stages[0].written(1), "the vector op is ADD_S, then EXP");
    }

    @Test
    void aRejectedProgramLeavesTheTemplateSound() {
        ProgramStructure structure = structureOf(addScalar(4, 20, 2, 16, 1f));
        Executable.of(addScalar(4, 20, 2, 16, 1f), SPEC, structure);
        // the header gives the UB bytes of one buffer, not two: ub-range, in both modes at the same byte
        long[] words = addScalar(4, 20, 2, 16, 1f).words();
        words[3] = words[3] & 0xFFFF_FFFFL | (words[3] >>> 32) / 2 << 32;
        Program bad = new Program(words);
        MalformedProgramException full = assertThrows(MalformedProgramException.class, () -> Executable.of(bad, SPEC));
        MalformedProgramException fast = assertThrows(MalformedProgramException.class, () -> Executable.of(bad, SPEC, structure));
        assertEquals("ub-range", full.rule());
        assertEquals(full.rule(), fast.rule());
        assertEquals(full.byteOffset(), fast.byteOffset());
        Program next = addScalar(9, 40, 4, 32, 5f);
        assertSamePlans(Executable.of(next, SPEC), Executable.of(next, SPEC, structure));
    }

    /** Every field of every plan, arrays and memory plans by content. */
    private static void assertSamePlans(Executable expected, Executable actual) {
        assertEquals(expected.ubBytes, actual.ubBytes);
        assertEquals(expected.tiles(), actual.tiles());
        assertArrayEquals(expected.slotKinds, actual.slotKinds);
        assertArrayEquals(expected.slotTypes, actual.slotTypes);
        assertArrayEquals(expected.slotBytes, actual.slotBytes);
        assertEquals(expected.stages.length, actual.stages.length);
        for (int i = 0; i < expected.stages.length; i++) {
            StagePlan e = expected.stages[i];
            StagePlan a = actual.stages[i];
            assertEquals(e.index, a.index);
            assertEquals(e.byteOffset, a.byteOffset);
            assertEquals(e.tiles, a.tiles);
            assertEquals(e.rows, a.rows);
            assertEquals(e.cols, a.cols);
            assertEquals(e.pitch, a.pitch);
            assertArrayEquals(e.outerExtents, a.outerExtents);
            assertArrayEquals(e.innerExtents, a.innerExtents);
            assertArrayEquals(e.ops, a.ops);
            assertArrayEquals(e.nums, a.nums);
            assertArrayEquals(e.scalars, a.scalars);
            assertEquals(e.memory.length, a.memory.length);
            for (int m = 0; m < e.memory.length; m++) {
                MemoryPlan em = e.memory[m];
                MemoryPlan am = a.memory[m];
                assertEquals(
                        java.util.List.of(em.load(), em.ubWord(), em.slot(), em.type(), em.perRow(), em.offset(), em.colBlockStride()),
                        java.util.List.of(am.load(), am.ubWord(), am.slot(), am.type(), am.perRow(), am.offset(), am.colBlockStride()));
                assertArrayEquals(em.outerStrides(), am.outerStrides());
                assertArrayEquals(em.innerStrides(), am.innerStrides());
            }
        }
    }
}
