package dev.dvm.tests.encode;

import dev.dvm.core.Kernel;
import dev.dvm.tests.DemoKernels;
import dev.dvm.vm.NpuSpec;
import java.util.List;
import java.util.SplittableRandom;

/** The instances the encoding tests compile: demo kernels at random shapes, on the host and on a small UB. */
final class EncodeCases {
    /** A unified buffer small enough that LayerNorm and softmax rows split into partial reductions. */
    static final NpuSpec SMALL_UB = new NpuSpec("small-ub", 2, 8 * 1024, 256, 32, 8);
    static final List<NpuSpec> SPECS = List.of(NpuSpec.host(), SMALL_UB);

    private EncodeCases() {}

    /** The six demo kernels, the normalisations with a random hidden size. */
    static List<Kernel> demoKernels(SplittableRandom r) {
        long h = 1 + r.nextInt(3000);
        return List.of(DemoKernels.elementwise10().build().kernel(), DemoKernels.geluKernel(), DemoKernels.softmaxKernel(),
                DemoKernels.layerNormKernel(h), DemoKernels.rmsNormKernel(h), DemoKernels.addMulReluKernel());
    }

    /** Random input shapes for a demo kernel: rows (sometimes 0, 1 or 2) by columns, dynamic dims filled in. */
    static long[][] randomShapes(Kernel kernel, SplittableRandom r) {
        long s = r.nextInt(4) == 0 ? r.nextInt(3) : 1 + r.nextInt(5000);
        long cols = 1 + r.nextInt(4000);
        long[][] shapes = new long[kernel.inputCount()][];
        for (int slot = 0; slot < shapes.length; slot++) {
            long[] dims = kernel.inputDims(slot);
            shapes[slot] = dims.length == 1 ? new long[] {dims[0] < 0 ? cols : dims[0]} : new long[] {s, dims[1] < 0 ? cols : dims[1]};
        }
        return shapes;
    }
}
