package dev.dvm.core.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.Disassembler;
import dev.dvm.bytecode.Program;
import dev.dvm.core.DType;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import org.junit.jupiter.api.Test;

class CompilerTest {
    @Test
    void addsTwoTensors() {
        TestGraph g = new TestGraph();
        Node a = g.input(DType.F32, 3, 5);
        Node b = g.input(DType.F32, 3, 5);
        g.output(g.binary(Op.ADD, a, b));
        float[] x = TestGraph.ramp(15, 1f);
        float[] y = TestGraph.ramp(15, 0.5f);
        float[] out = g.run(TestGraph.SPEC, x, y)[0];
        for (int i = 0; i < 15; i++) {
            assertEquals(x[i] + y[i], out[i]);
        }
    }

    @Test
    void softmaxIsOneStageAndSumsToOne() {
        TestGraph g = new TestGraph();
        Node x = g.input(DType.F32, 6, 300);
        Node max = g.reduce(Op.REDUCE_MAX, x, true, 1);
        Node e = g.unary(Op.EXP, g.binary(Op.SUB, x, max));
        Node sum = g.reduce(Op.REDUCE_SUM, e, true, 1);
        g.output(g.binary(Op.DIV, e, sum));
        assertEquals(1, g.compile(TestGraph.SPEC).stages());
        float[] out = g.run(TestGraph.SPEC, TestGraph.ramp(1800, 0.1f))[0];
        for (int r = 0; r < 6; r++) {
            double s = 0;
            for (int c = 0; c < 300; c++) {
                s += out[r * 300 + c];
            }
            assertEquals(1.0, s, 1e-4);
        }
    }

    /**
     * A row value meeting a full one in a sub or div is the row operand of SUB_R / DIV_R (on the
     * left: flag row_left), with no broadcast; POW has no row form and keeps one BROADCAST_ROW.
     */
    @Test
    void rowValuesAreRowOperandsWithoutABroadcast() {
        TestGraph g = new TestGraph();
        Node x = g.input(DType.F32, 4, 40);
        Node max = g.reduce(Op.REDUCE_MAX, x, true, 1);
        Node below = g.binary(Op.SUB, max, x);
        Node sum = g.reduce(Op.REDUCE_SUM, below, true, 1);
        g.output(g.binary(Op.DIV, below, sum));
        g.output(g.binary(Op.POW, x, max));
        String das = Disassembler.disassemble(g.compile(TestGraph.SPEC));
        assertTrue(das.contains("sub_r ") && das.contains("flags=row_left"), das);
        assertTrue(das.contains("div_r ") && !das.contains("div "), das);
        assertEquals(1, das.split("broadcast_row ", -1).length - 1, das);
        float[] in = TestGraph.ramp(160, 0.25f);
        float[] out = g.run(TestGraph.SPEC, in)[0];
        for (int r = 0; r < 4; r++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < 40; c++) {
                m = Math.max(m, in[r * 40 + c]);
            }
            float total = 0;
            for (int c = 0; c < 40; c++) {
                total += m - in[r * 40 + c];
            }
            assertEquals((m - in[r * 40]) / total, out[r * 40], 1e-6f);
        }
    }
}
