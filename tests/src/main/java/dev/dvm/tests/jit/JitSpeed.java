package dev.dvm.tests.jit;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.Tensor;
import dev.dvm.tests.DemoKernels;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;

/**
 * A quick comparison, not a benchmark suite: time per launch of add-mul-relu at 64K and 16M
 * elements on one core, interpreted and through the JIT tier (see docs/JIT.md for the command).
 */
public final class JitSpeed {
    private JitSpeed() {}

    public static void main(String[] args) {
        Kernel kernel = DemoKernels.addMulReluKernel();
        for (long[] shape : new long[][] {{256, 256}, {4096, 4096}}) {
            long elements = shape[0] * shape[1];
            int launches = (int) Math.max(20, (1L << 31) / (elements * 12) / 4);
            try (Arena arena = Arena.ofShared()) {
                Tensor[] in = {Tensor.allocate(arena, DType.F32, shape), Tensor.allocate(arena, DType.F32, shape),
                        Tensor.allocate(arena, DType.F32, shape)};
                Tensor[] out = {Tensor.allocate(arena, DType.F32, shape)};
                for (JitMode mode : new JitMode[] {JitMode.OFF, JitMode.FORCE, JitMode.OFF, JitMode.FORCE}) {
                    try (Device device = new Device(NpuSpec.host().withCores(1), new Device.Options(false, false).withJit(mode))) {
                        for (int i = 0; i < launches; i++) {
                            kernel.run(device, in, out);
                        }
                        long best = Long.MAX_VALUE;
                        for (int round = 0; round < 5; round++) {
                            long start = System.nanoTime();
                            for (int i = 0; i < launches; i++) {
                                kernel.run(device, in, out);
                            }
                            best = Math.min(best, (System.nanoTime() - start) / launches);
                        }
                        System.out.printf("add_mul_relu %,d elements, 1 core, %-5s %,10.1f us/launch  %.2f GB/s%n", elements, mode,
                                best / 1e3, elements * 16.0 / best);
                    }
                }
            }
        }
    }
}
