package dev.dvm.core.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.Program;
import dev.dvm.core.DType;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import org.junit.jupiter.api.Test;

class TilerTest {
    private static Body body(boolean reduce, long... extents) {
        boolean[] inner = new boolean[extents.length];
        if (reduce) {
            inner[extents.length - 1] = true;
        }
        return new Body(extents, inner, reduce, reduce, new int[] {7});
    }

    @Test
    void tilesStayInsideTheBudgetAndAligned() {
        long ub = 128 * 1024;
        long[][] shapes = {{1}, {7}, {4097}, {65537}, {7, 4099}, {1000003}, {3, 5, 7}, {100, 1}};
        for (long[] shape : shapes) {
            for (int units = 1; units <= 9; units += 4) {
                Tiler.Tiling t = Tiler.tile(body(false, shape), units, 0, ub, 4);
                assertEquals(0, t.pitch() % 8, "pitch of " + java.util.Arrays.toString(shape));
                assertTrue(t.cols() <= t.pitch() && t.rows() >= 1 && t.cols() >= 1);
                assertTrue(units * t.fullUnitBytes() <= ub, "budget of " + java.util.Arrays.toString(shape));
                long colBlocks = (t.totalCols() + t.cols() - 1) / t.cols();
                assertEquals((t.totalRows() + t.rows() - 1) / t.rows() * colBlocks, t.tiles());
            }
        }
    }

    @Test
    void largeDataGetsTilesOfAtLeastAThousandElementsSpreadOverCores() {
        Tiler.Tiling t = Tiler.tile(body(false, 1 << 20), 3, 0, 128 * 1024, 4);
        assertTrue(t.cols() >= 1024, "tile of " + t.cols());
        assertEquals(0, t.tiles() % 4);
    }

    @Test
    void reduceRowsStayWholeOrAskForASplit() {
        Tiler.Tiling t = Tiler.tile(body(true, 64, 1000), 3, 2, 128 * 1024, 2);
        assertEquals(1000, t.cols());
        assertTrue(t.rows() > 1);
        assertTrue(3 * t.fullUnitBytes() + 2 * t.rowUnitBytes() <= 128 * 1024);
        Tiler.RowsDoNotFit e = assertThrows(Tiler.RowsDoNotFit.class, () -> Tiler.tile(body(true, 4, 1 << 20), 3, 2, 128 * 1024, 2));
        assertEquals(7, e.reduceNodes[0]);
    }

    @Test
    void awkwardSizesCompileToVerifiedPrograms() {
        for (long n : new long[] {1, 7, 4097, 65537}) {
            TestGraph g = new TestGraph();
            Node x = g.input(DType.F32, 3, n);
            Node y = g.input(DType.F32, n);
            g.output(g.binary(Op.MUL, g.unary(Op.EXP, x), y));
            g.output(g.reduce(Op.REDUCE_SUM, x, false, 1));
            Program p = g.compile(TestGraph.SPEC);
            assertTrue(p.ubBytes() <= TestGraph.SPEC.ubBytes());
        }
    }

    @Test
    void splitReductionsCutColumnsTheSameWayForEveryCoreCount() {
        // A reduction over 14235 elements (e.g. reduceSum over all of [65, 73, 3]) is split into column blocks whose
        // partial sums are combined in block order: the blocks fix the summation order, so they must not follow the cores.
        for (long n : new long[] {14235, 13122, 9000, 1 << 20}) {
            Body split = new Body(new long[] {n}, new boolean[] {true}, true, false, new int[] {7});
            Tiler.Tiling one = Tiler.tile(split, 3, 2, 128 * 1024, 1);
            for (int cores = 2; cores <= 8; cores++) {
                Tiler.Tiling many = Tiler.tile(split, 3, 2, 128 * 1024, cores);
                assertEquals(one.cols(), many.cols(), n + " columns on " + cores + " cores");
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheCoreCount() {
        TestGraph g = new TestGraph();
        Node x = g.input(DType.F32, 5, 9000);
        g.output(g.reduce(Op.REDUCE_SUM, g.unary(Op.EXP, x), false, 1));
        float[] data = TestGraph.ramp(45000, 0.01f);
        dev.dvm.vm.NpuSpec small = new dev.dvm.vm.NpuSpec("small", 1, 8192, 256, 32, 8);
        float[] one = g.run(small, data)[0];
        float[] three = g.run(small.withCores(3), data)[0];
        org.junit.jupiter.api.Assertions.assertArrayEquals(one, three);
    }
}
