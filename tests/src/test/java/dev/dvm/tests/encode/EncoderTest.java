package dev.dvm.tests.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.DvmException;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelInstance;
import dev.dvm.core.compile.Compiler;
import dev.dvm.core.compile.Encoder;
import dev.dvm.core.ir.Instance;
import dev.dvm.tests.property.KernelCase;
import dev.dvm.tests.property.KernelCaseGen;
import dev.dvm.vm.NpuSpec;
import java.lang.reflect.Method;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Differential test of {@link Encoder} against the full compile: one encoder per kernel encodes
 * many instances in a row, reusing the back-end plans remembered from earlier instances, and every
 * program must equal {@link Compiler#compile} of the same instance word for word.
 */
class EncoderTest {
    private static final NpuSpec SPEC = NpuSpec.host();

    @Test
    void demoKernelsEncodeAsTheFullCompileDoes() {
        SplittableRandom r = new SplittableRandom(4);
        List<Kernel> kernels = EncodeCases.demoKernels(r);
        for (Kernel kernel : kernels) {
            for (NpuSpec spec : EncodeCases.SPECS) {
                Encoder encoder = null;
                for (int i = 0; i < 60; i++) {
                    long[][] shapes = EncodeCases.randomShapes(kernel, r);
                    Instance instance = instanceOf(kernel.normalize(spec, shapes));
                    encoder = encoder != null ? encoder : Encoder.prepare(instance.graph(), spec);
                    assertSameProgram(encoder, instance, spec, kernel + " " + java.util.Arrays.deepToString(shapes));
                }
            }
        }
    }

    @Test
    void randomKernelsEncodeAsTheFullCompileDoes() {
        KernelCaseGen gen = new KernelCaseGen(8);
        SplittableRandom r = new SplittableRandom(44);
        int compared = 0;
        for (int c = 0; c < 150; c++) {
            KernelCase kc = gen.generate(r);
            Kernel kernel = kc.spec().build().kernel();
            Encoder encoder = null;
            for (List<long[]> set : kc.shapeSets()) {
                KernelInstance normalized;
                try {
                    normalized = kernel.normalize(SPEC, set.toArray(long[][]::new));
                } catch (DvmException e) {
                    continue; // a case the compiler rejects: nothing to compare
                }
                Instance instance = instanceOf(normalized);
                encoder = encoder != null ? encoder : Encoder.prepare(instance.graph(), SPEC);
                assertSameProgram(encoder, instance, SPEC, kc.toString());
                compared++;
            }
        }
        assertTrue(compared > 150, "only " + compared + " instances compared");
    }

    private static void assertSameProgram(Encoder encoder, Instance instance, NpuSpec spec, String what) {
        Encoder.Encoded encoded = encoder.encode(instance, () -> encoder.program(instance));
        assertArrayEquals(Compiler.compile(instance, spec).words(), encoded.program().words(), what);
        // the executable keeps no program: it encodes it again, equal word for word
        assertArrayEquals(encoded.program().words(), encoded.executable().program().words(), what);
    }

    /** The normalised instance behind a KernelInstance (package-private in dev.dvm.core). */
    private static Instance instanceOf(KernelInstance k) {
        try {
            Method m = KernelInstance.class.getDeclaredMethod("instance");
            m.setAccessible(true);
            return (Instance) m.invoke(k);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
