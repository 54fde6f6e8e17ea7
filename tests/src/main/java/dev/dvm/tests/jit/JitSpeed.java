package dev.dvm.tests.jit;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.Tensor;
import dev.dvm.tests.DemoKernels;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;

/**
 * A quick comparison, not a benchmark suite: time per launch of add-mul-relu, softmax, LayerNorm
 * and RMSNorm at 64K and 16M elements on one core, interpreted and through the JIT tier (see
 * docs/JIT.md for the command). Arguments, if any, name the kernels to run.
 */
public final class JitSpeed {
    private JitSpeed() {}

    /** A kernel and, per run shape [rows, h], whether each input is [rows, h] (true) or [h] (false). */
    private record Case(String name, Kernel kernel, long[][] shapes, boolean[] full) {}

    public static void main(String[] args) {
        long[][] addMulReluShapes = {{256, 256}, {4096, 4096}};
        long[][] rowShapes = {{64, 1024}, {16384, 1024}};
        List<Case> cases = List.of(
                new Case("add_mul_relu", DemoKernels.addMulReluKernel(), addMulReluShapes, new boolean[] {true, true, true}),
                new Case("gelu", DemoKernels.geluKernel(), rowShapes, new boolean[] {true}),
                new Case("softmax", DemoKernels.softmaxKernel(), rowShapes, new boolean[] {true}),
                new Case("layer_norm", DemoKernels.layerNormKernel(1024), rowShapes, new boolean[] {true, false, false}),
                new Case("rms_norm", DemoKernels.rmsNormKernel(1024), rowShapes, new boolean[] {true, false}));
        for (Case c : cases) {
            if (args.length > 0 && !Arrays.asList(args).contains(c.name())) {
                continue;
            }
            for (long[] shape : c.shapes()) {
                run(c, shape);
            }
        }
    }

    private static void run(Case c, long[] shape) {
        long elements = shape[0] * shape[1];
        int launches = (int) Math.max(20, (1L << 31) / (elements * 12) / 4);
        try (Arena arena = Arena.ofShared()) {
            Tensor[] in = new Tensor[c.full().length];
            for (int i = 0; i < in.length; i++) {
                in[i] = Tensor.allocate(arena, DType.F32, c.full()[i] ? shape : new long[] {shape[1]});
            }
            Tensor[] out = {Tensor.allocate(arena, DType.F32, shape)};
            for (JitMode mode : new JitMode[] {JitMode.OFF, JitMode.FORCE, JitMode.OFF, JitMode.FORCE}) {
                try (Device device = new Device(NpuSpec.host().withCores(1), new Device.Options(false, false).withJit(mode))) {
                    for (int i = 0; i < launches; i++) {
                        c.kernel().run(device, in, out);
                    }
                    long best = Long.MAX_VALUE;
                    for (int round = 0; round < 5; round++) {
                        long start = System.nanoTime();
                        for (int i = 0; i < launches; i++) {
                            c.kernel().run(device, in, out);
                        }
                        best = Math.min(best, (System.nanoTime() - start) / launches);
                    }
                    System.out.printf("%-12s %,11d elements, 1 core, %-5s %,10.1f us/launch%n", c.name(), elements, mode, best / 1e3);
                }
            }
        }
    }
}
