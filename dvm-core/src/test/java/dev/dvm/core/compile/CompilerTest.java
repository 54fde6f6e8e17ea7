package dev.dvm.core.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
