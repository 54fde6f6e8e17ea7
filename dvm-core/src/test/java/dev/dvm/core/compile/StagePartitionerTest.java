package dev.dvm.core.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.Program;
import dev.dvm.core.DType;
import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import dev.dvm.vm.NpuSpec;
import org.junit.jupiter.api.Test;

class StagePartitionerTest {
    private static Partition partition(TestGraph g, boolean[] split) {
        return StagePartitioner.partition(g.instance(), new Tape(), split, new SlotTable(0));
    }

    @Test
    void layerNormIsOneStage() {
        TestGraph g = new TestGraph();
        Node x = g.input(DType.F32, 8, 96);
        Node gamma = g.input(DType.F32, 96);
        Node n = g.constant(DType.F32, 96);
        Node mean = g.binary(Op.DIV, g.reduce(Op.REDUCE_SUM, x, true, 1), n);
        Node d = g.binary(Op.SUB, x, mean);
        Node var = g.binary(Op.DIV, g.reduce(Op.REDUCE_SUM, g.binary(Op.MUL, d, d), true, 1), n);
        Node rstd = g.unary(Op.RSQRT, g.binary(Op.ADD, var, g.constant(DType.F32, 1e-5)));
        g.output(g.binary(Op.MUL, g.binary(Op.MUL, d, rstd), gamma));
        assertEquals(1, partition(g, new boolean[64]).stages.size());
        float[] gm = new float[96];
        java.util.Arrays.fill(gm, 2f);
        float[] out = g.run(TestGraph.SPEC, TestGraph.ramp(768, 0.25f), gm)[0];
        for (int r = 0; r < 8; r++) {
            double s = 0, sq = 0;
            for (int c = 0; c < 96; c++) {
                s += out[r * 96 + c];
                sq += out[r * 96 + c] * out[r * 96 + c];
            }
            assertEquals(0, s / 96, 1e-4);
            assertEquals(4, sq / 96, 1e-3);
        }
    }

    @Test
    void reductionOverAHugeRowSplitsIntoPartialAndCombineStages() {
        TestGraph g = new TestGraph();
        Node x = g.input(DType.F32, 3, 20000);
        g.output(g.reduce(Op.REDUCE_SUM, x, false, 1));
        NpuSpec small = new NpuSpec("small", 2, 8192, 256, 32, 8);
        Program p = g.compile(small);
        assertEquals(2, p.stages());
        float[] data = new float[60000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i % 7) - 3 + (i / 20000);
        }
        float[] out = g.run(small, data)[0];
        for (int r = 0; r < 3; r++) {
            double expect = 0;
            for (int c = 0; c < 20000; c++) {
                expect += data[r * 20000 + c];
            }
            assertEquals(expect, out[r], 1e-2);
        }
    }

    @Test
    void splitSoftmaxStillComputesRows() {
        TestGraph g = new TestGraph();
        Node x = g.input(DType.F32, 2, 5000);
        Node max = g.reduce(Op.REDUCE_MAX, x, true, 1);
        Node e = g.unary(Op.EXP, g.binary(Op.SUB, x, max));
        g.output(g.binary(Op.DIV, e, g.reduce(Op.REDUCE_SUM, e, true, 1)));
        NpuSpec small = new NpuSpec("small", 3, 8192, 256, 32, 8);
        float[] out = g.run(small, TestGraph.ramp(10000, 0.01f))[0];
        for (int r = 0; r < 2; r++) {
            double s = 0;
            for (int c = 0; c < 5000; c++) {
                s += out[r * 5000 + c];
            }
            assertEquals(1.0, s, 1e-3);
        }
    }

    @Test
    void reductionsOverDifferentAxesUseDifferentStages() {
        TestGraph g = new TestGraph();
        Node x = g.input(DType.F32, 4, 6);
        g.output(g.reduce(Op.REDUCE_SUM, x, false, 0));
        g.output(g.reduce(Op.REDUCE_MAX, x, false, 1));
        assertEquals(2, partition(g, new boolean[16]).stages.size());
        float[] data = TestGraph.ramp(24, 1f);
        float[][] out = g.run(TestGraph.SPEC, data);
        for (int c = 0; c < 6; c++) {
            float s = 0;
            for (int r = 0; r < 4; r++) {
                s += data[r * 6 + c];
            }
            assertEquals(s, out[0][c], 1e-4);
        }
        for (int r = 0; r < 4; r++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < 6; c++) {
                m = Math.max(m, data[r * 6 + c]);
            }
            assertEquals(m, out[1][r]);
        }
    }

    @Test
    void layoutOpsOfInputsFoldIntoLoadsAndConcatMaterialises() {
        TestGraph g = new TestGraph();
        Node x = g.input(DType.F32, 3, 4);
        Node t = g.node(Op.PERMUTE, DType.F32, new Attrs.Axes(new int[] {1, 0}), new long[] {4, 3}, x);
        Node s = g.node(Op.SLICE, DType.F32, new Attrs.Slice(new long[] {1, 0}, new long[] {Long.MAX_VALUE, 3}, new long[] {2, 1}),
                new long[] {2, 3}, t);
        Node c = g.node(Op.CONCAT, DType.F32, new Attrs.Axes(new int[] {0}), new long[] {6, 3}, t, s);
        g.output(g.unary(Op.NEG, c));
        g.output(x);
        float[] data = TestGraph.ramp(12, 1f);
        float[][] out = g.run(TestGraph.SPEC, data);
        float[] expect = new float[18];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                expect[i * 3 + j] = -data[j * 4 + i];
            }
        }
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 3; j++) {
                expect[12 + k * 3 + j] = -data[j * 4 + 1 + 2 * k];
            }
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(expect, out[0]);
        org.junit.jupiter.api.Assertions.assertArrayEquals(data, out[1]);
    }

    @Test
    void reshapeOfAComputedValueGoesThroughAWorkspace() {
        TestGraph g = new TestGraph();
        Node x = g.input(DType.F32, 4, 6);
        Node t = g.node(Op.PERMUTE, DType.F32, new Attrs.Axes(new int[] {1, 0}), new long[] {6, 4}, x);
        Node r = g.node(Op.RESHAPE, DType.F32, new Attrs.Shape(new long[] {24}), new long[] {24}, t);
        g.output(g.binary(Op.MUL, r, g.constant(DType.F32, 2)));
        float[] data = TestGraph.ramp(24, 1f);
        float[] out = g.run(TestGraph.SPEC, data)[0];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(2 * data[j * 6 + i], out[i * 4 + j]);
            }
        }
    }

    @Test
    void oneHotAnyAndEmptyReductions() {
        TestGraph g = new TestGraph();
        Node idx = g.input(DType.I32, 5);
        Node x = g.input(DType.F32, 3, 0);
        g.output(g.node(Op.ONE_HOT, DType.F32, new Attrs.OneHot(4, 1.5, -1), new long[] {5, 4}, idx));
        g.output(g.reduce(Op.REDUCE_MAX, x, false, 1));
        Partition p = partition(g, new boolean[16]);
        assertTrue(p.values[4].scalar != null, "max over an empty axis is the constant -inf");
        Program prog = g.compile(TestGraph.SPEC);
        assertTrue(prog.stages() >= 2);
    }
}
