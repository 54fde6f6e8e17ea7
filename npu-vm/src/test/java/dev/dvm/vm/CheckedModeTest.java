package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.Sync;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class CheckedModeTest {
    private static final int ROWS = 9, COLS = 40;

    private static float[] launch(Device device, Program program, int inputs) {
        try (Arena arena = Arena.ofShared()) {
            Bindings bindings = new Bindings(inputs + 1);
            for (int s = 0; s < inputs; s++) {
                MemorySegment x = arena.allocate(4L * ROWS * COLS);
                for (int i = 0; i < ROWS * COLS; i++) {
                    x.setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.01f - s);
                }
                bindings.set(s, x, 0);
            }
            MemorySegment y = arena.allocate(4L * ROWS * COLS);
            bindings.set(inputs, y, 0);
            device.launch(Executable.of(program, device.spec()), bindings);
            return y.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** y = a + b with tiles of 2 x 16; {@code loadA} and {@code loadB} are the two loads' sync bits. */
    private static Program add(int loadA, int loadB, int[] heads) {
        TestProgram p = new TestProgram(3 * 2 * 16 * 4);
        p.slot(Isa.SLOT_INPUT, ElementType.F32, 4L * ROWS * COLS);
        p.slot(Isa.SLOT_INPUT, ElementType.F32, 4L * ROWS * COLS);
        p.slot(Isa.SLOT_OUTPUT, ElementType.F32, 4L * ROWS * COLS);
        p.stage(new long[] {ROWS, COLS}, 1, 2, 16, 16);
        heads[0] = p.memory(Opcode.LOAD, loadA, 0, 0, ElementType.F32, 0, 0, COLS, 1);
        heads[1] = p.memory(Opcode.LOAD, loadB, 128, 1, ElementType.F32, 0, 0, COLS, 1);
        heads[2] = p.op(Opcode.ADD, TestProgram.VECTOR_SYNC, 256, 0, 128, 32, ElementType.F32.code());
        p.memory(Opcode.STORE, TestProgram.STORE_SYNC, 256, 2, ElementType.F32, 0, 0, COLS, 1);
        return p.end().build();
    }

    private static Device checked(int cores) {
        return new Device(NpuSpec.host().withCores(cores), new Device.Options(true, false));
    }

    @Test
    void correctProgramsPass() {
        int[] heads = new int[3];
        // A's load needs no event of its own: MTE2 retires in order, so waiting for B's covers it.
        Program program = add(Sync.of(Sync.BACK_WAIT, 0), Sync.of(Sync.SET, 0), heads);
        try (Device checked = checked(2); Device fast = new Device(NpuSpec.host().withCores(2))) {
            assertArrayEquals(launch(fast, program, 2), launch(checked, program, 2));
            Program unary = TestProgram.unary(Opcode.EXP, ROWS, COLS, 2, 16);
            assertArrayEquals(launch(fast, unary, 1), launch(checked, unary, 1));
        }
    }

    @Test
    void aLoadNotCoveredByTheWaitIsAHazard() {
        int[] heads = new int[3];
        // The set moved from B's load to A's: the add still waits, but B's write is not ordered before it.
        Program planted = add(Sync.of(Sync.BACK_WAIT, 0) | Sync.of(Sync.SET, 0), Sync.NONE, heads);
        try (Device checked = checked(1); Device fast = new Device(NpuSpec.host().withCores(1))) {
            launch(fast, planted, 2);
            HazardException e = assertThrows(HazardException.class, () -> launch(checked, planted, 2));
            assertEquals(0, e.stage());
            assertEquals(0, e.tile());
            assertEquals(Opcode.ADD, e.opcode());
            assertEquals(128, e.ubAddress());
            assertEquals(8 * (planted.codeStart() + heads[2]), e.byteOffset());
            assertTrue(e.getMessage().contains("V reads a block written by MTE2 (instruction at byte " + 8 * (planted.codeStart() + heads[1])
                    + ") with no wait on a MTE2->V event set after that write"), e.getMessage());
        }
    }

    @Test
    void aMissingBackEventIsAHazardOnTheNextTile() {
        Program program = TestProgram.unary(Opcode.EXP, ROWS, COLS, 2, 16);
        // Remove the V->MTE2 back event (the load's back-wait and the vector op's back-set) by rewriting two head words.
        int stageWords = Isa.length(program.word(program.codeStart()));
        int loadHead = stageWords;
        assertEquals(Opcode.LOAD.code(), Isa.opcode(program.word(program.codeStart() + loadHead)));
        int vectorHead = loadHead + Isa.length(program.word(program.codeStart() + loadHead));
        Program planted = TestProgram.withSync(program, loadHead, Sync.of(Sync.SET, 0));
        planted = TestProgram.withSync(planted, vectorHead, TestProgram.VECTOR_SYNC & ~(0xF << Sync.BACK_SET));
        Program finalPlanted = planted;
        try (Device checked = checked(2)) {
            HazardException e = assertThrows(HazardException.class, () -> launch(checked, finalPlanted, 1));
            assertEquals(Opcode.LOAD, e.opcode());
            // The hazard is on the second tile of a range: 0.. on the caller, or 8.. if the stage were spread over 2 cores.
            assertTrue(e.tile() == 1 || e.tile() == 9, "tile " + e.tile());
            assertTrue(e.getMessage().contains("MTE2 overwrites a block still read by V"), e.getMessage());
            assertTrue(e.getMessage().contains("no wait on a V->MTE2 event"), e.getMessage());
        }
    }
}
