package dev.dvm.tests;

import dev.dvm.core.Kernel;
import dev.dvm.core.KernelInstance;
import dev.dvm.vm.NpuSpec;
import java.io.PrintWriter;
import java.util.Arrays;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * {@code ./dvm das}: the meta-op graph and the bytecode of the GELU and LayerNorm demo kernels for
 * x[4, 64]. {@code ./dvm das --jit}: the bytecode of the add-mul-relu kernel for x[4, 64] next to
 * the class the JIT tier generates for each of its stages (ASM's Textifier).
 */
public final class Das {
    private Das() {}

    public static void main(String[] args) {
        long s = 4;
        long h = 64;
        if (Arrays.asList(args).contains("--jit")) {
            jit(DemoKernels.addMulReluKernel(), new long[] {s, h});
            return;
        }
        Kernel gelu = DemoKernels.geluKernel();
        System.out.println("=== " + gelu.name() + " graph\n" + gelu.dump());
        System.out.println("=== " + gelu.name() + " bytecode for x[" + s + ", " + h + "]\n" + gelu.disassemble(new long[] {s, h}));
        Kernel norm = DemoKernels.layerNormKernel(h);
        System.out.println("=== " + norm.name() + " graph\n" + norm.dump());
        System.out.println("=== " + norm.name() + " bytecode for x[" + s + ", " + h + "], gamma[" + h + "], beta[" + h + "]\n"
                + norm.disassemble(new long[] {s, h}, new long[] {h}, new long[] {h}));
    }

    /** Every input of {@code kernel} of {@code shape}: the bytecode, then each stage's generated class. */
    private static void jit(Kernel kernel, long[] shape) {
        long[][] shapes = new long[kernel.inputCount()][];
        Arrays.fill(shapes, shape);
        KernelInstance instance = kernel.normalize(NpuSpec.host(), shapes);
        System.out.println("=== " + kernel.name() + " bytecode for inputs " + Arrays.toString(shape) + "\n" + instance.disassemble());
        byte[][] classes = instance.executable().jitClassFiles();
        PrintWriter out = new PrintWriter(System.out, true);
        for (int stage = 0; stage < classes.length; stage++) {
            if (classes[stage] == null) {
                System.out.println("=== stage " + stage + ": not supported by the JIT tier, interpreted");
                continue;
            }
            System.out.println("=== stage " + stage + ": generated class (one for every instance of this stage's structure)");
            new ClassReader(classes[stage]).accept(new TraceClassVisitor(out), 0);
        }
    }
}
