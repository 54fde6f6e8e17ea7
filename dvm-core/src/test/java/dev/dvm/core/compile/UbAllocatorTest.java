package dev.dvm.core.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Opcode;
import dev.dvm.core.compile.Body.Instr;
import org.junit.jupiter.api.Test;

class UbAllocatorTest {
    private static Instr unary(Body body, Opcode op, int src) {
        Instr in = new Instr(op);
        in.a = src;
        in.type = ElementType.F32;
        in.dst = body.newBuffer(false, ElementType.F32);
        body.vector.add(in);
        return in;
    }

    @Test
    void temporariesAreReusedSoPeakStaysBelowTheOpCount() {
        Body body = new Body(new long[] {1024}, new boolean[1], false, false, new int[0]);
        Instr load = new Instr(Opcode.LOAD);
        load.dst = body.newBuffer(false, ElementType.F32);
        load.access = new Body.Access(0, ElementType.F32, 0, new long[] {1}, false, false);
        body.loads.add(load);
        int last = load.dst;
        for (int i = 0; i < 20; i++) {
            last = unary(body, i % 2 == 0 ? Opcode.EXP : Opcode.NEG, last).dst;
        }
        Instr store = new Instr(Opcode.STORE);
        store.a = last;
        store.access = new Body.Access(1, ElementType.F32, 0, new long[] {1}, false, false);
        body.stores.add(store);
        UbAllocator alloc = UbAllocator.allocate(body, body.code());
        assertTrue(alloc.fullUnits <= 3, "peak " + alloc.fullUnits);
        assertNotEquals(alloc.offset[load.dst], alloc.offset[last], "a loaded buffer is never reused within the tile");
    }

    @Test
    void storedAndLoadedBuffersAreNeverShared() {
        Body body = new Body(new long[] {64}, new boolean[1], false, false, new int[0]);
        Instr load = new Instr(Opcode.LOAD);
        load.dst = body.newBuffer(false, ElementType.I64);
        load.access = new Body.Access(0, ElementType.I64, 0, new long[] {1}, false, false);
        body.loads.add(load);
        int a = unary(body, Opcode.NEG, load.dst).dst;
        body.bufferType[a] = ElementType.I64;
        int b = unary(body, Opcode.ABS, a).dst;
        body.bufferType[b] = ElementType.I64;
        for (int s : new int[] {a, b}) {
            Instr store = new Instr(Opcode.STORE);
            store.a = s;
            store.access = new Body.Access(1, ElementType.I64, 0, new long[] {1}, false, false);
            body.stores.add(store);
        }
        UbAllocator alloc = UbAllocator.allocate(body, body.code());
        assertEquals(6, alloc.fullUnits, "three live I64 buffers of two units each");
    }
}
