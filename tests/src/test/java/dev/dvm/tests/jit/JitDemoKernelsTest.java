package dev.dvm.tests.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.dvm.core.Kernel;
import dev.dvm.core.Tensor;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.tests.DemoKernels;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.property.KernelProperty;
import dev.dvm.tests.reference.RefTensor;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
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
            return RefTensor.uniformF32(r, -4, 4, shape);
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

    @Test
    void addMulRelu() {
        JitAssertions.assertCompilable(DemoKernels.addMulRelu(), 33, 96);
        assertBitIdentical(h -> DemoKernels.addMulRelu());
    }

    @Test
    void gelu() {
        JitAssertions.assertCompilable(DemoKernels.gelu(), 33, 96);
        assertBitIdentical(h -> DemoKernels.gelu());
    }

    @Test
    void elementwise10() {
        JitAssertions.assertCompilable(DemoKernels.elementwise10(), 33, 96);
        assertBitIdentical(h -> DemoKernels.elementwise10());
    }

    @Test
    void softmax() {
        JitAssertions.assertCompilable(DemoKernels.softmax(), 33, 96);
        assertBitIdentical(h -> DemoKernels.softmax());
    }

    @Test
    void layerNorm() {
        JitAssertions.assertCompilable(DemoKernels.layerNorm(96), 33, 96);
        assertBitIdentical(DemoKernels::layerNorm);
    }

    @Test
    void rmsNorm() {
        JitAssertions.assertCompilable(DemoKernels.rmsNorm(96), 33, 96);
        assertBitIdentical(DemoKernels::rmsNorm);
    }

    /**
     * The MIX demo kernel: its one stage compiles (the cube unit computes each tile's product, the
     * generated code reads it from the UB through the bias and GELU) and is bit-identical to the
     * interpreter, for k below and above a cube chunk and widths with tails.
     */
    @Test
    void matmulGelu() {
        for (long k : new long[] {5, 300}) {
            for (long n : new long[] {7, 40}) {
                KernelSpec spec = DemoKernels.matmulGelu(k, n);
                Kernel kernel = spec.build().kernel();
                byte[][] files = kernel.normalize(NpuSpec.host(), new long[] {33, k}, new long[] {k, n}, new long[] {n}).executable()
                        .jitClassFiles();
                for (int i = 0; i < files.length; i++) {
                    assertNotNull(files[i], "stage " + i + " of matmul_gelu, k = " + k + ", n = " + n);
                }
                for (long rows : ROWS) {
                    SplittableRandom r = new SplittableRandom(rows * 31 + k * 7 + n);
                    List<RefTensor> inputs = List.of(RefTensor.uniformF32(r, -2, 2, rows, k), RefTensor.uniformF32(r, -2, 2, k, n),
                            RefTensor.uniformF32(r, -2, 2, n));
                    assertNull(RUNNER.checkInputs(spec, kernel, inputs), "matmul_gelu on [" + rows + ", " + k + "] x [" + k + ", " + n + "]");
                }
            }
        }
    }

    /** Gaussian values with one in eight special: NaN, infinities, signed zeros, huge, tiny and subnormal. */
    private static float[] special(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 3e38f, -3e38f, 1e-30f, Float.MIN_VALUE,
                -1e-40f, 88.5f, -104f};
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(8) == 0 ? specials[r.nextInt(specials.length)] : (float) (r.nextDouble(-1, 1) * 6);
        }
        return v;
    }

    /** The output's bits, every NaN as the canonical NaN (payloads are not guaranteed, docs/decisions/0003). */
    private static int[] bits(Tensor t) {
        return Arrays.stream(t.segment().toArray(ValueLayout.JAVA_INT)).map(b -> Float.isNaN(Float.intBitsToFloat(b)) ? 0x7FC0_0000 : b)
                .toArray();
    }

    /**
     * Softmax, LayerNorm and RMSNorm on inputs full of special values, forced through the JIT on 1
     * and 3 cores: bit-identical to the interpreter; every stage of theirs compiles.
     */
    @Test
    void rowKernelsWithSpecialValuesAreBitIdenticalToTheInterpreter() {
        long failed = Device.jitStats().failed();
        try (Device off = new Device(NpuSpec.host().withCores(1), new Device.Options(false, false).withJit(JitMode.OFF));
                Device one = new Device(NpuSpec.host().withCores(1), new Device.Options(false, false).withJit(JitMode.FORCE));
                Device three = new Device(NpuSpec.host().withCores(3), new Device.Options(false, false, 1, JitMode.FORCE));
                Arena arena = Arena.ofShared()) {
            for (long h : COLS) {
                for (KernelSpec spec : List.of(DemoKernels.softmax(), DemoKernels.layerNorm(h), DemoKernels.rmsNorm(h))) {
                    Kernel kernel = spec.build().kernel();
                    for (long rows : ROWS) {
                        Tensor[] in = spec.inputs().stream()
                                .map(d -> d.dims().length == 1 ? Tensor.of(arena, special(h, h + rows), h)
                                        : Tensor.of(arena, special(rows * h, rows * h), rows, h))
                                .toArray(Tensor[]::new);
                        String what = spec.name() + " on [" + rows + ", " + h + "]";
                        int[] expected = bits(kernel.run(off, arena, in)[0]);
                        assertArrayEquals(expected, bits(kernel.run(one, arena, in)[0]), what + ", 1 core");
                        assertArrayEquals(expected, bits(kernel.run(three, arena, in)[0]), what + ", 3 cores");
                    }
                }
            }
        }
        assertEquals(failed, Device.jitStats().failed(), "no compilation failed");
    }
}
