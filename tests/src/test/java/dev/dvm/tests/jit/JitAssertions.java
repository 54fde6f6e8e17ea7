package dev.dvm.tests.jit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.vm.NpuSpec;

/** Assertions the JIT tests share. */
final class JitAssertions {
    private JitAssertions() {}

    /** Every stage of {@code spec} at [rows, cols] (its rank-1 inputs [cols]) is one the JIT compiles. */
    static void assertCompilable(KernelSpec spec, long rows, long cols) {
        long[][] shapes = spec.inputs().stream().map(in -> in.dims().length == 1 ? new long[] {cols} : new long[] {rows, cols})
                .toArray(long[][]::new);
        byte[][] files = spec.build().kernel().normalize(NpuSpec.host(), shapes).executable().jitClassFiles();
        for (int i = 0; i < files.length; i++) {
            assertNotNull(files[i], spec.name() + " stage " + i + " at [" + rows + ", " + cols + "]");
        }
    }
}
