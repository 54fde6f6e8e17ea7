package dev.dvm.tests;

import dev.dvm.core.Kernel;

/** {@code ./dvm das}: the meta-op graph and the bytecode of the GELU and LayerNorm demo kernels for x[4, 64]. */
public final class Das {
    private Das() {}

    public static void main(String[] args) {
        long s = 4;
        long h = 64;
        Kernel gelu = DemoKernels.geluKernel();
        System.out.println("=== " + gelu.name() + " graph\n" + gelu.dump());
        System.out.println("=== " + gelu.name() + " bytecode for x[" + s + ", " + h + "]\n" + gelu.disassemble(new long[] {s, h}));
        Kernel norm = DemoKernels.layerNormKernel(h);
        System.out.println("=== " + norm.name() + " graph\n" + norm.dump());
        System.out.println("=== " + norm.name() + " bytecode for x[" + s + ", " + h + "], gamma[" + h + "], beta[" + h + "]\n"
                + norm.disassemble(new long[] {s, h}, new long[] {h}, new long[] {h}));
    }
}
