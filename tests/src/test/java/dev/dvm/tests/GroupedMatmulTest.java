package dev.dvm.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.DType;
import dev.dvm.core.DvmException;
import dev.dvm.core.GroupSplit;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelBuilder;
import dev.dvm.core.KernelType;
import dev.dvm.core.Tensor;
import dev.dvm.core.Value;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Grouped products with the group sizes given at run time (the mixture-of-experts case), against a
 * float64 product per group: split over the rows of a (one weight per group) and over K (one
 * product per group). Sizes include empty groups and groups that straddle tiles; 1 and 3 cores give
 * the same bits. Tolerance: 1e-5 of Σ|a·b| per element, as for plain products (F32 accumulation).
 */
class GroupedMatmulTest {
    private static final long SEED = 20261123L;

    @Test
    void splitByRowsMultipliesEachGroupByItsWeight() {
        int m = 150, k = 300, n = 72;
        long[] sizes = {40, 0, 77, 33};
        int g = sizes.length;
        Random rnd = new Random(SEED);
        float[] a = UniformFloats.of(rnd, m * k), b = UniformFloats.of(rnd, g * k * n);
        KernelBuilder kb = new KernelBuilder("moe_rows");
        Value x = kb.input(DType.F32, -1, k);
        Value w = kb.input(DType.F32, g, k, n);
        Value groups = kb.input(DType.I64, g);
        kb.output(kb.groupedMatmul(x, w, groups, GroupSplit.M));
        Kernel kernel = kb.build();
        assertEquals(KernelType.CUBE, kernel.type());
        double[] ref = new double[m * n], scale = new double[m * n];
        for (int row = 0, group = 0, end = (int) sizes[0]; row < m; row++) {
            while (row >= end) {
                end += (int) sizes[++group];
            }
            for (int j = 0; j < n; j++) {
                for (int q = 0; q < k; q++) {
                    double p = (double) a[row * k + q] * b[(group * k + q) * n + j];
                    ref[row * n + j] += p;
                    scale[row * n + j] += Math.abs(p);
                }
            }
        }
        float[] one = run(kernel, 1, a, new long[] {m, k}, b, new long[] {g, k, n}, sizes);
        assertClose(ref, scale, one);
        assertArrayEquals(one, run(kernel, 3, a, new long[] {m, k}, b, new long[] {g, k, n}, sizes), "1 and 3 cores differ");
        long published = Device.jitStats().published();
        assertArrayEquals(one, run(kernel, 3, JitMode.FORCE, a, new long[] {m, k}, b, new long[] {g, k, n}, sizes), "the JIT tier differs");
        assertTrue(Device.jitStats().published() > published, "the JIT tier compiled the grouped product");
    }

    @Test
    void splitOverKGivesEachGroupItsOwnProduct() {
        int m = 37, k = 700, n = 40;
        long[] sizes = {256, 0, 300, 144};
        int g = sizes.length;
        Random rnd = new Random(SEED + 1);
        float[] a = UniformFloats.of(rnd, m * k), b = UniformFloats.of(rnd, k * n);
        KernelBuilder kb = new KernelBuilder("moe_k");
        Value x = kb.input(DType.F32, m, -1);
        Value w = kb.input(DType.F32, -1, n);
        Value groups = kb.input(DType.I32, g);
        kb.output(kb.groupedMatmul(x, w, groups, GroupSplit.K));
        Kernel kernel = kb.build();
        double[] ref = new double[g * m * n], scale = new double[g * m * n];
        for (int group = 0, start = 0; group < g; start += (int) sizes[group++]) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    for (int q = start; q < start + sizes[group]; q++) {
                        double p = (double) a[i * k + q] * b[q * n + j];
                        ref[(group * m + i) * n + j] += p;
                        scale[(group * m + i) * n + j] += Math.abs(p);
                    }
                }
            }
        }
        float[] one = run(kernel, 1, a, new long[] {m, k}, b, new long[] {k, n}, sizes);
        assertClose(ref, scale, one);
        assertArrayEquals(one, run(kernel, 3, a, new long[] {m, k}, b, new long[] {k, n}, sizes), "1 and 3 cores differ");
        long published = Device.jitStats().published();
        assertArrayEquals(one, run(kernel, 3, JitMode.FORCE, a, new long[] {m, k}, b, new long[] {k, n}, sizes), "the JIT tier differs");
        assertTrue(Device.jitStats().published() > published, "the JIT tier compiled the grouped product");
    }

    @Test
    void sizesThatDoNotSumUpFailTheLaunchWithTheFix() {
        KernelBuilder kb = new KernelBuilder("moe_bad");
        Value x = kb.input(DType.F32, -1, 16);
        Value w = kb.input(DType.F32, 2, 16, 8);
        Value groups = kb.input(DType.I64, 2);
        kb.output(kb.groupedMatmul(x, w, groups, GroupSplit.M));
        Kernel kernel = kb.build();
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> run(kernel, 1, new float[10 * 16], new long[] {10, 16}, new float[2 * 16 * 8], new long[] {2, 16, 8}, new long[] {4, 5}));
        assertTrue(messages(e).contains("group sizes sum to 9 but the product's M is 10"), messages(e));
        RuntimeException negative = assertThrows(RuntimeException.class,
                () -> run(kernel, 1, new float[10 * 16], new long[] {10, 16}, new float[2 * 16 * 8], new long[] {2, 16, 8}, new long[] {12, -2}));
        assertTrue(messages(negative).contains("group 1 has size -2"), messages(negative));
        RuntimeException compiled = assertThrows(RuntimeException.class, () -> run(kernel, 2, JitMode.FORCE, new float[10 * 16], new long[] {10, 16},
                new float[2 * 16 * 8], new long[] {2, 16, 8}, new long[] {4, 5}));
        assertTrue(messages(compiled).contains("group sizes sum to 9 but the product's M is 10"), "through the JIT tier: " + messages(compiled));
    }

    @Test
    void badOperandsAreCaughtWhenBuilding() {
        KernelBuilder kb = new KernelBuilder("moe_rank");
        Value x = kb.input(DType.F32, -1, 16);
        Value w = kb.input(DType.F32, 16, 8);
        Value groups = kb.input(DType.I64, 2);
        DvmException rank = assertThrows(DvmException.class, () -> kb.groupedMatmul(x, w, groups, GroupSplit.M));
        assertTrue(rank.getMessage().contains("[G, K, N]"), rank.getMessage());
        Value floats = kb.input(DType.F32, 2);
        DvmException list = assertThrows(DvmException.class, () -> kb.groupedMatmul(x, w, floats, GroupSplit.K));
        assertTrue(list.getMessage().contains("rank-1 I32 or I64"), list.getMessage());
        Value w3 = kb.input(DType.F32, 3, 16, 8);
        kb.output(kb.groupedMatmul(x, w3, groups, GroupSplit.M));
        Kernel kernel = kb.build();
        DvmException count = assertThrows(DvmException.class,
                () -> kernel.normalize(NpuSpec.host(), new long[] {4, 16}, new long[] {16, 8}, new long[] {2}, new long[] {2}, new long[] {3, 16, 8}));
        assertTrue(count.getMessage().contains("one weight per group"), count.getMessage());
    }

    private static float[] run(Kernel kernel, int cores, float[] a, long[] aShape, float[] b, long[] bShape, long[] sizes) {
        return run(kernel, cores, JitMode.OFF, a, aShape, b, bShape, sizes);
    }

    private static float[] run(Kernel kernel, int cores, JitMode jit, float[] a, long[] aShape, float[] b, long[] bShape, long[] sizes) {
        try (Device device = new Device(NpuSpec.host().withCores(cores), Device.Options.defaults().withJit(jit)); Arena arena = Arena.ofConfined()) {
            Tensor groups = kernel.inputType(2) == DType.I64 ? Tensor.of(arena, sizes, sizes.length) : Tensor.of(arena, toInts(sizes), sizes.length);
            return kernel.run(device, arena, Tensor.of(arena, a, aShape), Tensor.of(arena, b, bShape), groups)[0].toFloatArray();
        }
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    private static void assertClose(double[] ref, double[] scale, float[] got) {
        assertEquals(ref.length, got.length);
        for (int i = 0; i < ref.length; i++) {
            double tol = 1e-5 * (scale[i] + Math.abs(ref[i])) + 1e-30;
            if (Math.abs(got[i] - ref[i]) > tol) {
                throw new AssertionError("element " + i + ": got " + got[i] + ", float64 reference " + ref[i] + " (seed " + SEED + ")");
            }
        }
    }

    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" | ");
        }
        return sb.toString();
    }
}
