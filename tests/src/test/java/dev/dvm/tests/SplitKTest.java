package dev.dvm.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelBuilder;
import dev.dvm.core.Tensor;
import dev.dvm.core.Value;
import dev.dvm.tests.reference.RefTensor;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Split-k: a product with fewer tiles than cores computes its k chunks' sums on every core and adds
 * them up in chunk order in a second stage. One core never splits, so equal bits on 1, 2 and 3
 * cores show the split keeps the unsplit order; the float64 product bounds the error (1e-5 of
 * Σ|a·b|, F32 accumulation).
 */
class SplitKTest {
    private static final long SEED = 7_2026L;

    @Test
    void aSplitProductHasTheUnsplitBits() {
        check(false, new long[] {3, 3000}, new long[] {3000, 64});
        check(false, new long[] {2, 5, 1000}, new long[] {1000, 40});   // batched, k not a multiple of the chunk
    }

    @Test
    void aSplitMixKernelRunsItsEpilogueAfterTheSum() {
        check(true, new long[] {1, 4096}, new long[] {4096, 48});
    }

    @Test
    void theSplitShowsInTheBytecodeOnlyWithSeveralCores() {
        Kernel k = kernel(false, new long[] {3, 3000}, new long[] {3000, 64});
        String one = k.normalize(NpuSpec.host().withCores(1), new long[] {3, 3000}, new long[] {3000, 64}).disassemble();
        String two = k.normalize(NpuSpec.host().withCores(2), new long[] {3, 3000}, new long[] {3000, 64}).disassemble();
        assertFalse(one.contains("flags=0x4"), one);
        assertTrue(two.contains("flags=0x4") && two.contains("flags=0x8"), two);
    }

    private static Kernel kernel(boolean epilogue, long[] aShape, long[] bShape) {
        KernelBuilder b = new KernelBuilder(epilogue ? "split_k_mix" : "split_k");
        Value x = b.input(DType.F32, aShape);
        Value w = b.input(DType.F32, bShape);
        Value y = b.matmul(x, w);
        b.output(epilogue ? b.mul(b.sigmoid(y), y) : y);
        return b.build();
    }

    private static void check(boolean epilogue, long[] aShape, long[] bShape) {
        Kernel kernel = kernel(epilogue, aShape, bShape);
        Random rnd = new Random(SEED);
        float[] a = UniformFloats.of(rnd, (int) RefTensor.count(aShape)), b = UniformFloats.of(rnd, (int) RefTensor.count(bShape));
        float[] one = run(kernel, 1, a, aShape, b, bShape);
        assertArrayEquals(one, run(kernel, 2, a, aShape, b, bShape), "1 and 2 cores differ");
        assertArrayEquals(one, run(kernel, 3, a, aShape, b, bShape), "1 and 3 cores differ");
        long published = Device.jitStats().published();
        assertArrayEquals(one, run(kernel, 3, JitMode.FORCE, a, aShape, b, bShape), "the JIT tier on 3 cores differs");
        assertTrue(Device.jitStats().published() > published, "the JIT tier compiled the product's stages");
        int k = (int) bShape[0], n = (int) bShape[1], rows = (int) (RefTensor.count(aShape) / k);
        assertEquals(rows * n, one.length);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double ref = 0, scale = 0;
                for (int q = 0; q < k; q++) {
                    double p = (double) a[r * k + q] * b[q * n + j];
                    ref += p;
                    scale += Math.abs(p);
                }
                double want = epilogue ? ref / (1 + Math.exp(-ref)) : ref;
                double got = one[r * n + j];
                if (Math.abs(got - want) > 1e-5 * (scale + Math.abs(want)) + 1e-6 * (epilogue ? 1 : 0)) {
                    throw new AssertionError("element (" + r + ", " + j + "): got " + got + ", float64 reference " + want + " (seed " + SEED + ")");
                }
            }
        }
    }

    private static float[] run(Kernel kernel, int cores, float[] a, long[] aShape, float[] b, long[] bShape) {
        return run(kernel, cores, JitMode.OFF, a, aShape, b, bShape);
    }

    private static float[] run(Kernel kernel, int cores, JitMode jit, float[] a, long[] aShape, float[] b, long[] bShape) {
        try (Device device = new Device(NpuSpec.host().withCores(cores), Device.Options.defaults().withJit(jit)); Arena arena = Arena.ofConfined()) {
            return kernel.run(device, arena, Tensor.of(arena, a, aShape), Tensor.of(arena, b, bShape))[0].toFloatArray();
        }
    }
}
