package dev.dvm.core.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dvm.core.DType;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import dev.dvm.vm.NpuSpec;
import org.junit.jupiter.api.Test;

class EventPlacerTest {
    /** Sums 12 inputs and stores 10 partial sums: more loads and stores than events. */
    private static TestGraph manyLoadsAndStores() {
        TestGraph g = new TestGraph();
        Node sum = g.input(DType.F32, 300);
        for (int i = 1; i < 12; i++) {
            sum = g.binary(Op.ADD, sum, g.input(DType.F32, 300));
            if (i > 1) {
                g.output(sum);
            }
        }
        return g;
    }

    @Test
    void eventsStayWithinEightPerPairAndOrderEveryHazard() {
        TestGraph g = manyLoadsAndStores();
        float[][] data = new float[12][];
        for (int i = 0; i < 12; i++) {
            data[i] = TestGraph.ramp(300, i + 1);
        }
        float[][] out = g.run(TestGraph.SPEC, data);
        float[] expect = data[0].clone();
        for (int i = 1; i < 12; i++) {
            for (int k = 0; k < 300; k++) {
                expect[k] += data[i][k];
            }
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(expect, out[9]);
    }

    @Test
    void syncPointsMergeWhenTheDeviceHasFewEvents() {
        NpuSpec two = new NpuSpec("two-events", 2, 4096, 256, 32, 2);
        TestGraph g = manyLoadsAndStores();
        float[][] data = new float[12][];
        for (int i = 0; i < 12; i++) {
            data[i] = TestGraph.ramp(300, 1);
        }
        float[][] out = g.run(two, data);
        assertEquals(12 * data[0][5], out[9][5]);
    }
}
