package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Opcode;
import org.junit.jupiter.api.Test;

/** The per-thread table that lets executables share equal arrays and plans, and the bytes it counts as kept. */
class SharedArraysTest {
    @Test
    void equalRangesGetTheSameArrayAndOnlyNewOnesAreCounted() {
        SharedArrays shared = new SharedArrays();
        int[] scratch = {9, 1, 2, 3, 9};
        int[] first = shared.ints(scratch, 1, 4);
        assertArrayEquals(new int[] {1, 2, 3}, first);
        assertEquals(StagePlan.array(3, 4), shared.keptBytes);
        scratch[0] = 7;
        assertSame(first, shared.ints(scratch, 1, 4), "an equal range is the kept array");
        assertEquals(StagePlan.array(3, 4), shared.keptBytes, "a shared array costs nothing more");
        scratch[2] = 5;
        int[] other = shared.ints(scratch, 1, 4);
        assertArrayEquals(new int[] {1, 5, 3}, other);
        assertArrayEquals(new int[] {1, 2, 3}, first, "kept arrays are copies, never the scratch");
        long[] strides = shared.longs(new long[] {0, 1}, 1, 2);
        assertSame(strides, shared.longs(new long[] {1}, 0, 1));
        long kept = shared.keptBytes;
        assertSame(shared.ints(new int[0], 0, 0), shared.ints(scratch, 2, 2), "empty ranges share one array");
        assertEquals(kept, shared.keptBytes);
        shared.resetKept();
        assertEquals(0, shared.keptBytes);
    }

    @Test
    void longArraysAreKeptButNotEntered() {
        SharedArrays shared = new SharedArrays();
        int[] big = new int[SharedArrays.MAX_LENGTH + 1];
        int[] a = shared.ints(big, 0, big.length);
        assertNotSame(a, shared.ints(big, 0, big.length));
        assertEquals(2 * StagePlan.array(big.length, 4), shared.keptBytes);
    }

    @Test
    void plansAreSharedByValueAndObjectArraysByTheirElements() {
        SharedArrays shared = new SharedArrays();
        long[] strides = shared.longs(new long[] {1}, 0, 1);
        long[] none = shared.longs(new long[0], 0, 0);
        MemoryPlan load = shared.plan(true, 0, 0, ElementType.F32, false, 0, none, strides, 0);
        assertSame(load, shared.plan(true, 0, 0, ElementType.F32, false, 0, none, strides, 0));
        MemoryPlan store = shared.plan(false, 64, 1, ElementType.F32, false, 0, none, strides, 0);
        assertNotSame(load, store);
        assertNotSame(load, shared.plan(true, 0, 0, ElementType.F32, false, 0, none, shared.longs(new long[] {2}, 0, 1), 0));
        MemoryPlan[] plans = shared.plans(new MemoryPlan[] {load, store, null}, 2);
        assertEquals(2, plans.length);
        assertSame(plans, shared.plans(new MemoryPlan[] {load, store}, 2));
        ElementType[] types = shared.types(new ElementType[] {ElementType.F32, ElementType.F32}, 2);
        assertSame(types, shared.types(new ElementType[] {ElementType.F32, ElementType.F32}, 2));
        assertEquals(2 * StagePlan.array(1, 8) + 3 * SharedArrays.MEMORY_PLAN_BYTES + 2 * StagePlan.array(2, 4),
                shared.keptBytes);
    }

    @Test
    void twoExecutablesOfOneStructureShareTheirRecordsAndAccountOnlyTheirOwnParts() {
        Executable a = Executable.of(TestProgram.unary(Opcode.EXP, 4, 64, 2, 64), NpuSpec.host());
        Executable b = Executable.of(TestProgram.unary(Opcode.EXP, 4, 64, 2, 64), NpuSpec.host());
        Executable c = Executable.of(TestProgram.unary(Opcode.EXP, 8, 64, 2, 64), NpuSpec.host());
        assertSame(a.stages[0].ops, b.stages[0].ops);
        assertSame(a.stages[0].ops, c.stages[0].ops, "another shape of the structure shares the records");
        assertSame(a.slotKinds, c.slotKinds);
        assertSame(a.stages[0].memory, b.stages[0].memory);
        // b found every array and plan a kept: it accounts only for its own objects, slot bytes, extents and numbers (copied)
        long own = Executable.OBJECT_BYTES + StagePlan.array(1, 4) + StagePlan.array(b.slots(), 8) + StagePlan.OBJECT_BYTES
                + 2 * StagePlan.array(1, 4) + StagePlan.array(b.stages[0].nums.length, 4);
        assertEquals(own, b.decodedBytes());
        assertTrue(a.decodedBytes() >= own, a.decodedBytes() + " < " + own);
    }
}
