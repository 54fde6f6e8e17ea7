package dev.dvm.tests.jit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.dvm.core.DType;
import dev.dvm.tests.DemoKernels;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.property.KernelProperty;
import dev.dvm.tests.reference.RefTensor;
import dev.dvm.vm.NpuSpec;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The demo kernels forced through the JIT tier on three cores, bit-identical to the interpreter on
 * one core and within the reference's bounds, at shapes with row and column tails.
 */
class JitDemoKernelsTest {
    private static final long[] ROWS = {1, 3, 33, 130};
    private static final long[] COLS = {1, 5, 96, 1000};

    @AutoClose
    private static final KernelProperty RUNNER = new KernelProperty(true);

    private static List<RefTensor> inputs(KernelSpec spec, long rows, long h, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return spec.inputs().stream().map(in -> {
            long[] shape = in.dims().length == 1 ? new long[] {h} : new long[] {rows, h};
            double[] v = new double[Math.toIntExact(RefTensor.count(shape))];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextDouble(-4, 4);
            }
            return RefTensor.ofFloats(DType.F32, shape, v);
        }).toList();
    }

    /** Runs the kernel {@code specForH} builds for each column count at every row count. */
    private static void assertBitIdentical(LongFunction<KernelSpec> specForH) {
        for (long h : COLS) {
            KernelSpec spec = specForH.apply(h);
            KernelSpec.Built built = spec.build();
            for (long rows : ROWS) {
                assertNull(RUNNER.checkInputs(spec, built.kernel(), inputs(spec, rows, h, rows * 31 + h)),
                        spec.name() + " on [" + rows + ", " + h + "]");
            }
        }
    }

    /** The single stage of a pure elementwise kernel is one the JIT supports. */
    private static void assertCompilable(KernelSpec spec) {
        long[] shape = {33, 96};
        long[][] shapes = spec.inputs().stream().map(in -> shape).toArray(long[][]::new);
        byte[][] files = spec.build().kernel().normalize(NpuSpec.host(), shapes).executable().jitClassFiles();
        for (byte[] file : files) {
            assertNotNull(file, spec.name());
        }
    }

    @Test
    void addMulRelu() {
        assertCompilable(DemoKernels.addMulRelu());
        assertBitIdentical(h -> DemoKernels.addMulRelu());
    }

    @Test
    void gelu() {
        assertCompilable(DemoKernels.gelu());
        assertBitIdentical(h -> DemoKernels.gelu());
    }

    @Test
    void elementwise10() {
        assertCompilable(DemoKernels.elementwise10());
        assertBitIdentical(h -> DemoKernels.elementwise10());
    }

    /** Kernels with reductions: only their elementwise stages, if any, are compiled; the rest stay interpreted. */
    @Test
    void kernelsWithReductions() {
        assertBitIdentical(h -> DemoKernels.softmax());
        assertBitIdentical(DemoKernels::layerNorm);
        assertBitIdentical(DemoKernels::rmsNorm);
    }
}
