package dev.dvm.tests.property;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dvm.vm.Device;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random kernels against the reference, one core against three: about 300 cases over a fixed seed
 * list; then about 150 more, interpreted against forced through the JIT tier. {@code -Ddvm.seed=S} replaces the seed list by S, {@code -Ddvm.cases=N} sets the case count.
 */
class KernelPropertyTest {
    private static final long[] SEEDS = {20_250_101L, 7L, 424_242L};

    @Test
    void randomKernelsMatchTheReferenceOnOneAndManyCores() {
        check(new KernelProperty(), Property.casesProperty(300));
    }

    /** About 150 cases, each also run with every supported stage forced through the JIT tier. */
    @Test
    void randomKernelsRunBitIdenticallyThroughTheJit() {
        int cases = Property.casesProperty(300) / 2;
        long before = Device.jitStats().published();
        check(new KernelProperty(true), cases);
        long compiled = Device.jitStats().published() - before;
        System.out.println("JIT property: " + compiled + " stages of " + cases + " random kernels ran compiled");
        // The kernels mix every meta-op and dtype; unless most reach the JIT, this compares next to nothing.
        assertTrue(compiled >= cases / 2, compiled + " stages compiled for " + cases + " cases");
    }

    private static void check(KernelProperty runner, int cases) {
        boolean overridden = System.getProperty("dvm.seed") != null;
        long[] seeds = overridden ? new long[] {Property.seedProperty(0)} : SEEDS;
        List<String> failures = new ArrayList<>();
        try (KernelProperty kp = runner) {
            Property<KernelCase> property = kp.property(12);
            for (long seed : seeds) {
                Property.Failure<KernelCase> f = property.run(seed, Math.max(1, cases / seeds.length), i -> { });
                if (f != null) {
                    failures.add(f.toString());
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " seed(s) failed:\n\n" + String.join("\n\n", failures));
        }
    }
}
