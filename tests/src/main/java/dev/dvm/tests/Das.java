package dev.dvm.tests;

import dev.dvm.core.Kernel;
import dev.dvm.core.KernelInstance;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.vm.NpuSpec;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * {@code ./dvm das [kernel...]}: the meta-op graph (with the kernel type) and bytecode of the named
 * {@link DemoKernels#demo demo kernels} (default: gelu and layer_norm) for 4 rows of 64 (the
 * product's x[4, 1024]·W[1024, 1024]). {@code ./dvm das --jit}: the bytecode of the add-mul-relu
 * kernel for x[4, 64] next to the class the JIT tier generates for each of its stages (ASM's
 * Textifier).
 */
public final class Das {
    private Das() {}

    static final long ROWS = 4;
    static final long H = 64;

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--jit")) {
            jit(DemoKernels.addMulReluKernel(), new long[] {ROWS, H});
            return;
        }
        Map<String, KernelSpec> demo = DemoKernels.demo(H);
        List<String> names = args.length == 0 ? List.of("gelu", "layer_norm") : List.of(args);
        for (String name : names) {
            KernelSpec spec = demo.get(name);
            if (spec == null) {
                System.err.println("das: no demo kernel " + name + "; give one of " + String.join(", ", demo.keySet()));
                System.exit(2);
            }
            Kernel kernel = spec.build().kernel();
            long[][] shapes = DemoKernels.shapes(spec, ROWS, H);
            System.out.println("=== " + kernel.name() + " graph\n" + kernel.dump());
            System.out.println("=== " + kernel.name() + " bytecode for inputs "
                    + Arrays.stream(shapes).map(Arrays::toString).collect(Collectors.joining(", ")) + "\n" + kernel.disassemble(shapes));
        }
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
