package dev.dvm.core.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Operands;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramReader;
import dev.dvm.bytecode.ProgramVisitor;
import dev.dvm.core.DType;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DomainFolderTest {
    /** The extents of every STAGE of {@code p}. */
    static List<long[]> stageDims(Program p) {
        List<long[]> dims = new ArrayList<>();
        new ProgramReader(p).accept(new ProgramVisitor() {
            @Override
            public void visitInstruction(int at, Opcode op, int sync, Operands ops) {
                if (op == Opcode.STAGE) {
                    long[] d = new long[ops.getInt(5)];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = ops.get(7 + i);
                    }
                    dims.add(d);
                }
            }
        });
        return dims;
    }

    @Test
    void contiguousElementwiseFoldsToOneAxis() {
        TestGraph g = new TestGraph();
        Node a = g.input(DType.F32, 8, 16, 32);
        Node b = g.input(DType.F32, 8, 16, 32);
        g.output(g.binary(Op.ADD, a, b));
        assertArrayEquals(new long[] {8 * 16 * 32}, stageDims(g.compile(TestGraph.SPEC)).get(0));
    }

    @Test
    void broadcastOperandKeepsItsAxisApart() {
        TestGraph g = new TestGraph();
        Node a = g.input(DType.F32, 8, 16, 32);
        Node bias = g.input(DType.F32, 32);
        g.output(g.binary(Op.ADD, a, bias));
        assertArrayEquals(new long[] {8 * 16, 32}, stageDims(g.compile(TestGraph.SPEC)).get(0));
        float[] x = TestGraph.ramp(4096, 1f);
        float[] y = TestGraph.ramp(32, 3f);
        float[] out = g.run(TestGraph.SPEC, x, y)[0];
        for (int i = 0; i < 4096; i++) {
            assertEquals(x[i] + y[i % 32], out[i]);
        }
    }

    @Test
    void foldMergesOnlyAxesEveryWindowStepsOverAsOne() {
        Tape tape = new Tape();
        Body body = new Body(Dim.constants(tape, new long[] {2, 3, 4}), new boolean[3], false, false, new int[0]);
        Body.Instr load = new Body.Instr(Opcode.LOAD);
        load.dst = body.newBuffer(false, dev.dvm.bytecode.ElementType.F32);
        load.window = new Body.Window(0, dev.dvm.bytecode.ElementType.F32, tape.zero, Dim.constants(tape, new long[] {12, 4, 1}), false, false);
        body.loads.add(load);
        Body.Instr broadcast = new Body.Instr(Opcode.LOAD);
        broadcast.dst = body.newBuffer(false, dev.dvm.bytecode.ElementType.F32);
        broadcast.window = new Body.Window(1, dev.dvm.bytecode.ElementType.F32, tape.zero, Dim.constants(tape, new long[] {0, 0, 1}), false, false);
        body.loads.add(broadcast);
        DomainFolder.fold(body);
        Body folded = body.instantiate(tape.values());
        assertArrayEquals(new long[] {6, 4}, folded.extents);
        assertArrayEquals(new long[] {4, 1}, folded.loads.get(0).access.strides);
        assertArrayEquals(new long[] {0, 1}, folded.loads.get(1).access.strides);
    }
}
