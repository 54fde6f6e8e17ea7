package dev.dvm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.KernelType;
import dev.dvm.tests.property.KernelProperty;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.RefTensor;
import dev.dvm.tests.reference.ReferenceEvaluator;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The demo kernels against the reference at small shapes, and their plain references against the evaluator. */
class DemoKernelsTest {
    private static final long H = 96;
    private static final long[] ROWS = {1, 7, 33};
    @AutoClose
    private static final KernelProperty RUNNER = new KernelProperty();

    private static List<RefTensor> inputs(KernelSpec spec, long rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Arrays.stream(DemoKernels.shapes(spec, rows, H)).map(shape -> RefTensor.uniformF32(r, -3, 3, shape)).toList();
    }

    private static void assertKernelMatches(KernelSpec spec) {
        KernelSpec.Built built = spec.build();
        for (long rows : ROWS) {
            assertNull(RUNNER.checkInputs(spec, built.kernel(), inputs(spec, rows, rows)), spec.name() + " on [" + rows + ", " + H + "]");
        }
    }

    @Test
    void gelu() {
        assertKernelMatches(DemoKernels.gelu());
    }

    @Test
    void softmax() {
        assertKernelMatches(DemoKernels.softmax());
    }

    @Test
    void layerNorm() {
        assertKernelMatches(DemoKernels.layerNorm(H));
    }

    @Test
    void rmsNorm() {
        assertKernelMatches(DemoKernels.rmsNorm(H));
    }

    @Test
    void addMulRelu() {
        assertKernelMatches(DemoKernels.addMulRelu());
    }

    @Test
    void elementwise10() {
        KernelSpec spec = DemoKernels.elementwise10();
        assertEquals(10, spec.ops().size());
        assertKernelMatches(spec);
    }

    @Test
    void matmulGelu() {
        KernelSpec spec = DemoKernels.matmulGelu(H, H);
        assertEquals(KernelType.MIX, spec.build().kernel().type());
        assertKernelMatches(spec);
    }

    @Test
    void plainReferencesAgreeWithTheEvaluator() {
        int h = (int) H;
        List<KernelSpec> specs = List.of(DemoKernels.gelu(), DemoKernels.softmax(), DemoKernels.layerNorm(H), DemoKernels.rmsNorm(H),
                DemoKernels.addMulRelu(), DemoKernels.elementwise10(), DemoKernels.matmulGelu(H, H));
        for (KernelSpec spec : specs) {
            List<RefTensor> in = inputs(spec, 5, 3);
            float[][] f = in.stream().map(t -> {
                float[] a = new float[t.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) t.floats()[i];
                }
                return a;
            }).toArray(float[][]::new);
            double[] plain = switch (spec.name()) {
                case "gelu" -> DemoKernels.geluReference(f[0]);
                case "softmax" -> DemoKernels.softmaxReference(f[0], h);
                case "layer_norm" -> DemoKernels.layerNormReference(f[0], f[1], f[2], h);
                case "rms_norm" -> DemoKernels.rmsNormReference(f[0], f[1], h);
                case "add_mul_relu" -> DemoKernels.addMulReluReference(f[0], f[1], f[2]);
                case "matmul_gelu" -> DemoKernels.matmulGeluReference(f[0], f[1], f[2], h, h);
                default -> DemoKernels.elementwise10Reference(f[0]);
            };
            RefTensor evaluated = ReferenceEvaluator.evaluate(spec, in).get(0);
            for (int i = 0; i < plain.length; i++) {
                double e = evaluated.floats()[i];
                assertTrue(Math.abs(plain[i] - e) <= 1e-5 * (1 + Math.abs(e)), spec.name() + " element " + i + ": " + plain[i] + " vs " + e);
            }
        }
    }
}
